"""ReorderPlanner: hand-computed (s, Q) plans, planning from forecasts, validation."""

from __future__ import annotations

import copy
import math
import pickle
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster, ReorderPlanner
from shelfcast.exceptions import (
    ColumnTypeError,
    DuplicateRowError,
    InvalidItemError,
    InvalidParameterError,
    MissingColumnError,
)

START = pd.Timestamp("2024-03-01")
PLAN_COLUMNS = [
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
NUMERIC = [
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
    "days_of_supply",
]


def constant_forecast(rates: dict[str, float], sd: dict[str, float], periods: int = 40):
    """A forecast frame with a flat mean per item (rows deliberately unsorted)."""
    frames = [
        pd.DataFrame(
            {
                "unique_id": uid,
                "ds": pd.date_range(START, periods=periods, freq="D"),
                "mean": rate,
                "sd": sd[uid],
            }
        )
        for uid, rate in rates.items()
    ]
    return pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=5)


def inventory(**columns) -> pd.DataFrame:
    base = {
        "unique_id": ["SKU-A"],
        "on_hand": [100.0],
        "on_order": [20.0],
        "lead_time": [4.0],
        "order_cost": [50.0],
        "holding_cost": [0.5],
        "moq": [50.0],
        "pack_size": [12.0],
    }
    base.update(columns)
    return pd.DataFrame(base)


def by_hand(d, sigma, on_hand, on_order, lead_time, k, hold, moq, pack, sl, lt_sd=0.0):
    """The documented policy for a constant forecast ``d`` per period."""
    z = NormalDist().inv_cdf(sl)
    mu_l = d * lead_time
    sd_l = math.sqrt(lead_time * sigma**2 + d**2 * lt_sd**2)
    ss = z * sd_l
    rop = mu_l + ss
    eoq = math.sqrt(2 * k * d / hold) if d > 0 else 0.0

    def rounded(q):
        return math.ceil(max(q, moq) / pack - 1e-9) * pack if q > 0 else 0.0

    reorder = next((t for t in range(200) if on_hand + on_order - t * d <= rop), None)
    qty = rounded(max(eoq, rop - (on_hand + on_order - reorder * d))) if reorder is not None else 0
    stockout = next((t for t in range(200) if on_hand - (t + 1) * d < 0), None)
    return {
        "lead_time_demand": mu_l,
        "lead_time_demand_sd": sd_l,
        "safety_stock": ss,
        "reorder_point": rop,
        "eoq": eoq,
        "order_qty": qty,
        "order_up_to": rop + rounded(eoq),
        "reorder": reorder,
        "stockout": stockout,
        "days_of_supply": on_hand / d if d > 0 else math.inf,
    }


# ---------------------------------------------------------------- hand example
def test_hand_example_constant_forecast():
    fc = constant_forecast({"SKU-A": 10.0}, {"SKU-A": 3.0})
    inv = inventory()
    plan = ReorderPlanner(distribution="normal", service_level=0.95, horizon=28).plan(fc, inv)
    assert list(plan.columns)[: len(PLAN_COLUMNS)] == PLAN_COLUMNS
    assert len(plan) == 1
    row = plan.iloc[0]
    want = by_hand(10.0, 3.0, 100.0, 20.0, 4.0, 50.0, 0.5, 50.0, 12.0, 0.95)

    z = NormalDist().inv_cdf(0.95)
    assert row["safety_stock"] == pytest.approx(z * 3.0 * math.sqrt(4.0), rel=1e-12)
    assert row["lead_time_demand"] == pytest.approx(40.0, rel=1e-12)
    assert row["reorder_point"] == pytest.approx(40.0 + z * 6.0, rel=1e-12)
    assert row["eoq"] == pytest.approx(math.sqrt(2 * 50 * 10 / 0.5), rel=1e-12)
    # EOQ 44.7 -> MOQ 50 -> 5 packs of 12.
    assert row["order_qty"] == 60 == want["order_qty"]
    # Position 120 - 10 t <= 49.87 first at t = 8; on hand 100 runs out during day 10.
    assert want["reorder"] == 8 and want["stockout"] == 10
    assert row["reorder_date"] == START + pd.Timedelta(days=8)
    assert row["stockout_date"] == START + pd.Timedelta(days=10)
    assert not row["order_now"]
    assert row["inventory_position"] == 120.0
    assert row["days_of_supply"] == pytest.approx(10.0)
    assert row["order_up_to"] == pytest.approx(want["order_up_to"], rel=1e-12)
    assert row["reason"] == ""
    for key in ["lead_time_demand_sd", "safety_stock", "reorder_point", "eoq"]:
        assert row[key] == pytest.approx(want[key], rel=1e-12), key


