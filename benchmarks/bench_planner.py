"""Benchmark: ReorderPlanner.plan for 1 M SKUs and the policy simulation of 30 k SKUs x
365 days, against stockpyl doing the same work.

stockpyl works one SKU at a time in Python, so it is timed on a sample of SKUs and the time
is extrapolated linearly to the full count (its per-SKU cost does not depend on the count):

* plan: per SKU, stockpyl's ``r_q_eoqss_approximation`` (EOQ plus the newsvendor reorder
  point of lead-time demand, with the stockout cost set so that p/(h+p) is the service
  level) — the same (s, Q) numbers ``plan`` computes, without the projection and dates
  that ``plan`` adds.
* simulate: per SKU, stockpyl's single-stage ``simulation`` of an (r, Q) policy for the
  same number of periods.

Usage: ``python benchmarks/bench_planner.py [--skus 1000000] [--sim-skus 30000]
[--days 365] [--sample 300] [--sim-sample 10]``. Set ``SHELFCAST_NUM_THREADS`` to pin
the thread count (the target is 2 cores).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import shelfcast
from shelfcast import ReorderPlanner
from shelfcast import inventory as inv
from shelfcast.simulation import simulate_policy

CPU: dict[float, float] = {}


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls, in seconds; the process CPU time (all threads)
    of that call is kept in ``CPU`` (on a busy machine wall time overstates the cost)."""
    best, cpu = float("inf"), 0.0
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall, used = time.perf_counter() - t0, time.process_time() - c0
        if wall < best:
            best, cpu = wall, used
    CPU[best] = cpu
    return best


def cpu(wall: float) -> str:
    """`` (CPU x s)`` for a time measured by :func:`best_of`."""
    return f" (CPU {CPU[wall]:.3f} s over all threads)"


def make_items(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A per-item forecast (mean, sd per day) and an inventory snapshot for ``n`` SKUs: a
    third slow movers (discrete lead-time demand), the rest normal."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"SKU{i:07d}" for i in range(n)], dtype=object)
    mean = np.where(rng.random(n) < 1 / 3, rng.uniform(0.05, 2, n), rng.uniform(5, 200, n))
    sd = mean * rng.uniform(0.3, 1.2, n) + 0.5
    forecast = pd.DataFrame({"unique_id": ids, "mean": mean, "sd": sd})
    stock = pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": np.round(mean * rng.uniform(0, 30, n)),
            "on_order": 0.0,
            "lead_time": rng.integers(1, 15, n).astype(float),
            "order_cost": rng.uniform(5, 100, n),
            "holding_cost": rng.uniform(0.01, 1, n),
            "pack_size": rng.choice([1.0, 6.0, 12.0], n),
        }
    )
    return forecast, stock


def bench_plan(n: int, sample: int) -> None:
    forecast, stock = make_items(n)
    planner = ReorderPlanner(service_level=0.95)
    start = pd.Timestamp("2024-01-01")
    t_plan = best_of(lambda: planner.plan(forecast, stock, start=start))
    plan = planner.plan(forecast, stock, start=start)
    kinds = plan["distribution"].value_counts().to_dict()
    print(
        f"plan: {n:,} SKUs (horizon {planner.horizon} days, {kinds}) in {t_plan:.3f} s"
        + cpu(t_plan)
    )

    h, sl = stock["holding_cost"].to_numpy(), 0.95
    p = h * sl / (1 - sl)  # p/(h+p) = service level
    args = (
        h,
        p,
        stock["order_cost"].to_numpy(),
        forecast["mean"].to_numpy(),
        forecast["sd"].to_numpy(),
        stock["lead_time"].to_numpy(),
    )
    t_vec = best_of(lambda: inv.r_q_eoqss(*args))
    print(f"  shelfcast.inventory.r_q_eoqss on {n:,} SKUs: {t_vec:.3f} s" + cpu(t_vec))

    from stockpyl.rq import r_q_eoqss_approximation

    idx = np.random.default_rng(1).choice(n, size=min(sample, n), replace=False)
    t0 = time.perf_counter()
    for i in idx:
        r_q_eoqss_approximation(*(float(a[i]) for a in args))
    per_sku = (time.perf_counter() - t0) / len(idx)
    t_sp = per_sku * n
    print(
        f"  stockpyl r_q_eoqss_approximation: {per_sku * 1e6:.0f} us/SKU on {len(idx)} SKUs "
        f"-> {t_sp:,.0f} s for {n:,} (extrapolated)"
    )
    print(
        f"  ratio stockpyl / shelfcast: plan {t_sp / t_plan:,.0f}x, r_q_eoqss {t_sp / t_vec:,.0f}x"
    )


