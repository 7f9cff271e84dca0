"""polars frames in, polars frames out: every public entry point taking frames gives the
same numbers for a polars input as for the equal pandas input, returns polars with sensible
dtypes, names the column at fault for bad input and leaves the caller's frame alone."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pl = pytest.importorskip("polars")
from polars.testing import assert_frame_equal  # noqa: E402
from shelfcast import DemandForecaster, ReorderPlanner, SalesMetrics  # noqa: E402
from shelfcast.exceptions import (  # noqa: E402
    ColumnTypeError,
    InvalidInputError,
    InvalidSeriesError,
    MissingColumnError,
)
from shelfcast.metrics import aggregate_hierarchy, hierarchy_weights, wrmsse, wspl  # noqa: E402
from shelfcast.models import CrostonSBA, LinearRegression, SeasonalNaive  # noqa: E402
from shelfcast.simulation import SimulationResult, simulate_policy  # noqa: E402

# The shared frames carry a price column that the stat models here ignore; the warning
# saying so is tested in test_forecaster_exog.py, these tests are about the frame types.
pytestmark = pytest.mark.filterwarnings("ignore::shelfcast.exceptions.ExogenousWarning")

N_SKUS = 25
H = 14


def to_pl(df: pd.DataFrame, ds: object = None, uid: object = None) -> pl.DataFrame:
    """Build the polars twin of a pandas frame column by column (``ds`` as ``ds``'s dtype)."""
    cols = []
    for c in df.columns:
        s = pl.Series(str(c), df[c].to_numpy(), nan_to_null=False)
        if s.dtype.is_temporal() and ds is not None:
            s = s.cast(ds)
        if c == "unique_id" and uid is not None:
            s = s.cast(uid)
        cols.append(s)
    return pl.DataFrame(cols)


def expected(pd_out: pd.DataFrame, ds: object = pl.Date, uid: object = None) -> pl.DataFrame:
    """The pandas result as polars in the dtypes shelfcast promises for the polars input."""
    out = pd_out
    if not isinstance(out.index, pd.RangeIndex):
        out = out.reset_index()
    cols = []
    for c in out.columns:
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        ser = pl.Series(str(c), s.to_numpy(), nan_to_null=False, strict=False)
        if ser.dtype.is_temporal() and ds is not None:
            ser = ser.cast(ds)
        if c == "unique_id" and uid is not None:
            ser = ser.cast(uid)
        cols.append(ser)
    return pl.DataFrame(cols)


def same(pl_out: object, pd_out: pd.DataFrame, **kw: object) -> None:
    assert isinstance(pl_out, pl.DataFrame), type(pl_out)
    assert_frame_equal(pl_out, expected(pd_out, **kw), check_exact=True)


@pytest.fixture(scope="module")
def sales(retail_subset_with_price) -> pd.DataFrame:
    return retail_subset_with_price


@pytest.fixture(scope="module")
def retail_subset_with_price() -> pd.DataFrame:
    from shelfcast.datasets import load_online_retail

    df = load_online_retail(min_days=400)
    ids = np.sort(df["unique_id"].unique())[:N_SKUS]
    sub = df[df["unique_id"].isin(ids)]
    return sub[sub["ds"] >= "2011-01-01"].reset_index(drop=True)


@pytest.fixture(scope="module")
def sales_pl(sales) -> pl.DataFrame:
    return to_pl(sales, pl.Date)


@pytest.fixture(scope="module")
def inventory(sales) -> pd.DataFrame:
    from shelfcast.datasets import load_online_retail_inventory

    inv = load_online_retail_inventory()
    return inv[inv["unique_id"].isin(sales["unique_id"].unique())].reset_index(drop=True)


def fitted_pair(sales, sales_pl, models=None, **kw):
    models = models or [SeasonalNaive(7), CrostonSBA()]
    fc_pd = DemandForecaster(models, freq="D", **kw).fit(sales[["unique_id", "ds", "y"]])
    fc_pl = DemandForecaster(models, freq="D", **kw).fit(sales_pl.select("unique_id", "ds", "y"))
    return fc_pd, fc_pl


# ---------------------------------------------------------------- forecaster


def test_forecaster_predict_forecast_paths(sales, sales_pl):
    before = sales_pl.clone()
    fc_pd, fc_pl = fitted_pair(sales, sales_pl)
    kw = {"level": [80, 95], "quantiles": [0.1, 0.5, 0.9]}
    out = fc_pl.predict(H, **kw)
    same(out, fc_pd.predict(H, **kw))
    assert out.schema["ds"] == pl.Date and out.schema["unique_id"] == pl.String
    assert "CrostonSBA-lo-95" in out.columns and "SeasonalNaive-q-90" in out.columns
    same(fc_pl.residual_std(), fc_pd.residual_std())
    same(fc_pl.fallbacks_, fc_pd.fallbacks_)
    np.testing.assert_array_equal(fc_pl.sample_paths(H, 50), fc_pd.sample_paths(H, 50))
    one_shot = DemandForecaster([SeasonalNaive(7)]).forecast(sales_pl, H, level=[90])
    same(one_shot, DemandForecaster([SeasonalNaive(7)]).forecast(sales, H, level=[90]))
    assert_frame_equal(sales_pl, before)  # the caller's frame is untouched


def test_forecaster_cross_validation(sales, sales_pl):
    fc = DemandForecaster([SeasonalNaive(7), CrostonSBA()], freq="D")
    out = fc.cross_validation(sales_pl, h=7, n_windows=3, level=[80])
    want = fc.cross_validation(sales, h=7, n_windows=3, level=[80])
    same(out, want)
    assert out.columns[:4] == ["unique_id", "ds", "cutoff", "y"]
    assert out.schema["cutoff"] == pl.Date


def test_forecaster_datetime_and_integer_ids(sales):
    """Datetime(us) dates stay Datetime(us); integer ids stay integers."""
    codes = {u: i for i, u in enumerate(sorted(sales["unique_id"].unique()))}
    num = sales.assign(unique_id=sales["unique_id"].map(codes).astype(np.int32))
    num_pl = to_pl(num, pl.Datetime("us"), pl.Int32)
    fc = DemandForecaster([SeasonalNaive(7)], freq="D")
    out = fc.forecast(num_pl, H)
    assert out.schema["ds"] == pl.Datetime("us") and out.schema["unique_id"] == pl.Int32
    same(out, fc.forecast(num, H), ds=pl.Datetime("us"), uid=pl.Int32)


def test_time_zone_is_kept_as_wall_time(sales):
    """A zoned Datetime is read as wall time (as pandas' tz_localize(None)) and the forecast
    dates come back as wall times in the same zone, across a DST change."""
    sub = sales[sales["unique_id"] == sales["unique_id"].iloc[0]]
    sub = sub[sub["ds"] < "2011-03-25"]  # London clocks go forward on 2011-03-27
    zoned = to_pl(sub).with_columns(
        pl.col("ds").cast(pl.Datetime("us")).dt.replace_time_zone("Europe/London")
    )
    out = DemandForecaster([SeasonalNaive(7)]).forecast(zoned, H)
    assert out.schema["ds"] == pl.Datetime("us", "Europe/London")
    wall = out["ds"].dt.replace_time_zone(None).dt.date().to_list()
    want = pd.date_range("2011-03-25", periods=H, freq="D").date.tolist()
    assert wall == want and all(t.hour == 0 for t in out["ds"].to_list())


def test_unsorted_polars_input(sales, sales_pl):
    """Rows in any order (ids not grouped) give the same result as sorted pandas input."""
    shuffled = sales_pl.sample(fraction=1.0, shuffle=True, seed=0)
    assert not shuffled["unique_id"].is_sorted()
    fc = DemandForecaster([CrostonSBA(), SeasonalNaive(7)], freq="D")
    same(fc.forecast(shuffled, H, level=[80]), fc.forecast(sales, H, level=[80]))
    same(SalesMetrics(shuffled).summary(), SalesMetrics(sales).summary())


def test_forecaster_categorical_ids(sales, sales_pl):
    cat = sales_pl.with_columns(pl.col("unique_id").cast(pl.Categorical))
    fc = DemandForecaster([CrostonSBA()], freq="D")
    out = fc.forecast(cat, H)
    assert out.schema["unique_id"] == pl.String
    same(out, fc.forecast(sales, H))


def test_global_model_with_exogenous_columns(sales, sales_pl):
    train_pd = sales[sales["ds"] < sales["ds"].max() - pd.Timedelta(days=H - 1)]
    future_pd = sales[sales["ds"] > train_pd["ds"].max()][["unique_id", "ds", "price"]]
    train_pl = to_pl(train_pd.reset_index(drop=True), pl.Date)
    future_pl = to_pl(future_pd.reset_index(drop=True), pl.Date)
    kw = {"lags": [1, 7], "date_features": ["dayofweek"]}
    fc_pd = DemandForecaster([LinearRegression()], freq="D", **kw).fit(train_pd)
    fc_pl = DemandForecaster([LinearRegression()], freq="D", **kw).fit(train_pl)
    same(fc_pl.predict(H, X_df=future_pl), fc_pd.predict(H, X_df=future_pd))
    same(fc_pl.feature_matrix(train_pl), fc_pd.feature_matrix(train_pd))
    imp = fc_pl.feature_importances()
    assert imp.columns[0] == "feature"
    same(imp, fc_pd.feature_importances())


# ---------------------------------------------------------------- planner


def test_planner_plan_schedule_simulate(sales, sales_pl, inventory):
    fc_pd, fc_pl = fitted_pair(sales, sales_pl)
    inv_pl = to_pl(inventory)
    inv_before = inv_pl.clone()
    planner = ReorderPlanner(service_level=0.95, horizon=28)
    plan_pd = planner.plan(fc_pd, inventory, start="2011-12-10")
    plan_pl = planner.plan(fc_pl, inv_pl, start="2011-12-10")
    same(plan_pl, plan_pd)
    assert plan_pl.schema["reorder_date"] == pl.Date and plan_pl.schema["order_now"] == pl.Boolean
    # a polars forecast frame works as well as a forecaster
    frame_pd = fc_pd.predict(40, level=[90])
    frame_pl = fc_pl.predict(40, level=[90])
    model = {"model": "SeasonalNaive"}
    same(
        ReorderPlanner(**model).plan(frame_pl, inv_pl),
        ReorderPlanner(**model).plan(frame_pd, inventory),
    )
    same(planner.schedule(fc_pl, inv_pl), planner.schedule(fc_pd, inventory))
    actual_pd = sales[sales["ds"] >= "2011-11-01"].reset_index(drop=True)
    actual_pl = to_pl(actual_pd, pl.Date)
    res_pl = planner.simulate(actual_pl, inv_pl, plan_pl, trace=True)
    res_pd = planner.simulate(actual_pd, inventory, plan_pd, trace=True)
    assert isinstance(res_pl, SimulationResult)
    same(res_pl.summary, res_pd.summary)
    same(res_pl.trace, res_pd.trace)
    same(
        simulate_policy(actual_pl, inv_pl, plan_pl), simulate_policy(actual_pd, inventory, plan_pd)
    )
    assert_frame_equal(inv_pl, inv_before)


# ---------------------------------------------------------------- metrics


def test_sales_metrics_analytics(sales, sales_pl, inventory):
    before = sales_pl.clone()
    m_pd = SalesMetrics(sales, price_col="price")
    m_pl = SalesMetrics(sales_pl, price_col="price")
    same(m_pl.summary(), m_pd.summary())
    same(m_pl.abc_xyz(), m_pd.abc_xyz())
    same(m_pl.demand_classes(), m_pd.demand_classes())
    same(m_pl.anomalies(), m_pd.anomalies())
    el_pd, el_pl = m_pd.price_elasticity(), m_pl.price_elasticity()
    same(el_pl, el_pd)
    same(m_pl.optimal_price(2.0, elasticity=el_pl), m_pd.optimal_price(2.0, elasticity=el_pd))
    assert_frame_equal(sales_pl, before)


def test_inventory_analytics(sales, sales_pl):
    last = sales["ds"].max()
    hist = sales[sales["ds"] > last - pd.Timedelta(days=60)][["unique_id", "ds", "y"]]
    stock = hist.assign(on_hand=(hist.groupby("unique_id").cumcount() % 9).astype(float))
    stock = stock.drop(columns="y").reset_index(drop=True)
    m_pd = SalesMetrics(sales)
    m_pl = SalesMetrics(sales_pl)
    stock_pl = to_pl(stock, pl.Date)
    same(m_pl.inventory_kpis(stock_pl, unit_cost=1.0), m_pd.inventory_kpis(stock, unit_cost=1.0))
    snap = stock[stock["ds"] == last].reset_index(drop=True)
    same(m_pl.phantom_stock(to_pl(snap, pl.Date)), m_pd.phantom_stock(snap))
    book = pd.DataFrame({"unique_id": list("abc"), "book": [10.0, 5, 8], "unit_cost": [1.0, 2, 3]})
    counted = pd.DataFrame({"unique_id": list("abc"), "counted": [9.0, 5, 2]})
    same(
        SalesMetrics.shrinkage(to_pl(book), to_pl(counted)),
        SalesMetrics.shrinkage(book, counted),
    )
    po = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05"]),
            "receipt_date": pd.to_datetime(["2024-01-08", "2024-02-11", "2024-01-19"]),
        }
    )
    same(SalesMetrics.lead_time_stats(to_pl(po, pl.Date)), SalesMetrics.lead_time_stats(po))
    tx = pd.DataFrame(
        {
            "Invoice": ["1", "1", "2", "C3", "4", "C5"],
            "StockCode": ["a", "b", "a", "a", "c", "b"],
            "Quantity": [10, 5, 10, -4, 20, -5],
            "Price": [1.0, 2.0, 1.0, 1.0, 0.5, 2.0],
            "Customer ID": [1.0, 1.0, 2.0, 2.0, np.nan, 1.0],
        }
    )
    res_pl = SalesMetrics.returns_analysis(to_pl(tx), min_units=1)
    res_pd = SalesMetrics.returns_analysis(tx, min_units=1)
    same(res_pl.items, res_pd.items)
    same(res_pl.customers, res_pd.customers)