@pytest.mark.parametrize("sl", [0.5, 0.8, 0.9, 0.975, 0.999])
@pytest.mark.parametrize(
    ("d", "sigma", "on_hand", "on_order", "lead_time", "lt_sd", "moq", "pack"),
    [
        (10.0, 3.0, 100.0, 20.0, 4.0, 0.0, 50.0, 12.0),
        (2.5, 1.2, 7.0, 0.0, 2.5, 0.0, 1.0, 1.0),  # fractional lead time, order now
        (4.0, 2.0, 60.0, 10.0, 7.0, 1.5, 0.0, 6.0),  # lead-time variability
        (1.0, 0.0, 0.0, 0.0, 3.0, 0.0, 100.0, 25.0),  # no uncertainty, big MOQ
    ],
)
def test_hand_formulas(sl, d, sigma, on_hand, on_order, lead_time, lt_sd, moq, pack):
    fc = constant_forecast({"X": d}, {"X": sigma})
    inv = pd.DataFrame(
        {
            "unique_id": ["X"],
            "on_hand": [on_hand],
            "on_order": [on_order],
            "lead_time": [lead_time],
            "lead_time_sd": [lt_sd],
            "order_cost": [30.0],
            "holding_cost": [0.2],
            "moq": [moq],
            "pack_size": [pack],
        }
    )
    row = ReorderPlanner(distribution="normal", service_level=sl).plan(fc, inv).iloc[0]
    want = by_hand(d, sigma, on_hand, on_order, lead_time, 30.0, 0.2, moq, pack, sl, lt_sd)
    for key in ["lead_time_demand", "lead_time_demand_sd", "safety_stock", "reorder_point"]:
        assert row[key] == pytest.approx(want[key], rel=1e-10, abs=1e-12), key
    assert row["eoq"] == pytest.approx(want["eoq"], rel=1e-12)
    assert row["order_qty"] == want["order_qty"]
    assert row["order_qty"] % pack == 0
    assert row["order_qty"] >= moq
    assert row["reorder_date"] == START + pd.Timedelta(days=want["reorder"])
    assert row["order_now"] == (want["reorder"] == 0)
    if want["stockout"] is None:
        assert pd.isna(row["stockout_date"])
    else:
        assert row["stockout_date"] == START + pd.Timedelta(days=want["stockout"])
    assert row["days_of_supply"] == pytest.approx(want["days_of_supply"])


def test_no_demand_and_covered_items():
    fc = constant_forecast({"none": 0.0, "rich": 1.0}, {"none": 0.0, "rich": 0.5})
    inv = pd.DataFrame(
        {
            "unique_id": ["none", "rich"],
            "on_hand": [5.0, 1000.0],
            "lead_time": [3, 3],
            "order_cost": [10.0, 10.0],
            "holding_cost": [1.0, 1.0],
        }
    )
    plan = ReorderPlanner(horizon=28).plan(fc, inv).set_index("unique_id")
    none, rich = plan.loc["none"], plan.loc["rich"]
    assert none["order_qty"] == 0 and pd.isna(none["reorder_date"])
    assert none["eoq"] == 0.0 and none["days_of_supply"] == math.inf
    assert "no demand" in none["reason"]
    assert pd.isna(none["stockout_date"])
    assert rich["order_qty"] == 0 and pd.isna(rich["reorder_date"])
    assert "stays above the reorder point" in rich["reason"]
    assert not none["order_now"] and not rich["order_now"]


