"""Property tests (hypothesis): invariants of the inventory formulas, the planner, the policy
simulation and the forecaster that must hold for every input, not only the worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shelfcast import DemandForecaster, ReorderPlanner
from shelfcast import inventory as inv
from shelfcast.models import (
    ADIDA,
    TSB,
    CrostonClassic,
    HistoricAverage,
    Naive,
    SeasonalNaive,
    WindowAverage,
)
from shelfcast.simulation import simulate_policy

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
pos = st.floats(0.01, 1e4, allow_nan=False, allow_infinity=False)
small = st.floats(0.01, 100.0, allow_nan=False, allow_infinity=False)
level = st.floats(0.5, 0.995)


@SETTINGS
@given(k=pos, h=pos, d=pos, factor=st.floats(0.2, 5.0))
def test_eoq_is_the_cost_minimum(k, h, d, factor):
    q, cost = inv.eoq(k, h, d)
    assert q == pytest.approx(np.sqrt(2 * k * d / h), rel=1e-9)
    other = q * factor
    assert cost <= k * d / other + h * other / 2 + 1e-9 * cost


@SETTINGS
@given(z=st.floats(-8, 8))
def test_normal_loss_identities(z):
    loss, comp = inv.normal_loss(z)
    assert loss >= 0 and comp >= 0
    assert comp - loss == pytest.approx(z, abs=1e-9)  # E[(z-Z)+] - E[(Z-z)+] = z
    assert inv.normal_loss(-z).loss == pytest.approx(comp, abs=1e-9)  # symmetry


@SETTINGS
@given(mean=small, sd=small, lt=st.floats(0.5, 30), beta=st.floats(0.5, 0.999), q=pos)
def test_fill_rate_safety_stock_solves_its_equation(mean, sd, lt, beta, q):
    ss = inv.safety_stock(mean, sd, lt, beta, service_type="fill_rate", order_quantity=q)
    sigma = sd * np.sqrt(lt)
    assert sigma * inv.normal_loss(ss / sigma).loss == pytest.approx(
        (1 - beta) * q, rel=1e-6, abs=1e-9 * q
    )


@SETTINGS
@given(mean=small, sd=small, lt=st.floats(0.5, 30), a=level, b=level)
def test_cycle_safety_stock_grows_with_the_service_level(mean, sd, lt, a, b):
    lo, hi = sorted((a, b))
    assert inv.safety_stock(mean, sd, lt, lo) <= inv.safety_stock(mean, sd, lt, hi) + 1e-12


@SETTINGS
@given(
    demand=st.lists(st.floats(0, 50), min_size=1, max_size=12),
    k=st.floats(0.1, 100),
    h=st.floats(0.01, 5),
)
def test_wagner_whitin_meets_demand_and_beats_lot_for_lot(demand, k, h):
    d = np.array(demand)
    orders, cost = inv.wagner_whitin(d, k, h)
    stock = np.cumsum(orders) - np.cumsum(d)
    assert (stock >= -1e-9).all()  # never short
    assert orders.sum() == pytest.approx(d.sum())
    lot_for_lot = k * np.count_nonzero(d)
    assert cost <= lot_for_lot + 1e-9


def _plan(mean, sd, on_hand, lead_time, moq, pack, level_, policy="sQ"):
    ids = [f"i{j}" for j in range(len(mean))]
    fc = pd.DataFrame({"unique_id": ids, "mean": mean, "sd": sd})
    stock = pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": on_hand,
            "lead_time": lead_time,
            "order_cost": 30.0,
            "holding_cost": 0.1,
            "moq": moq,
            "pack_size": pack,
        }
    )
    planner = ReorderPlanner(service_level=level_, policy=policy)
    return stock, planner, planner.plan(fc, stock, start="2024-01-01")


items = st.integers(1, 8).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.05, 200), min_size=n, max_size=n),  # mean per period
        st.lists(st.floats(0.0, 2.0), min_size=n, max_size=n),  # sd / mean
        st.lists(st.floats(0, 3000), min_size=n, max_size=n),  # on hand
        st.lists(st.integers(1, 21), min_size=n, max_size=n),  # lead time
        st.lists(st.integers(1, 50), min_size=n, max_size=n),  # moq
        st.lists(st.sampled_from([1, 2, 6, 12, 24]), min_size=n, max_size=n),  # pack
    )
)


@SETTINGS
@given(items=items, level_=level, policy=st.sampled_from(["sQ", "sS"]))
@example(  # found by hypothesis: an sd of 1e-161 made the normal's fill rate NaN
    items=([10.0], [7.4e-163], [0.0], [1], [1], [1]), level_=0.5, policy="sQ"
)
def test_plan_orders_whole_packs_above_moq_and_only_when_needed(items, level_, policy):
    mean, cv, on_hand, lt, moq, pack = (np.array(x, dtype=float) for x in items)
    stock, _, plan = _plan(mean, mean * cv, on_hand, lt, moq, pack, level_, policy)
    assert len(plan) == len(mean)
    # the reorder point is the service-level quantile of lead-time demand (whole units for
    # the discrete distributions of slow movers, so at least the level)
    assert (plan.expected_cycle_service_level >= level_ - 1e-6).all()
    q = plan.order_qty.to_numpy(float)
    ordered = q > 0
    assert np.allclose(np.round(q[ordered] / pack[ordered]), q[ordered] / pack[ordered])
    assert (q[ordered] >= moq[ordered] - 1e-9).all()
    due = plan.order_now.to_numpy(bool)
    position = plan.inventory_position.to_numpy(float)
    assert (position[due] <= plan.reorder_point.to_numpy(float)[due] + 1e-9).all()
    assert ((plan.expected_fill_rate >= 0) & (plan.expected_fill_rate <= 1)).all()
    assert stock.on_hand.to_numpy(float) == pytest.approx(on_hand)  # input untouched


@SETTINGS
@given(items=items, a=level, b=level)
def test_reorder_point_grows_with_the_service_level(items, a, b):
    mean, cv, on_hand, lt, moq, pack = (np.array(x, dtype=float) for x in items)
    lo, hi = sorted((a, b))
    _, _, p_lo = _plan(mean, mean * cv, on_hand, lt, moq, pack, lo)
    _, _, p_hi = _plan(mean, mean * cv, on_hand, lt, moq, pack, hi)
    assert (p_lo.reorder_point <= p_hi.reorder_point + 1e-9).all()


@SETTINGS
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(1, 6),
    t=st.integers(1, 60),
    lost=st.booleans(),
    policy=st.sampled_from(["sQ", "sS", "base_stock"]),
)
def test_simulation_conserves_stock(seed, n, t, lost, policy):
    rng = np.random.default_rng(seed)
    ids = [f"i{j}" for j in range(n)]
    demand = rng.poisson(rng.uniform(0.1, 20, (n, 1)), (n, t)).astype(float)
    stock = pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": rng.integers(0, 100, n).astype(float),
            "on_order": 0.0,
            "lead_time": rng.integers(1, 10, n).astype(float),
            "order_cost": 10.0,
            "holding_cost": 0.1,
        }
    )
    s = rng.uniform(0, 80, n)
    params = pd.DataFrame(
        {
            "unique_id": ids,
            "reorder_point": s,
            "order_quantity": rng.uniform(1, 60, n),
            "order_up_to": s + rng.uniform(1, 60, n),
        }
    )
    res = simulate_policy(demand, stock, params, policy=policy, lost_sales=lost, trace=True)
    out, tr = res.summary, res.trace
    sold = out.demand > 0  # with no demand the fill rate is undefined (NaN)
    assert ((out.fill_rate[sold] >= 0) & (out.fill_rate[sold] <= 1)).all()
    assert out.fill_rate[~sold].isna().all()
    assert (out.unmet_demand <= out.demand + 1e-9).all()
    assert (tr.on_hand >= -1e-9).all() and (tr.on_order >= -1e-9).all()
    # stock balance per item: start + received - sales = end
    for j, g in tr.groupby("unique_id", sort=False):
        g = g.sort_values("period")
        start = stock.set_index("unique_id").on_hand[j]
        sold = g.demand.sum() - g.short.sum() if lost else None
        if lost:
            assert start + g.received.sum() - sold == pytest.approx(g.on_hand.iloc[-1], abs=1e-6)
        else:  # backorders: net stock = on hand - backorders
            net = g.on_hand.iloc[-1] - g.backorders.iloc[-1]
            assert start + g.received.sum() - g.demand.sum() == pytest.approx(net, abs=1e-6)


series = st.lists(st.integers(0, 30), min_size=15, max_size=60)


@SETTINGS
@given(values=st.lists(series, min_size=1, max_size=5), h=st.integers(1, 10))
def test_forecasts_are_finite_nonnegative_and_ignore_row_order(values, h):
    rows = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2024-01-01", periods=len(v), freq="D"),
                "y": np.array(v, float),
            }
        )
        for i, v in enumerate(values)
    ]
    df = pd.concat(rows, ignore_index=True)
    models = [
        Naive(),
        SeasonalNaive(7),
        HistoricAverage(),
        WindowAverage(7),
        CrostonClassic(),
        TSB(0.2, 0.2),
        ADIDA(),
    ]
    a = DemandForecaster(models, freq="D", verbose=False).forecast(df, h=h)
    shuffled = df.sample(frac=1.0, random_state=0)
    b = DemandForecaster(models, freq="D", verbose=False).forecast(shuffled, h=h)
    pd.testing.assert_frame_equal(a, b)
    num = a.drop(columns=["unique_id", "ds"]).to_numpy(float)
    assert np.isfinite(num).all() and (num >= 0).all()
    assert len(a) == h * len(values)
    last = {f"s{i}": v[-1] for i, v in enumerate(values)}
    first = a.groupby("unique_id", sort=False).Naive.first()
    assert all(first[k] == last[k] for k in first.index)
    assert df.equals(pd.concat(rows, ignore_index=True))  # input untouched
