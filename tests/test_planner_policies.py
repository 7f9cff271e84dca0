"""ReorderPlanner policies, service types, discrete and empirical lead-time demand, the
schedule, and plan -> simulate consistency."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster, ReorderPlanner
from shelfcast import inventory as inv
from shelfcast.exceptions import (
    DuplicateRowError,
    InvalidItemError,
    InvalidParameterError,
    ShelfcastError,
)
from shelfcast.models import TSB, HistoricAverage

stats = pytest.importorskip("scipy.stats")

START = pd.Timestamp("2024-03-01")
OLD_COLUMNS = [
    "unique_id",
    "on_hand",
    "on_order",
    "inventory_position",
    "lead_time",
    "lead_time_demand",
    "lead_time_demand_sd",
    "safety_stock",
    "reorder_point",
    "eoq",
    "order_qty",
    "order_up_to",
    "reorder_date",
    "order_now",
    "stockout_date",
    "days_of_supply",
    "reason",
]


def stock(ids, **cols) -> pd.DataFrame:
    base = {"on_hand": 0.0, "lead_time": 4.0, "order_cost": 50.0, "holding_cost": 0.5}
    base.update(cols)
    return pd.DataFrame({"unique_id": list(ids), **base})


def rates(ids, mean, sd) -> pd.DataFrame:
    """A per-item forecast (no ds): constant mean and sd per period."""
    n = len(ids)
    return pd.DataFrame(
        {"unique_id": list(ids), "mean": np.broadcast_to(mean, n), "sd": np.broadcast_to(sd, n)}
    )


def long_forecast(ids, mean, sd, h=28) -> pd.DataFrame:
    ds = pd.date_range(START, periods=h, freq="D")
    return pd.DataFrame(
        {
            "unique_id": np.repeat(list(ids), h),
            "ds": np.tile(ds, len(ids)),
            "mean": mean,
            "sd": sd,
        }
    )


def test_default_planner_keeps_the_textbook_plan_and_adds_columns():
    plan = ReorderPlanner(service_level=0.95).plan(
        long_forecast(["a"], 10.0, 3.0), stock(["a"], on_hand=100.0)
    )
    assert list(plan.columns[: len(OLD_COLUMNS)]) == OLD_COLUMNS
    for col in ("expected_fill_rate", "expected_cycle_service_level", "distribution"):
        assert col in plan.columns
    row = plan.iloc[0]
    assert row.distribution == "normal"  # 50 units over L + 1 periods: above discrete_below
    assert row.lead_time_demand == pytest.approx(40.0)
    assert row.safety_stock == pytest.approx(6.0 * stats.norm.ppf(0.95), rel=1e-12)
    assert row.reorder_point == pytest.approx(40.0 + 6.0 * stats.norm.ppf(0.95), rel=1e-12)
    assert row.expected_cycle_service_level == pytest.approx(0.95, abs=1e-12)
    assert row.eoq == pytest.approx(np.sqrt(2 * 50 * 10 / 0.5))
    assert row.reorder_date == START + pd.Timedelta(days=6)
    assert row.order_qty == 45


def test_fill_rate_target_is_met_exactly_for_normal_demand():
    ids = ["a", "b", "c"]
    plan = ReorderPlanner(service_level=0.98, service_type="fill_rate").plan(
        rates(ids, [10.0, 40.0, 100.0], [3.0, 8.0, 30.0]), stock(ids), start=START
    )
    assert (plan.distribution == "normal").all()
    np.testing.assert_allclose(plan.expected_fill_rate, 0.98, atol=1e-7)
    cycle = ReorderPlanner(service_level=0.98).plan(
        rates(ids, [10.0, 40.0, 100.0], [3.0, 8.0, 30.0]), stock(ids), start=START
    )
    assert (np.abs(cycle.expected_fill_rate - 0.98) > 1e-3).all()
    np.testing.assert_allclose(cycle.expected_cycle_service_level, 0.98, atol=1e-12)


def test_intermittent_items_use_discrete_distributions():
    ids = ["nb", "poisson"]
    plan = ReorderPlanner(service_level=0.9).plan(
        rates(ids, [0.2, 0.5], [0.7, 0.6]), stock(ids, on_hand=1.0), start=START
    )
    assert plan.distribution.tolist() == ["negative_binomial", "poisson"]
    assert (plan.reorder_point == np.round(plan.reorder_point)).all()
    # The negative binomial moment-matched to the lead-time demand (L = 4 periods).
    mu, var = 0.2 * 4, 4 * 0.7**2
    r, p = mu**2 / (var - mu), mu / var
    rop = plan.reorder_point.iloc[0]
    assert stats.nbinom.cdf(rop, r, p) >= 0.9 > stats.nbinom.cdf(rop - 1, r, p)
    assert plan.expected_cycle_service_level.iloc[0] == pytest.approx(stats.nbinom.cdf(rop, r, p))
    assert plan.reorder_point.iloc[1] == stats.poisson.ppf(0.9, 2.0)
    assert plan.safety_stock.iloc[1] == pytest.approx(plan.reorder_point.iloc[1] - 2.0)
    normal = ReorderPlanner(service_level=0.9, distribution="normal").plan(
        rates(ids, [0.2, 0.5], [0.7, 0.6]), stock(ids, on_hand=1.0), start=START
    )
    assert (normal.distribution == "normal").all()


class PathForecaster:
    """A test double of a forecaster with sample paths (the API another issue adds)."""

    model_names = ["M"]

    def __init__(self, paths: np.ndarray, ids: list[str], fmt: str = "array") -> None:
        self.paths, self.ids, self.fmt = paths, ids, fmt
        self.calls: list[tuple[int, int, int]] = []

    def predict(self, h: int) -> pd.DataFrame:
        ds = pd.date_range(START, periods=h, freq="D")
        mean = self.paths[:, :, :h].mean(axis=1)
        return pd.DataFrame(
            {
                "unique_id": np.repeat(self.ids, h),
                "ds": np.tile(ds, len(self.ids)),
                "M": mean.ravel(),
            }
        )

    def residual_std(self) -> pd.DataFrame:
        return pd.DataFrame({"unique_id": self.ids, "M": self.paths.std(axis=(1, 2))})

    def sample_paths(self, h, n_paths, seed):
        self.calls.append((h, n_paths, seed))
        arr = self.paths[:, :n_paths, :h]
        if self.fmt == "dict":
            return {"M": arr}
        if self.fmt == "frame":
            n, p, hh = arr.shape
            return pd.DataFrame(
                {
                    "unique_id": np.repeat(self.ids, p * hh),
                    "sample": np.tile(np.repeat(np.arange(p), hh), n),
                    "ds": np.tile(pd.date_range(START, periods=hh, freq="D"), n * p),
                    "M": arr.ravel(),
                }
            )
        return arr


@pytest.mark.parametrize("fmt", ["array", "dict", "frame"])
def test_sample_paths_give_the_lead_time_sum_distribution(fmt):
    rng = np.random.default_rng(0)
    n_paths, h = 400, 28
    # Independent steps: the quantile of the lead-time sum is below the sum of per-step
    # quantiles, which would overstock.
    paths = rng.poisson(1.0, (2, n_paths, h)).astype(float)
    ids = ["x", "y"]
    fc = PathForecaster(paths, ids, fmt)
    lead = [3.0, 5.0]
    plan = ReorderPlanner(service_level=0.9, n_paths=n_paths, seed=5).plan(
        fc, stock(ids[::-1], lead_time=lead[::-1])
    )
    assert fc.calls == [(28, n_paths, 5)]
    assert (plan.distribution == "empirical").all()
    for k, uid in enumerate(ids):
        row = plan[plan.unique_id == uid].iloc[0]
        sums = np.sort(paths[k, :, : int(row.lead_time)].sum(axis=1))
        want = sums[int(np.ceil(0.9 * n_paths)) - 1]
        assert row.reorder_point == want
        assert row.lead_time_demand == pytest.approx(sums.mean())
        per_step = np.quantile(paths[k], 0.9, axis=0)[: int(row.lead_time)].sum()
        assert row.reorder_point < per_step
    # distribution="normal" ignores the paths.
    normal = ReorderPlanner(service_level=0.9, distribution="normal").plan(
        fc, stock(ids, lead_time=3.0)
    )
    assert (normal.distribution == "normal").all()


def test_real_forecaster_plans_from_its_sample_paths():
    ds = pd.date_range("2024-01-01", periods=120, freq="D")
    rng = np.random.default_rng(1)
    sales = pd.DataFrame(
        {
            "unique_id": np.repeat(["fast", "slow"], 120),
            "ds": np.tile(ds, 2),
            "y": np.r_[rng.poisson(30, 120), rng.poisson(0.2, 120)].astype(float),
        }
    )
    fc = DemandForecaster([HistoricAverage()], freq="D").fit(sales)
    plan = ReorderPlanner().plan(fc, stock(["fast", "slow"]))
    # A fitted DemandForecaster has sample paths: the lead-time demand distribution is
    # the empirical one of their sums over the lead time.
    assert (plan.distribution == "empirical").all()
    assert plan.order_qty.iloc[0] > plan.order_qty.iloc[1]


def test_order_up_to_policies():
    ids = ["a"]
    with pytest.raises(InvalidParameterError, match="review_period"):
        ReorderPlanner(policy="RS")
    rs = ReorderPlanner(policy="RS", review_period=7, service_level=0.95).plan(
        rates(ids, 10.0, 3.0), stock(ids, on_hand=30.0, lead_time=3.0, pack_size=5.0), start=START
    )
    row = rs.iloc[0]
    # Protection over L + R = 10 periods: N(100, sqrt(10) * 3).
    assert row.order_up_to == pytest.approx(100 + np.sqrt(90) * stats.norm.ppf(0.95))
    assert row.reorder_point == row.order_up_to
    assert row.safety_stock == pytest.approx(row.order_up_to - 100)
    assert row.order_now and row.order_qty == 5 * np.ceil((row.order_up_to - 30) / 5)
    assert row.expected_cycle_service_level == pytest.approx(0.95)
    base = ReorderPlanner(policy="base_stock").plan(
        rates(ids, 10.0, 3.0), stock(ids, on_hand=200.0), start=START
    )
    assert base.order_up_to.iloc[0] == pytest.approx(50 + np.sqrt(45) * stats.norm.ppf(0.95))
    s_s = ReorderPlanner(policy="sS").plan(
        rates(ids, 10.0, 3.0), stock(ids, on_hand=0.0), start=START
    )
    assert s_s.order_qty.iloc[0] == np.ceil(s_s.order_up_to.iloc[0])
    assert s_s.reorder_point.iloc[0] == pytest.approx(40 + 6 * stats.norm.ppf(0.95))


def test_schedule_lists_every_order_with_pack_rules():
    ids = ["a", "b"]
    planner = ReorderPlanner()
    inv_ = stock(ids, on_hand=[60.0, 500.0], lead_time=[2.0, 5.0], moq=[0, 70], pack_size=[12, 10])
    sched = planner.schedule(rates(ids, [10.0, 3.0], [2.0, 1.0]), inv_, horizon=90, start=START)
    assert list(sched.columns) == ["unique_id", "order_date", "arrival_date", "quantity"]
    a = sched[sched.unique_id == "a"]
    assert (a.quantity % 12 == 0).all()
    assert ((a.arrival_date - a.order_date) == pd.Timedelta(days=2)).all()
    assert a.quantity.sum() == pytest.approx(900 - 60, abs=2 * a.quantity.max())
    b = sched[sched.unique_id == "b"]
    assert (b.quantity >= 70).all() and (b.quantity % 10 == 0).all()
    assert sched.order_date.is_monotonic_increasing
    plan = planner.plan(rates(ids, [10.0, 3.0], [2.0, 1.0]), inv_, start=START)
    first = sched.groupby("unique_id").order_date.min()
    assert first["a"] == plan.set_index("unique_id").reorder_date["a"]
    # A lead time beyond the schedule's horizon, from a long forecast frame.
    long_sched = planner.schedule(
        long_forecast(["a"], 10.0, 2.0, h=40), stock(["a"], lead_time=30.0), horizon=10
    )
    assert long_sched.order_date.iloc[0] == START
    assert (long_sched.arrival_date - long_sched.order_date == pd.Timedelta(days=30)).all()
    assert (long_sched.order_date < START + pd.Timedelta(days=10)).all()


@pytest.mark.parametrize(
    ("policy", "kwargs"),
    [("sQ", {}), ("RS", {"review_period": 3}), ("base_stock", {})],
)
def test_plan_then_simulate_delivers_the_expected_fill_rate(policy, kwargs):
    n, t, mean = 60, 3000, 2.5
    ids = [f"s{i}" for i in range(n)]
    planner = ReorderPlanner(service_level=0.93, service_type="fill_rate", policy=policy, **kwargs)
    inv_ = stock(ids, lead_time=3.0, order_cost=20.0, holding_cost=0.2)
    plan = planner.plan(rates(ids, mean, np.sqrt(mean)), inv_, start=START)
    assert (plan.distribution == "poisson").all()
    assert (plan.expected_fill_rate >= 0.93).all()
    demand = np.random.default_rng(2).poisson(mean, (n, t)).astype(float)
    start_stock = inv_.assign(on_hand=plan.order_up_to.to_numpy())
    out = planner.simulate(demand, start_stock, plan, lost_sales=False)
    sim_fill = 1 - out.unmet_demand.sum() / out.demand.sum()
    assert sim_fill == pytest.approx(plan.expected_fill_rate.iloc[0], abs=0.01)


@pytest.mark.parametrize("policy", ["sQ", "sS"])
def test_simulate_from_order_up_to_removes_the_start_up_transient(policy):
    """A snapshot with nothing on hand waits one lead time for its first order, so a replay
    misses the planned fill rate; ``initial="order_up_to"`` starts at the top of the policy
    cycle and meets it (its own, smaller, upward transient — nothing in transit at the
    start — fades over a long replay)."""
    n, t, mean = 300, 600, 4.0
    ids = [f"s{i}" for i in range(n)]
    planner = ReorderPlanner(service_level=0.95, service_type="fill_rate", policy=policy)
    inv_ = stock(ids, lead_time=10.0, order_cost=20.0, holding_cost=0.2)
    plan = planner.plan(rates(ids, mean, np.sqrt(mean)), inv_, start=START)
    demand = np.random.default_rng(5).poisson(mean, (n, t)).astype(float)

    def pooled(out: pd.DataFrame) -> float:
        return 1 - out.unmet_demand.sum() / out.demand.sum()

    cold = planner.simulate(demand, inv_, plan, lost_sales=False)
    warm, trace = planner.simulate(
        demand, inv_, plan, lost_sales=False, initial="order_up_to", trace=True
    )
    expected = plan.expected_fill_rate.iloc[0]
    assert pooled(warm) == pytest.approx(expected, abs=0.01)
    # about ten days of demand (10/600 of it) short before the first order arrives
    assert pooled(cold) < pooled(warm) - 0.008
    top = plan.reorder_point + plan.eoq if policy == "sQ" else plan.order_up_to
    first = trace[trace.period == 0]
    np.testing.assert_allclose(
        (first.on_hand + first.demand - first.received).to_numpy(), top.to_numpy()
    )
    assert (first.on_order == 0).all()
    assert inv_.on_hand.eq(0.0).all()  # the user's snapshot is untouched
    with pytest.raises(InvalidParameterError, match="initial"):
        planner.simulate(demand, inv_, plan, initial="steady")


def test_bad_inventory_rows_name_item_and_column():
    ids = ["ok", "bad"]
    fc = rates(ids, 5.0, 1.0)
    with pytest.raises(InvalidItemError, match=r"'bad'.*lead_time"):
        ReorderPlanner().plan(fc, stock(ids, lead_time=[2.0, -1.0]), start=START)
    with pytest.raises(InvalidItemError, match=r"'bad'.*service_level"):
        ReorderPlanner().plan(fc, stock(ids, service_level=[0.9, 1.2]), start=START)
    with pytest.raises(InvalidItemError, match=r"'zzz'.*unique_id"):
        ReorderPlanner().plan(fc, stock(["ok", "zzz"]), start=START)
    with pytest.raises(InvalidItemError, match=r"'bad'.*holding_cost"):
        ReorderPlanner().plan(fc, stock(ids, holding_cost=[1.0, 0.0]), start=START)
    for dup in (["bad", "ok", "ok"], ["ok", "bad", "ok"]):  # sorted and unsorted ids
        with pytest.raises(DuplicateRowError, match="'ok'"):
            ReorderPlanner().plan(fc, stock(dup), start=START)
    with pytest.raises(InvalidParameterError, match="service_level"):
        ReorderPlanner(service_level=1.0)
    with pytest.raises(InvalidParameterError, match="service_type"):
        ReorderPlanner(service_type="type2")
    with pytest.raises(InvalidParameterError, match="policy"):
        ReorderPlanner(policy="Qs")
    with pytest.raises(ShelfcastError, match="sd"):
        ReorderPlanner().plan(fc.drop(columns="sd"), stock(ids), start=START)


def test_per_item_service_levels_and_intervals():
    ids = ["a", "b"]
    z = stats.norm.ppf(0.975)
    fc = pd.DataFrame({"unique_id": ids, "mean": [30.0, 30.0]})
    fc["mean-lo-95"] = fc["mean"] - z * 4.0
    fc["mean-hi-95"] = fc["mean"] + z * 4.0
    plan = ReorderPlanner().plan(fc, stock(ids, service_level=[0.5, 0.99]), start=START)
    assert plan.lead_time_demand_sd.tolist() == pytest.approx([8.0, 8.0])
    quant = long_forecast(ids, 30.0, 0.0).drop(columns="sd")
    quant["mean-q-0.1"] = 30.0 + 4.0 * stats.norm.ppf(0.1)
    quant["mean-q-0.5"] = 30.0
    quant["mean-q-0.9"] = 30.0 + 4.0 * stats.norm.ppf(0.9)
    from_q = ReorderPlanner().plan(quant, stock(ids))
    assert from_q.lead_time_demand_sd.tolist() == pytest.approx([8.0, 8.0])
    assert plan.safety_stock.iloc[0] == pytest.approx(0.0, abs=1e-9)
    assert plan.safety_stock.iloc[1] == pytest.approx(8.0 * stats.norm.ppf(0.99))


def test_planner_pickles_and_reprs():
    p = ReorderPlanner(service_level=0.9, service_type="fill_rate", policy="RS", review_period=7)
    q = pickle.loads(pickle.dumps(p))
    assert repr(q) == repr(p)
    assert "fill_rate" in repr(p) and "RS" in repr(p)
    core = pickle.loads(pickle.dumps(p._core))
    assert (core.policy, core.review_period, core.service_type) == ("RS", 7, "fill_rate")
    assert "policy" in repr(core)


def test_safety_stock_function_agrees_with_the_planner_for_normal_cycle_service():
    plan = ReorderPlanner(service_level=0.97, distribution="normal").plan(
        rates(["a"], 12.0, 4.0), stock(["a"], lead_time=6.0, lead_time_sd=1.5), start=START
    )
    ss = inv.safety_stock(12.0, 4.0, 6.0, 0.97, lead_time_sd=1.5)
    assert plan.safety_stock.iloc[0] == pytest.approx(ss, rel=1e-12)


def test_item_that_stopped_selling_gets_no_order():
    """TSB decays towards 0 without reaching it: a dead item with nothing on hand must not
    trigger an order of its MOQ (reorder point 0, position 0)."""
    ds = pd.date_range("2024-01-01", periods=360, freq="D")
    y = np.r_[np.full(60, 5.0), np.zeros(300)]
    sales = pd.DataFrame({"unique_id": "dead", "ds": ds, "y": y})
    fc = DemandForecaster([TSB(alpha_d=0.1, alpha_p=0.1)], freq="D").fit(sales)
    assert 0 < fc.predict(1)["TSB"].iloc[0] < 1e-9
    snapshot = pd.DataFrame(
        {
            "unique_id": ["dead"],
            "on_hand": [0.0],
            "lead_time": [7.0],
            "order_cost": [20.0],
            "holding_cost": [0.01],
            "moq": [12.0],
            "pack_size": [12.0],
        }
    )
    row = ReorderPlanner().plan(fc, snapshot).iloc[0]
    assert row["order_qty"] == 0 and not row["order_now"]
    assert "no demand" in row["reason"]
