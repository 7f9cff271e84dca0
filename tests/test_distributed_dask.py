"""shelfcast.distributed on Dask: a LocalCluster (2 workers x 1 thread, in-process) gives the
very same frames as the single-process calls, on SKUs of the bundled Online Retail data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster, ReorderPlanner
from shelfcast.exceptions import (
    ColumnTypeError,
    InvalidItemError,
    InvalidParameterError,
    MissingColumnError,
)
from shelfcast.models import (
    CrostonClassic,
    Ridge,
    SeasonalNaive,
    SimpleExponentialSmoothingOptimized,
)

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from shelfcast import distributed as sd  # noqa: E402

N_SKUS = 40
MODELS = [SeasonalNaive(7), CrostonClassic(), SimpleExponentialSmoothingOptimized()]
CV_KEYS = ["unique_id", "cutoff", "ds"]


@pytest.fixture(scope="module")
def client():
    """A light in-process cluster: two workers with one thread each."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def sales(retail_subset: pd.DataFrame) -> pd.DataFrame:
    """The first ``N_SKUS`` SKUs of the bundled subset, rows shuffled so that no partition
    of ``from_pandas`` holds whole series."""
    ids = np.sort(retail_subset["unique_id"].unique())[:N_SKUS]
    df = retail_subset[retail_subset["unique_id"].isin(ids)]
    return df.sample(frac=1.0, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def inventory(retail_inventory: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    ids = sales["unique_id"].unique()
    return retail_inventory[retail_inventory["unique_id"].isin(ids)].reset_index(drop=True)


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def test_importing_shelfcast_imports_no_engine():
    code = (
        "import sys, shelfcast, shelfcast.distributed; "
        "bad = [m for m in ('dask', 'distributed', 'pyspark') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_forecast_equals_single_process(client, sales):
    ddf = dd.from_pandas(sales, npartitions=4)
    out = sd.forecast(ddf, 14, models=MODELS, level=[80, 95], quantiles=[0.5, 0.9])
    assert isinstance(out, dd.DataFrame)
    got = out.compute()
    want = DemandForecaster(MODELS).forecast(sales, 14, level=[80, 95], quantiles=[0.5, 0.9])
    assert list(out.columns) == list(want.columns)
    pd.testing.assert_series_equal(out._meta.dtypes, got.dtypes)
    assert got["unique_id"].nunique() == N_SKUS and len(got) == N_SKUS * 14
    pd.testing.assert_frame_equal(_sorted(got, ["unique_id", "ds"]), want)
    # Real forecasts: non-negative bounds around the point forecast, not constant zeros.
    assert (want["CrostonClassic"] > 0).mean() > 0.5
    assert (want["SeasonalNaive-lo-95"] <= want["SeasonalNaive-lo-80"]).all()


def test_arima_and_mstl_equal_single_process_and_ignore_extra_columns(client, sales):
    """The new model families in partitions: the same frames as one process; an extra
    column is ignored (as documented), so ARIMA fits without regressors there."""
    from shelfcast.models import MSTL, AutoARIMA

    few = sales[sales["unique_id"].isin(np.sort(sales["unique_id"].unique())[:6])]
    models = [AutoARIMA(7), MSTL(7)]
    ddf = dd.from_pandas(few.assign(price=1.0 + few["y"] % 3), npartitions=3)
    got = sd.forecast(ddf, 7, models=models, level=[80]).compute()
    want = DemandForecaster(models).forecast(few, 7, level=[80])
    pd.testing.assert_frame_equal(_sorted(got, ["unique_id", "ds"]), want)


def test_forecast_on_id_index_skips_the_shuffle(client, sales):
    ddf = dd.from_pandas(sales.set_index("unique_id"), npartitions=3, sort=True)
    assert ddf.known_divisions
    out = sd.forecast(ddf, 7, models=MODELS[:2])
    assert "shuffle" not in " ".join(str(k) for k in out.__dask_graph__().keys()).lower()
    want = DemandForecaster(MODELS[:2]).forecast(sales, 7)
    got = out.compute()
    pd.testing.assert_series_equal(out._meta.dtypes, got.dtypes)
    pd.testing.assert_frame_equal(_sorted(got, ["unique_id", "ds"]), want)


def test_integer_ids(client, sales):
    codes = sales["unique_id"].astype("category").cat.codes.astype(np.int64) + 1000
    df = sales.assign(unique_id=codes)
    got = sd.forecast(dd.from_pandas(df, npartitions=3), 5, models=MODELS[:1]).compute()
    want = DemandForecaster(MODELS[:1]).forecast(df, 5)
    assert got["unique_id"].dtype == np.int64
    pd.testing.assert_frame_equal(_sorted(got, ["unique_id", "ds"]), want)


def test_cross_validation_equals_single_process(client, sales):
    ddf = dd.from_pandas(sales, npartitions=4)
    kw = {"conformal": "per_step", "conformal_windows": 3}  # forecaster kwargs pass through
    out = sd.cross_validation(ddf, 7, 3, models=MODELS, level=[90], **kw)
    got = out.compute()
    want = DemandForecaster(MODELS, **kw).cross_validation(sales, 7, 3, level=[90])
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_series_equal(out._meta.dtypes, got.dtypes)
    assert got["cutoff"].nunique() >= 3
    pd.testing.assert_frame_equal(_sorted(got, CV_KEYS), _sorted(want, CV_KEYS))


def test_cross_validation_of_a_partition_of_short_series(sales):
    """Series long enough for the last windows only keep those windows; series no longer
    than h give no rows (rather than the single-process error) in a partition of their own."""
    from shelfcast.distributed._partition import ForecastSpec, run_cross_validation

    ids = np.sort(sales["unique_id"].unique())[:4]
    short = (
        sales[sales["unique_id"].isin(ids)]
        .sort_values(["unique_id", "ds"])
        .groupby("unique_id")
        .head(12)  # 12 days: windows need > 7 + 2 * 7 = 21 (first) ... > 7 (last)
        .reset_index(drop=True)
    )
    spec = ForecastSpec.build(MODELS, "D", {})
    want = DemandForecaster(MODELS).cross_validation(short, 7, 3)
    got = run_cross_validation(short, spec, 7, 3, None, None, want.iloc[:0])
    assert len(got) == 4 * 7 and (got.groupby("unique_id")["cutoff"].nunique() == 1).all()
    pd.testing.assert_frame_equal(got, want)
    tiny = short.groupby("unique_id").head(7)
    assert len(run_cross_validation(tiny, spec, 7, 3, None, None, want.iloc[:0])) == 0
    with pytest.raises(InvalidParameterError, match="no series is longer"):
        DemandForecaster(MODELS).cross_validation(tiny, 7, 3)
    # An empty partition (possible after a shuffle) gives the empty output frame.
    assert run_cross_validation(short.iloc[:0], spec, 7, 3, None, None, want.iloc[:0]).empty


def test_plan_from_forecast_frame_equals_single_process(client, sales, inventory):
    fc = DemandForecaster(MODELS).forecast(sales, 28, level=[90])
    planner = ReorderPlanner(model="SimpleExponentialSmoothingOptimized", service_level=0.9)
    want = planner.plan(fc, inventory)
    fc_dd = dd.from_pandas(fc, npartitions=3)
    inv_dd = dd.from_pandas(inventory, npartitions=2)
    for inv in (inventory, inv_dd):  # pandas and Dask inventories
        out = sd.plan(fc_dd, inv, planner=planner)
        got = out.compute()
        pd.testing.assert_series_equal(out._meta.dtypes, got.dtypes)
        pd.testing.assert_frame_equal(_sorted(got, ["unique_id"]), _sorted(want, ["unique_id"]))
    assert want["reorder_point"].gt(0).any() and want["order_now"].any()


def test_plan_chained_after_distributed_forecast(client, sales, inventory):
    ddf = dd.from_pandas(sales, npartitions=4)
    planner = ReorderPlanner(model="CrostonClassic")
    got = sd.plan(sd.forecast(ddf, 28, models=MODELS, level=[95]), inventory, planner=planner)
    want = planner.plan(DemandForecaster(MODELS).forecast(sales, 28, level=[95]), inventory)
    pd.testing.assert_frame_equal(
        _sorted(got.compute(), ["unique_id"]), _sorted(want, ["unique_id"])
    )


def test_plan_from_sales_equals_single_process(client, sales, inventory):
    planner = ReorderPlanner(model="CrostonClassic", distribution="normal", policy="sS")
    ddf = dd.from_pandas(sales, npartitions=4)
    got = sd.plan(ddf, inventory, planner=planner, models=MODELS).compute()
    want = planner.plan(DemandForecaster(MODELS).fit(sales), inventory)
    pd.testing.assert_frame_equal(_sorted(got, ["unique_id"]), _sorted(want, ["unique_id"]))


def test_plan_uses_the_whole_inventorys_horizon(client, sales, inventory):
    """One item with a long lead time lengthens every item's planning horizon in a single
    process; partitions without that item must plan over the same horizon."""
    inv = inventory.assign(lead_time=7)
    inv.loc[0, "lead_time"] = 21
    fc = DemandForecaster(MODELS).forecast(sales, 28, level=[90])
    planner = ReorderPlanner(horizon=7, model="CrostonClassic")
    want = _sorted(planner.plan(fc, inv), ["unique_id"])
    got = sd.plan(dd.from_pandas(fc, npartitions=4), inv, planner=planner, n_buckets=4)
    pd.testing.assert_frame_equal(_sorted(got.compute(), ["unique_id"]), want)
    # The horizon matters on this data: planning the others alone over 7 periods differs.
    alone = _sorted(planner.plan(fc, inv.iloc[1:]), ["unique_id"])
    rest = want[want["unique_id"].isin(alone["unique_id"])].reset_index(drop=True)
    assert not alone["reorder_date"].equals(rest["reorder_date"])


def test_global_models_are_refused_and_why(client, sales):
    ddf = dd.from_pandas(sales, npartitions=2)
    with pytest.raises(InvalidParameterError, match=r"global .*Ridge.*one\s+different model"):
        sd.forecast(ddf, 7, models=[SeasonalNaive(7), Ridge()])
    with pytest.raises(InvalidParameterError, match="global"):
        sd.cross_validation(ddf, 7, models=["Ridge"])
    # Why: a global model trained on half of the series is a different model.
    ids = np.sort(sales["unique_id"].unique())
    half = sales[sales["unique_id"].isin(ids[: N_SKUS // 2])]
    kw = {"lags": [1, 7], "date_features": ["dayofweek"]}
    whole = DemandForecaster([Ridge()], **kw).forecast(sales, 7)
    part = DemandForecaster([Ridge()], **kw).forecast(half, 7)
    merged = part.merge(whole, on=["unique_id", "ds"], suffixes=("_part", "_all"))
    assert len(merged) == len(part)
    assert not np.allclose(merged["Ridge_part"], merged["Ridge_all"])


def test_errors(client, sales, inventory):
    ddf = dd.from_pandas(sales, npartitions=2)
    with pytest.raises(ColumnTypeError, match="Dask or a Spark DataFrame"):
        sd.forecast(sales, 7, models=MODELS)
    with pytest.raises(MissingColumnError, match="unique_id"):
        sd.forecast(ddf.rename(columns={"unique_id": "sku"}), 7, models=MODELS)
    with pytest.raises(MissingColumnError, match=r"\['y'\]"):
        sd.forecast(ddf.drop(columns="y"), 7, models=MODELS)
    with pytest.raises(InvalidParameterError, match="h must be"):
        sd.forecast(ddf, 0, models=MODELS)
    with pytest.raises(InvalidParameterError, match="n_windows"):
        sd.cross_validation(ddf, 7, 0, models=MODELS)
    with pytest.raises(InvalidParameterError, match="distribution='auto'"):
        sd.plan(ddf, inventory, models=MODELS)
    with pytest.raises(ColumnTypeError, match="ReorderPlanner"):
        sd.plan(ddf, inventory, planner="sQ", models=MODELS)
    # Data errors surface when computed, naming the item, as in a single process.
    fc = dd.from_pandas(DemandForecaster(MODELS).forecast(sales, 14, level=[90]), npartitions=2)
    extra = pd.concat([inventory, inventory.iloc[:1].assign(unique_id="NO-SUCH-SKU")])
    with pytest.raises(InvalidItemError, match="NO-SUCH-SKU"):
        sd.plan(fc, extra, planner=ReorderPlanner(model="CrostonClassic")).compute()