@pytest.mark.filterwarnings("ignore::shelfcast.exceptions.UndefinedMetricWarning")
def test_evaluate_and_hierarchy(sales, sales_pl):
    fc = DemandForecaster([SeasonalNaive(7), CrostonSBA()], freq="D")
    cv_pd = fc.cross_validation(sales[["unique_id", "ds", "y"]], h=7, n_windows=2, level=[80])
    cv_pl = fc.cross_validation(sales_pl.select("unique_id", "ds", "y"), 7, 2, level=[80])
    metrics = ["mae", "rmse", "mase", "coverage", "winkler", "spl"]
    for kw in ({}, {"aggregate": True}, {"long": True}):
        got = SalesMetrics.evaluate(cv_pl, metrics, train_df=sales_pl, **kw)
        same(got, SalesMetrics.evaluate(cv_pd, metrics, train_df=sales, **kw))
    ids = np.sort(sales["unique_id"].unique())
    hier = pd.DataFrame({"unique_id": ids, "group": [f"g{i % 3}" for i in range(len(ids))]})
    hier_pl = to_pl(hier)
    same(
        aggregate_hierarchy(sales_pl.select("unique_id", "ds", "y"), hier_pl),
        aggregate_hierarchy(sales[["unique_id", "ds", "y"]], hier),
    )
    same(hierarchy_weights(sales_pl, hier_pl), hierarchy_weights(sales, hier))
    train = sales[sales["ds"] <= sales["ds"].max() - pd.Timedelta(days=H)].reset_index(drop=True)
    test = sales[sales["ds"] > train["ds"].max()][["unique_id", "ds", "y"]]
    pred = DemandForecaster([SeasonalNaive(7)]).forecast(train[["unique_id", "ds", "y"]], H)
    scored = pred.merge(test, on=["unique_id", "ds"])
    same(
        wrmsse(to_pl(scored, pl.Date), to_pl(train, pl.Date), hier_pl),
        wrmsse(scored, train, hier),
    )
    nodes = aggregate_hierarchy(test, hier).drop(columns="level")
    nodes["M-q-50"] = nodes["y"] * 0.8
    same(
        wspl(to_pl(nodes, pl.Date), to_pl(train, pl.Date), hier_pl),
        wspl(nodes, train, hier),
    )