def test_holding_rate_times_unit_cost_equals_holding_cost():
    fc = constant_forecast({"SKU-A": 10.0}, {"SKU-A": 3.0})
    a = ReorderPlanner(distribution="normal").plan(fc, inventory())
    inv = inventory().drop(columns="holding_cost").assign(holding_rate=[0.25], unit_cost=[2.0])
    b = ReorderPlanner(distribution="normal").plan(fc, inv)
    pd.testing.assert_frame_equal(a, b)


def test_max_qty_caps_whole_packs():
    fc = constant_forecast({"SKU-A": 10.0}, {"SKU-A": 3.0})
    plan = ReorderPlanner(distribution="normal").plan(fc, inventory(max_qty=[40.0], moq=[0.0]))
    assert plan["order_qty"].iloc[0] == 36  # 3 whole packs of 12 within 40


def test_backorder_means_stockout_now():
    fc = constant_forecast({"SKU-A": 10.0}, {"SKU-A": 3.0})
    row = (
        ReorderPlanner(distribution="normal")
        .plan(fc, inventory(on_hand=[-5.0], on_order=[0.0]))
        .iloc[0]
    )
    assert row["stockout_date"] == START
    assert row["order_now"] and row["reorder_date"] == START
    assert row["days_of_supply"] == 0.0