def bench_simulate(n: int, days: int, sample: int) -> None:
    rng = np.random.default_rng(2)
    mean = rng.uniform(0.2, 20, n)
    demand = rng.poisson(mean[:, None], (n, days)).astype(float)
    lead = rng.integers(1, 10, n).astype(float)
    ids = np.array([f"SKU{i:05d}" for i in range(n)], dtype=object)
    stock = pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": np.round(mean * 10),
            "lead_time": lead,
            "order_cost": 20.0,
            "holding_cost": 0.5,
            "stockout_cost": 2.0,
        }
    )
    q = np.maximum(np.round(np.sqrt(2 * 20 * mean / 0.5)), 1)
    r = np.round(mean * lead + 1.65 * np.sqrt(mean * lead))
    params = pd.DataFrame({"unique_id": ids, "reorder_point": r, "order_quantity": q})
    t_sim = best_of(lambda: simulate_policy(demand, stock, params, policy="sQ"))
    out = simulate_policy(demand, stock, params, policy="sQ")
    print(
        f"simulate: {n:,} SKUs x {days} days (sQ, lost sales) in {t_sim:.3f} s"
        + cpu(t_sim)
        + f", mean fill rate {out.fill_rate.mean():.3f}"
    )
    t_back = best_of(lambda: simulate_policy(demand, stock, params, policy="sQ", lost_sales=False))
    print(f"  with backorders: {t_back:.3f} s" + cpu(t_back))

    long = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, days),
            "ds": np.tile(pd.date_range("2024-01-01", periods=days, freq="D"), n),
            "y": demand.reshape(-1),
        }
    )
    t_long = best_of(lambda: simulate_policy(long, stock, params, policy="sQ"), repeat=1)
    print(f"  from a long DataFrame ({len(long):,} rows): {t_long:.3f} s" + cpu(t_long))

    from stockpyl.sim import simulation
    from stockpyl.supply_chain_network import single_stage_system

    t0 = time.perf_counter()
    k = min(sample, n)
    for i in range(k):
        net = single_stage_system(
            holding_cost=0.5,
            stockout_cost=2.0,
            shipment_lead_time=int(lead[i]),
            demand_type="P",
            mean=float(mean[i]),
            policy_type="rQ",
            reorder_point=float(r[i]),
            order_quantity=float(q[i]),
        )
        simulation(net, days, rand_seed=i, progress_bar=False)
    per_sku = (time.perf_counter() - t0) / k
    t_sp = per_sku * n
    print(
        f"  stockpyl single-stage simulation: {per_sku:.3f} s/SKU on {k} SKUs -> "
        f"{t_sp:,.0f} s for {n:,} (extrapolated)"
    )
    print(f"  ratio stockpyl / shelfcast: simulate {t_sp / t_sim:,.0f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=1_000_000)
    ap.add_argument("--sim-skus", type=int, default=30_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--sample", type=int, default=300, help="SKUs timed in stockpyl (plan)")
    ap.add_argument("--sim-sample", type=int, default=10, help="SKUs simulated in stockpyl")
    a = ap.parse_args()
    print(
        f"shelfcast {shelfcast.__version__}, {shelfcast.num_threads()} threads "
        f"(SHELFCAST_NUM_THREADS={os.environ.get('SHELFCAST_NUM_THREADS', 'unset')}), "
        f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}"
    )
    bench_plan(a.skus, a.sample)
    bench_simulate(a.sim_skus, a.days, a.sim_sample)


if __name__ == "__main__":
    main()
