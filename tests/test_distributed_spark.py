"""shelfcast.distributed on Spark (local[2]): ``groupBy(bucket).applyInPandas`` gives the
very same frames as the single-process calls, on SKUs of the bundled Online Retail data.

Skips when PySpark (``pip install ".[spark]"``) or a Java runtime is absent. CI runs this
file in its own step after installing the ``spark`` extra.
"""

from __future__ import annotations

import os
import shutil
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
    GradientBoosting,
    SeasonalNaive,
    SimpleExponentialSmoothingOptimized,
)

pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime for Spark", allow_module_level=True)

from pyspark.sql import SparkSession
from pyspark.sql import types as T
from shelfcast import distributed as sd

N_SKUS = 40
MODELS = [SeasonalNaive(7), CrostonClassic(), SimpleExponentialSmoothingOptimized()]
CV_KEYS = ["unique_id", "cutoff", "ds"]


@pytest.fixture(scope="module")
def spark():
    """A local Spark session with two cores; its Python workers use this interpreter."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("shelfcast-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sales(retail_subset: pd.DataFrame) -> pd.DataFrame:
    ids = np.sort(retail_subset["unique_id"].unique())[:N_SKUS]
    df = retail_subset[retail_subset["unique_id"].isin(ids)]
    return df.sample(frac=1.0, random_state=1).reset_index(drop=True)


@pytest.fixture(scope="module")
def sdf(spark, sales):
    return spark.createDataFrame(sales)


@pytest.fixture(scope="module")
def inventory(retail_inventory: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    ids = sales["unique_id"].unique()
    return retail_inventory[retail_inventory["unique_id"].isin(ids)].reset_index(drop=True)


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def test_forecast_equals_single_process(sdf, sales):
    out = sd.forecast(sdf, 14, models=MODELS, level=[80, 95], quantiles=[0.1, 0.9], n_buckets=3)
    want = DemandForecaster(MODELS).forecast(sales, 14, level=[80, 95], quantiles=[0.1, 0.9])
    assert out.columns == list(want.columns)
    assert out.schema["ds"].dataType == T.TimestampType()
    assert out.schema["CrostonClassic-hi-95"].dataType == T.DoubleType()
    got = out.toPandas()
    assert got["unique_id"].nunique() == N_SKUS
    pd.testing.assert_frame_equal(_sorted(got, ["unique_id", "ds"]), want)
    assert (want["CrostonClassic"] > 0).mean() > 0.5


def test_cross_validation_equals_single_process(sdf, sales):
    out = sd.cross_validation(sdf, 7, 3, models=MODELS, level=[90])
    want = DemandForecaster(MODELS).cross_validation(sales, 7, 3, level=[90])
    got = out.toPandas()
    assert list(got.columns) == list(want.columns)
    assert got["cutoff"].nunique() >= 3
    pd.testing.assert_frame_equal(_sorted(got, CV_KEYS), _sorted(want, CV_KEYS))


def test_plan_equals_single_process(spark, sdf, sales, inventory):
    planner = ReorderPlanner(model="CrostonClassic", service_level=0.9)
    fc = sd.forecast(sdf, 28, models=MODELS, level=[90])
    want = planner.plan(DemandForecaster(MODELS).forecast(sales, 28, level=[90]), inventory)
    for inv in (inventory, spark.createDataFrame(inventory)):  # pandas and Spark inventories
        out = sd.plan(fc, inv, planner=planner)
        assert out.schema["order_qty"].dataType == T.LongType()
        got = out.toPandas()
        pd.testing.assert_frame_equal(_sorted(got, ["unique_id"]), _sorted(want, ["unique_id"]))
    assert want["order_now"].any() and want["reorder_date"].notna().any()


def test_plan_from_sales_equals_single_process(sdf, sales, inventory):
    planner = ReorderPlanner(model="SeasonalNaive", distribution="discrete", policy="sS")
    got = sd.plan(sdf, inventory, planner=planner, models=MODELS, n_buckets=3).toPandas()
    want = planner.plan(DemandForecaster(MODELS).fit(sales), inventory)
    pd.testing.assert_frame_equal(_sorted(got, ["unique_id"]), _sorted(want, ["unique_id"]))


def test_timestamp_ntz_and_integer_ids(spark, sales):
    df = sales.assign(unique_id=sales["unique_id"].astype("category").cat.codes.astype(np.int64))
    schema = T.StructType(
        [
            T.StructField("unique_id", T.LongType()),
            T.StructField("ds", T.TimestampNTZType()),
            T.StructField("y", T.DoubleType()),
        ]
    )
    out = sd.forecast(spark.createDataFrame(df, schema=schema), 7, models=MODELS[:2])
    assert out.schema["unique_id"].dataType == T.LongType()
    assert out.schema["ds"].dataType == T.TimestampNTZType()
    want = DemandForecaster(MODELS[:2]).forecast(df, 7)
    pd.testing.assert_frame_equal(_sorted(out.toPandas(), ["unique_id", "ds"]), want)


def test_global_models_are_refused(sdf):
    with pytest.raises(InvalidParameterError, match=r"global .*GradientBoosting"):
        sd.forecast(sdf, 7, models=[SeasonalNaive(7), GradientBoosting()])


@pytest.mark.filterwarnings("ignore:toPandas attempted Arrow optimization")
def test_errors(sdf, sales, inventory):
    with pytest.raises(MissingColumnError, match="unique_id"):
        sd.forecast(sdf.withColumnRenamed("unique_id", "sku"), 7, models=MODELS)
    with pytest.raises(ColumnTypeError, match="'ds' must be a timestamp"):
        sd.forecast(sdf.withColumn("ds", sdf["ds"].cast("date")), 7, models=MODELS)
    with pytest.raises(InvalidParameterError, match="n_buckets"):
        sd.forecast(sdf, 7, models=MODELS, n_buckets=0)
    with pytest.raises(ColumnTypeError, match="Dask or a Spark"):
        sd.plan(sales, inventory, models=MODELS)
    extra = pd.concat([inventory, inventory.iloc[:1].assign(unique_id="NO-SUCH-SKU")])
    fc = sd.forecast(sdf, 14, models=MODELS, level=[90])
    with pytest.raises(Exception, match="NO-SUCH-SKU") as info:
        sd.plan(fc, extra, planner=ReorderPlanner(model="CrostonClassic")).toPandas()
    # Spark wraps the worker's exception; the shelfcast error and its message survive.
    assert InvalidItemError.__name__ in str(info.value)