def test_inventory_order_is_kept():
    rates = {"p": 3.0, "q": 8.0, "r": 0.5}
    fc = constant_forecast(rates, {"p": 1.0, "q": 2.0, "r": 0.3})
    inv = pd.DataFrame(
        {
            "unique_id": ["q", "r", "p"],
            "on_hand": [10.0, 2.0, 30.0],
            "lead_time": [2, 5, 3],
            "order_cost": [10.0, 10.0, 10.0],
            "holding_cost": [0.1, 0.1, 0.1],
        }
    )
    plan = ReorderPlanner(distribution="normal").plan(fc, inv)
    assert plan["unique_id"].tolist() == ["q", "r", "p"]
    for _, row in plan.iterrows():
        d = rates[row["unique_id"]]
        assert row["lead_time_demand"] == pytest.approx(d * row["lead_time"])
    # The same plan for each item whatever the inventory row order.
    again = ReorderPlanner(distribution="normal").plan(fc, inv.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(
        again.set_index("unique_id").sort_index(), plan.set_index("unique_id").sort_index()
    )


def test_model_column_of_forecast_frame():
    fc = constant_forecast({"SKU-A": 10.0}, {"SKU-A": 3.0}).rename(columns={"mean": "Croston"})
    a = ReorderPlanner(model="Croston").plan(fc, inventory())
    b = ReorderPlanner(distribution="normal").plan(
        fc.rename(columns={"Croston": "mean"}), inventory()
    )
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(MissingColumnError, match="mean"):
        ReorderPlanner(distribution="normal").plan(fc, inventory())


def test_sd_path_uses_root_mean_square():
    # sd varies over the horizon: the per-period sigma is sqrt(mean(sd^2)) over the horizon.
    fc = constant_forecast({"SKU-A": 10.0}, {"SKU-A": 0.0}, periods=28)
    fc = fc.sort_values("ds").reset_index(drop=True)
    fc["sd"] = np.where(np.arange(28) % 2 == 0, 1.0, 3.0)
    row = ReorderPlanner(horizon=28).plan(fc, inventory()).iloc[0]
    sigma = math.sqrt((1.0 + 9.0) / 2)
    assert row["lead_time_demand_sd"] == pytest.approx(sigma * 2.0, rel=1e-12)


# ---------------------------------------------------------- from a forecaster
def test_plan_from_forecaster_equals_plan_from_its_frame():
    y = np.array([8.0, 12.0, 9.0, 11.0, 10.0, 12.0, 8.0, 10.0] * 3)
    hist = pd.DataFrame(
        {"unique_id": "SKU-A", "ds": pd.date_range("2024-01-01", periods=len(y)), "y": y}
    )
    fc = DemandForecaster(["Naive", "HistoricAverage"]).fit(hist)
    plan = ReorderPlanner(distribution="normal", service_level=0.9, horizon=20).plan(
        fc, inventory()
    )
    # Naive: flat at the last value, sigma = RMS of the one-step differences.
    sigma = float(np.sqrt(np.mean(np.diff(y) ** 2)))
    want = by_hand(10.0, sigma, 100.0, 20.0, 4.0, 50.0, 0.5, 50.0, 12.0, 0.9)
    row = plan.iloc[0]
    assert row["safety_stock"] == pytest.approx(want["safety_stock"], rel=1e-12)
    assert row["order_qty"] == want["order_qty"]
    first_day = hist["ds"].max() + pd.Timedelta(days=1)
    assert row["reorder_date"] == first_day + pd.Timedelta(days=want["reorder"])

    frame = fc.predict(20)[["unique_id", "ds", "Naive"]].rename(columns={"Naive": "mean"})
    frame["sd"] = sigma
    again = ReorderPlanner(distribution="normal", service_level=0.9, horizon=20).plan(
        frame, inventory()
    )
    pd.testing.assert_frame_equal(again, plan)

    other = ReorderPlanner(distribution="normal", service_level=0.9, model="HistoricAverage").plan(
        fc, inventory()
    )
    assert other["lead_time_demand"].iloc[0] == pytest.approx(4 * y.mean())
    with pytest.raises(InvalidParameterError, match="CrostonSBA"):
        ReorderPlanner(model="CrostonSBA").plan(fc, inventory())


def test_plan_bundled_subset(retail_split, retail_inventory):
    train, _ = retail_split
    fc = DemandForecaster(["CrostonSBA", "SeasonalNaive"]).fit(train)
    plan = ReorderPlanner(distribution="normal", service_level=0.95).plan(fc, retail_inventory)
    assert list(plan.columns)[: len(PLAN_COLUMNS)] == PLAN_COLUMNS
    assert len(plan) == len(retail_inventory) == train["unique_id"].nunique()
    assert plan["unique_id"].tolist() == retail_inventory["unique_id"].tolist()
    assert not plan[NUMERIC].isna().any().any()
    assert plan["order_qty"].dtype.kind == "i"
    ordered = plan["order_qty"] > 0
    assert ordered.any()
    pack = retail_inventory["pack_size"].to_numpy()
    moq = retail_inventory["moq"].to_numpy()
    assert (plan["order_qty"].to_numpy()[ordered] % pack[ordered] == 0).all()
    assert (plan["order_qty"].to_numpy()[ordered] >= moq[ordered]).all()
    assert (plan["reorder_date"].notna() == ordered).all()
    assert (plan.loc[~ordered, "reason"] != "").all()
    assert (plan.loc[ordered, "reason"] == "").all()
    z = NormalDist().inv_cdf(0.95)
    np.testing.assert_allclose(plan["safety_stock"], z * plan["lead_time_demand_sd"], rtol=1e-12)
    np.testing.assert_allclose(
        plan["reorder_point"], plan["lead_time_demand"] + plan["safety_stock"], rtol=1e-12
    )
    # The forecast starts the day after the training data ends.
    first = train["ds"].max() + pd.Timedelta(days=1)
    assert plan["reorder_date"].min() >= first
    # Same numbers through the DataFrame route.
    sd = fc.residual_std().set_index("unique_id")["CrostonSBA"]
    frame = fc.predict(28)[["unique_id", "ds", "CrostonSBA"]]
    frame = frame.rename(columns={"CrostonSBA": "mean"})
    frame["sd"] = sd.reindex(frame["unique_id"]).to_numpy()
    pd.testing.assert_frame_equal(
        ReorderPlanner(distribution="normal", service_level=0.95).plan(frame, retail_inventory),
        plan,
    )


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("sl", [0.0, 1.0, -0.1, 1.5, float("nan"), "0.9", True, None])
def test_service_level_outside_unit_interval(sl):
    with pytest.raises(InvalidParameterError, match="service_level"):
        ReorderPlanner(distribution="normal", service_level=sl)


@pytest.mark.parametrize("horizon", [0, -3, 2.5, True])
def test_invalid_horizon(horizon):
    with pytest.raises(InvalidParameterError, match="horizon"):
        ReorderPlanner(horizon=horizon)


def two_items(**overrides) -> pd.DataFrame:
    base = {
        "unique_id": ["SKU-A", "SKU-B"],
        "on_hand": [50.0, 10.0],
        "lead_time": [3.0, 2.0],
        "order_cost": [10.0, 10.0],
        "holding_cost": [0.1, 0.1],
    }
    base.update(overrides)
    return pd.DataFrame(base)


TWO_FC = constant_forecast({"SKU-A": 5.0, "SKU-B": 2.0}, {"SKU-A": 2.0, "SKU-B": 1.0})


def test_negative_lead_time_is_invalid_item():
    with pytest.raises(InvalidItemError, match="lead_time") as info:
        ReorderPlanner(distribution="normal").plan(TWO_FC, two_items(lead_time=[3.0, -1.0]))
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "column",
    ["lead_time", "order_cost", "holding_cost", "pack_size", "on_order", "moq"],
)
def test_invalid_value_message_names_item_id_and_column(column):
    inv = two_items(**{column: [1.0, -1.0]})
    with pytest.raises(InvalidItemError) as info:
        ReorderPlanner(distribution="normal").plan(TWO_FC, inv)
    msg = str(info.value)
    assert column in msg
    assert "SKU-B" in msg


