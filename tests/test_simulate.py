"""The native policy simulator against analytic results: base-stock cost with normal demand
(the newsvendor cost, also stockpyl's), exact fill rate and stock of the periodic
(r, nQ) policy, and the cycle service level and fill rate of an (R, S) policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shelfcast import ReorderPlanner
from shelfcast import inventory as inv
from shelfcast.exceptions import InvalidItemError, InvalidParameterError, ShelfcastError
from shelfcast.simulation import SimulationResult, simulate_policy

sp_nv = pytest.importorskip("stockpyl.newsvendor")


def snapshot(n: int, **cols: float) -> pd.DataFrame:
    base = {
        "unique_id": [f"sku{i}" for i in range(n)],
        "on_hand": 0.0,
        "lead_time": 1.0,
        "order_cost": 0.0,
        "holding_cost": 1.0,
    }
    base.update(cols)
    return pd.DataFrame(
        {k: np.broadcast_to(v, n) if np.ndim(v) == 0 else v for k, v in base.items()}
    )


def params(ids, **cols: float) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": ids, **cols})


def test_base_stock_cost_matches_newsvendor_with_normal_demand():
    h, p, mu, sd, lt = 1.0, 9.0, 100.0, 15.0, 2
    s_star, cost = inv.newsvendor_normal(h, p, mu, sd, lead_time=lt)
    assert (s_star, cost) == pytest.approx(sp_nv.newsvendor_normal(h, p, mu, sd, lt), rel=1e-9)
    n, t = 100, 4000
    demand = np.clip(np.random.default_rng(0).normal(mu, sd, (n, t)), 0, None)
    stock = snapshot(
        n, on_hand=s_star, lead_time=float(lt), holding_cost=h, stockout_cost=p, pack_size=0.0
    )
    out = simulate_policy(
        demand,
        stock,
        params(stock.unique_id, order_up_to=s_star),
        policy="base_stock",
        lost_sales=False,
    )
    per_period = (out.holding_cost + out.shortage_cost).sum() / (n * t)
    assert per_period == pytest.approx(cost, rel=0.02)
    # Cycle service level of base stock: P(D over L + 1 periods <= S) = p / (h + p).
    assert out.cycle_service_level.mean() == pytest.approx(p / (h + p), abs=0.01)


def _rnq_exact(r: int, q: int, mean: float, lt: int):
    """Exact steady state of the periodic (r, nQ) policy with Poisson demand and
    backorders: the position after ordering is uniform on r+1..r+Q, and the period's
    shortage is (D_{L+1} - y)+ - (D_L - y)+."""
    y = np.arange(r + 1, r + q + 1)
    n_l1, nbar_l1 = inv.poisson_loss(y, mean * (lt + 1))
    n_l, _ = inv.poisson_loss(y, mean * lt)
    fill = 1 - np.mean(n_l1 - n_l) / mean
    return fill, np.mean(nbar_l1), np.mean(n_l1)


def test_s_q_fill_rate_and_stock_match_the_exact_formula():
    r, q, mean, lt = 10, 20, 3.0, 3
    fill, on_hand, backorders = _rnq_exact(r, q, mean, lt)
    n, t = 200, 5000
    demand = np.random.default_rng(1).poisson(mean, (n, t)).astype(float)
    stock = snapshot(n, on_hand=float(r + q), lead_time=float(lt), stockout_cost=1.0)
    out = simulate_policy(
        demand,
        stock,
        params(stock.unique_id, reorder_point=float(r), order_quantity=float(q)),
        policy="sQ",
        lost_sales=False,
    )
    sim_fill = 1 - out.unmet_demand.sum() / out.demand.sum()
    assert sim_fill == pytest.approx(fill, abs=0.004)
    assert out.average_on_hand.mean() == pytest.approx(on_hand, rel=0.01)
    assert out.shortage_cost.sum() / (n * t) == pytest.approx(backorders, rel=0.03)
    assert out.orders_placed.sum() / (n * t) == pytest.approx(mean / q, rel=0.01)
    # The continuous-review textbook formula 1 - (n(r) - n(r+Q))/Q brackets it: daily review
    # exposes the position to between L and L + 1 periods of demand.
    n_l, _ = inv.poisson_loss([r, r + q], mean * lt)
    n_l1, _ = inv.poisson_loss([r, r + q], mean * (lt + 1))
    assert 1 - (n_l1[0] - n_l1[1]) / q < sim_fill < 1 - (n_l[0] - n_l[1]) / q


def test_r_s_cycle_service_level_and_fill_rate():
    mean, lt, review = 4.0, 3, 7
    stats = pytest.importorskip("scipy.stats")
    big_s = float(stats.poisson.ppf(0.9, mean * (lt + review)))
    csl = stats.poisson.cdf(big_s, mean * (lt + review))
    n_lr, _ = inv.poisson_loss(big_s, mean * (lt + review))
    n_l, _ = inv.poisson_loss(big_s, mean * lt)
    fill = 1 - (n_lr - n_l) / (mean * review)
    n, t = 200, 5000
    demand = np.random.default_rng(2).poisson(mean, (n, t)).astype(float)
    stock = snapshot(n, on_hand=big_s, lead_time=float(lt))
    out = simulate_policy(
        demand,
        stock,
        params(stock.unique_id, order_up_to=big_s, review_period=float(review)),
        policy="RS",
        lost_sales=False,
    )
    assert out.cycle_service_level.mean() == pytest.approx(csl, abs=0.01)
    assert 1 - out.unmet_demand.sum() / out.demand.sum() == pytest.approx(fill, abs=0.004)
    assert out.orders_placed.mean() == pytest.approx(t / review, abs=1)


def test_s_s_orders_up_to_level_and_lost_sales_balance():
    n, t = 50, 400
    demand = np.random.default_rng(3).poisson(2.0, (n, t)).astype(float)
    stock = snapshot(n, on_hand=15.0, lead_time=2.0, order_cost=5.0, stockout_cost=2.0)
    pp = params(stock.unique_id, reorder_point=6.0, order_up_to=20.0)
    res = simulate_policy(demand, stock, pp, policy="sS", trace=True)
    assert isinstance(res, SimulationResult)
    out, tr = res
    assert np.allclose(out.demand, demand.sum(axis=1))
    assert np.allclose(out.ordering_cost, 5.0 * out.orders_placed)
    assert np.allclose(out.holding_cost, out.average_on_hand * t)
    assert np.allclose(out.shortage_cost, 2.0 * out.unmet_demand)
    # Lost sales: stock balance period by period.
    one = tr[tr.unique_id == "sku0"]
    prev = np.r_[15.0, one.on_hand.to_numpy()[:-1]]
    filled = one.demand - one.short
    assert np.allclose(one.on_hand, prev + one.received - filled)
    assert (one.backorders == 0).all()
    # (s, S): every order lifts the position to exactly S (integer demand, packs of 1).
    position_after = (
        one.on_hand.shift(1, fill_value=15.0) + one.on_order.shift(1, fill_value=0.0) + one.ordered
    )
    assert np.allclose(position_after[one.ordered > 0], 20.0)


def test_backorders_fill_less_than_lost_sales_for_base_stock():
    n, t = 30, 500
    demand = np.random.default_rng(4).poisson(5.0, (n, t)).astype(float)
    stock = snapshot(n, on_hand=20.0, lead_time=3.0)
    pp = params(stock.unique_id, order_up_to=20.0)
    lost = simulate_policy(demand, stock, pp, policy="base_stock", lost_sales=True)
    back = simulate_policy(demand, stock, pp, policy="base_stock", lost_sales=False)
    assert (lost.fill_rate >= back.fill_rate - 1e-12).all()


def test_items_are_independent_of_the_batch_and_random_lead_times_reproducible():
    n, t = 40, 300
    demand = np.random.default_rng(5).poisson(3.0, (n, t)).astype(float)
    stock = snapshot(n, on_hand=10.0, lead_time=4.0, lead_time_sd=1.5)
    pp = params(stock.unique_id, reorder_point=12.0, order_quantity=15.0)
    a = simulate_policy(demand, stock, pp, seed=7)
    b = simulate_policy(demand, stock, pp, seed=7)
    c = simulate_policy(demand, stock, pp, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    solo = simulate_policy(demand[3:4], stock.iloc[3:4], pp, seed=7)
    assert solo.iloc[0].drop("unique_id").equals(a.iloc[3].drop("unique_id"))
    fixed = simulate_policy(demand, stock, pp, lead_time_sd=0.0)
    assert not fixed.equals(a)


def test_long_demand_frame_and_missing_dates():
    ds = pd.date_range("2024-01-01", periods=10, freq="D")
    frame = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 10), "ds": np.tile(ds, 2), "y": 1.0})
    frame = frame.drop(index=[3, 14])  # missing days count as zero demand
    stock = snapshot(2, on_hand=5.0).assign(unique_id=["a", "b"])
    pp = params(["b", "a"], reorder_point=[2.0, 2.0], order_quantity=[5.0, 5.0])
    out, tr = simulate_policy(frame, stock, pp, trace=True)
    assert list(out.unique_id) == ["a", "b"]
    assert out.demand.tolist() == [9.0, 9.0]
    assert tr.ds.min() == ds[0] and len(tr) == 20


def test_bad_rows_name_item_and_column():
    demand = np.ones((2, 5))
    stock = snapshot(2, lead_time=[1.0, -2.0])
    pp = params(stock.unique_id, reorder_point=1.0, order_quantity=2.0)
    with pytest.raises(InvalidItemError, match=r"sku1.*lead_time"):
        simulate_policy(demand, stock, pp)
    stock = snapshot(2)
    with pytest.raises(InvalidItemError, match=r"sku1.*not in policy_params"):
        simulate_policy(demand, stock, pp.iloc[:1])
    with pytest.raises(InvalidItemError, match=r"sku0.*order_quantity"):
        simulate_policy(demand, stock, params(stock.unique_id, reorder_point=1.0))
    bad = demand.copy()
    bad[1, 2] = np.nan
    with pytest.raises(InvalidItemError, match=r"sku1.*demand"):
        simulate_policy(bad, stock, pp)
    with pytest.raises(InvalidParameterError, match="policy"):
        simulate_policy(demand, stock, pp, policy="sq")
    frame = pd.DataFrame({"unique_id": ["sku0"], "ds": [pd.Timestamp("2024-01-01")], "y": [1.0]})
    with pytest.raises(InvalidItemError, match="sku1"):
        simulate_policy(frame, stock, pp)
    with pytest.raises(ShelfcastError, match="review_period"):
        simulate_policy(
            demand, stock, params(stock.unique_id, order_up_to=3.0, review_period=0.5), policy="RS"
        )


def test_planner_simulate_uses_its_policy():
    n, t = 5, 60
    demand = np.full((n, t), 2.0)
    stock = snapshot(n, on_hand=10.0, lead_time=2.0)
    pp = params(stock.unique_id, reorder_point=4.0, eoq=10.0)
    out = ReorderPlanner().simulate(demand, stock, pp)
    assert (out.fill_rate == 1.0).all() and (out.orders_placed == 12).all()