# ---------------------------------------------------------------- bad input


@pytest.fixture
def small_pl(small_panel) -> pl.DataFrame:
    return to_pl(small_panel, pl.Date)


def test_errors_name_the_column(small_pl):
    fc = DemandForecaster([SeasonalNaive(7)])
    with pytest.raises(MissingColumnError, match="'y'"):
        fc.fit(small_pl.drop("y"))
    with pytest.raises(ColumnTypeError, match=r"'ds'.*Date or Datetime"):
        fc.fit(small_pl.with_columns(pl.col("ds").cast(pl.String)))
    with pytest.raises(ColumnTypeError, match="'y' must be numeric"):
        fc.fit(small_pl.with_columns(pl.col("y").cast(pl.String)))
    with pytest.raises(InvalidSeriesError, match="'y' is nan for series 'a'"):
        fc.fit(
            small_pl.with_columns(
                pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col("y")).alias("y")
            )
        )
    with pytest.raises(InvalidInputError, match="'unique_id' has a missing id at row 3"):
        fc.fit(
            small_pl.with_columns(
                pl.when(pl.int_range(pl.len()) == 3)
                .then(None)
                .otherwise(pl.col("unique_id"))
                .alias("unique_id")
            )
        )
    with pytest.raises(InvalidInputError, match="'ds' has a missing date at row 1"):
        fc.fit(
            small_pl.with_columns(
                pl.when(pl.int_range(pl.len()) == 1).then(None).otherwise(pl.col("ds")).alias("ds")
            )
        )
    with pytest.raises(ColumnTypeError, match="LazyFrame"):
        SalesMetrics.evaluate(small_pl.lazy().with_columns(m=pl.col("y")))
    inv = pl.DataFrame({"unique_id": ["a"], "on_hand": [1.0], "lead_time": [2.0]})
    with pytest.raises(MissingColumnError, match="order_cost"):
        ReorderPlanner().plan(fc.fit(small_pl), inv)


def test_import_does_not_import_polars():
    code = "import shelfcast, shelfcast.planner, sys; print('polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