def test_infinite_lead_time_is_invalid_item():
    with pytest.raises(InvalidItemError, match="lead_time"):
        ReorderPlanner(distribution="normal").plan(TWO_FC, two_items(lead_time=[3.0, np.inf]))


def test_fractional_pack_size_order_is_not_truncated():
    fc = constant_forecast({"SKU-A": 1.0}, {"SKU-A": 0.5})
    inv = pd.DataFrame(
        {
            "unique_id": ["SKU-A"],
            "on_hand": [0.0],
            "lead_time": [2.0],
            "order_cost": [1.0],
            "holding_cost": [1.0],
            "pack_size": [0.5],
        }
    )
    row = ReorderPlanner(distribution="normal", service_level=0.95).plan(fc, inv).iloc[0]
    assert row["order_now"]
    # Needs rop - position = 2 + z * 0.5 * sqrt(2) = 3.16 units: 7 packs of 0.5.
    assert row["order_qty"] >= row["reorder_point"] - row["inventory_position"]
    assert row["order_qty"] == pytest.approx(3.5)


def test_nan_value_names_item_and_column():
    with pytest.raises(InvalidItemError) as info:
        ReorderPlanner(distribution="normal").plan(TWO_FC, two_items(order_cost=[10.0, np.nan]))
    assert "SKU-B" in str(info.value) and "order_cost" in str(info.value)


def test_item_missing_from_forecast():
    inv = two_items(unique_id=["SKU-A", "SKU-Z"])
    with pytest.raises(InvalidItemError, match="SKU-Z"):
        ReorderPlanner(distribution="normal").plan(TWO_FC, inv)


def test_item_missing_from_forecaster(small_panel):
    fc = DemandForecaster(["Naive"]).fit(small_panel)
    inv = two_items(unique_id=["a", "zz"])
    with pytest.raises(InvalidItemError, match="zz"):
        ReorderPlanner(distribution="normal").plan(fc, inv)


def test_forecast_shorter_than_lead_time():
    with pytest.raises(InvalidItemError, match="periods"):
        ReorderPlanner(horizon=10).plan(TWO_FC, two_items(lead_time=[3.0, 45.0]))


def test_duplicate_item_in_inventory():
    inv = two_items(unique_id=["SKU-B", "SKU-B"])
    with pytest.raises(DuplicateRowError, match="SKU-B"):
        ReorderPlanner(distribution="normal").plan(TWO_FC, inv)


def test_missing_holding_cost_columns():
    inv = two_items().drop(columns="holding_cost")
    with pytest.raises(MissingColumnError, match="holding_cost"):
        ReorderPlanner(distribution="normal").plan(TWO_FC, inv)
    with pytest.raises(MissingColumnError, match="unit_cost"):
        ReorderPlanner(distribution="normal").plan(TWO_FC, inv.assign(holding_rate=0.2))


@pytest.mark.parametrize("column", ["unique_id", "on_hand", "lead_time", "order_cost"])
def test_missing_required_inventory_column(column):
    with pytest.raises(MissingColumnError, match=column):
        ReorderPlanner(distribution="normal").plan(TWO_FC, two_items().drop(columns=column))


def test_missing_forecast_columns():
    with pytest.raises(MissingColumnError, match="sd"):
        ReorderPlanner(distribution="normal").plan(TWO_FC.drop(columns="sd"), two_items())


def test_non_numeric_inventory_column():
    with pytest.raises(ColumnTypeError, match="on_hand"):
        ReorderPlanner(distribution="normal").plan(TWO_FC, two_items(on_hand=["5", "6"]))


def test_bad_forecast_argument():
    with pytest.raises(ColumnTypeError, match="forecast"):
        ReorderPlanner(distribution="normal").plan({"mean": [1.0]}, two_items())


def test_negative_sd_in_forecast():
    fc = TWO_FC.copy()
    fc.loc[fc["unique_id"] == "SKU-B", "sd"] = -1.0
    with pytest.raises(InvalidItemError, match="SKU-B"):
        ReorderPlanner(distribution="normal").plan(fc, two_items())


# ------------------------------------------------------------ pickle, immutability
def test_pickle_round_trip():
    planner = ReorderPlanner(distribution="normal", service_level=0.9, horizon=14, model="mean")
    clone = pickle.loads(pickle.dumps(planner))
    assert repr(clone) == repr(planner)
    assert (clone.service_level, clone.horizon, clone.model) == (0.9, 14, "mean")
    pd.testing.assert_frame_equal(
        clone.plan(TWO_FC, two_items()), planner.plan(TWO_FC, two_items())
    )


def test_inputs_not_mutated(retail_split, retail_inventory):
    inv = retail_inventory.sample(frac=1.0, random_state=2)
    inv_before = copy.deepcopy(inv)
    fc_frame = TWO_FC.copy()
    fc_before = copy.deepcopy(fc_frame)
    ReorderPlanner(distribution="normal").plan(fc_frame, two_items())
    pd.testing.assert_frame_equal(fc_frame, fc_before)

    train, _ = retail_split
    fc = DemandForecaster(["Naive"]).fit(train)
    ReorderPlanner(distribution="normal").plan(fc, inv)
    pd.testing.assert_frame_equal(inv, inv_before)
    assert inv.attrs == inv_before.attrs

    small = two_items(on_order=[1, 2], pack_size=[1, 3])
    small_before = copy.deepcopy(small)
    ReorderPlanner(distribution="normal").plan(TWO_FC, small)
    pd.testing.assert_frame_equal(small, small_before)


def test_repr():
    assert repr(ReorderPlanner(service_level=0.9, horizon=7, model="x")) == (
        "ReorderPlanner(service_level=0.9, horizon=7, model='x')"
    )
