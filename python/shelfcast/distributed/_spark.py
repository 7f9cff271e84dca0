"""The Spark engine: rows bucketed by a hash of ``unique_id``, then
``groupBy(bucket).applyInPandas`` runs one native shelfcast call per bucket (many series per
Python call), with an explicit output schema derived from the single-process output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ..exceptions import ColumnTypeError, InvalidParameterError, MissingColumnError
from ..models import Model
from ..planner import ReorderPlanner
from . import _partition as part
from ._partition import ID, ForecastSpec, PlanSpec

__all__ = ["cross_validation", "forecast", "plan", "spark_schema"]

_BUCKET = "_shelfcast_bucket"
_INTEGER_TYPES = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)


def _check_frame(sdf: object, what: str, columns: Sequence[str] = (ID,)) -> DataFrame:
    if not isinstance(sdf, DataFrame):
        raise ColumnTypeError(f"{what} must be a Spark DataFrame, got {type(sdf).__name__}")
    missing = [c for c in columns if c not in sdf.columns]
    if missing:
        raise MissingColumnError(f"{what} is missing column(s) {missing}; it has {sdf.columns}")
    return sdf


def _check_sales(sdf: object) -> DataFrame:
    sdf = _check_frame(sdf, "df", (ID, "ds", "y"))
    ds = sdf.schema["ds"].dataType
    if not isinstance(ds, (T.TimestampType, T.TimestampNTZType)):
        raise ColumnTypeError(
            f"df column 'ds' must be a timestamp, got {ds.simpleString()} "
            "(convert it with pyspark.sql.functions.to_timestamp)"
        )
    return sdf


def _field_type(sdf: DataFrame, name: str, default: T.DataType) -> T.DataType:
    return sdf.schema[name].dataType if name in sdf.columns else default


def _pandas_id_dtype(spark_type: T.DataType) -> Any:
    """The pandas dtype of ids of this Spark type inside ``applyInPandas``."""
    return np.int64 if isinstance(spark_type, _INTEGER_TYPES) else None


def spark_schema(meta: pd.DataFrame, id_type: T.DataType, time_type: T.DataType) -> T.StructType:
    """The Spark schema of a shelfcast output frame.

    Args:
        meta: the empty single-process output (columns and dtypes).
        id_type: Spark type of ``unique_id`` (the input's).
        time_type: Spark type of the date columns (the input's ``ds``: ``TimestampType``
            or ``TimestampNTZType``).

    Returns:
        One nullable field per column: float64 -> double, int64 -> long, bool -> boolean,
        datetime64 -> ``time_type``, strings -> string.

    Raises:
        ColumnTypeError: a column has a dtype with no Spark counterpart here.
    """
    fields = []
    for name, dtype in meta.dtypes.items():
        if name == ID:
            t: T.DataType = id_type
        elif pd.api.types.is_bool_dtype(dtype):
            t = T.BooleanType()
        elif pd.api.types.is_integer_dtype(dtype):
            t = T.LongType()
        elif pd.api.types.is_float_dtype(dtype):
            t = T.DoubleType()
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            t = time_type
        elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            t = T.StringType()
        else:
            raise ColumnTypeError(f"output column {name!r} has dtype {dtype} with no Spark type")
        fields.append(T.StructField(str(name), t, True))
    return T.StructType(fields)


def _default_buckets(sdf: DataFrame, n_buckets: int | None) -> int:
    if n_buckets is not None:
        if isinstance(n_buckets, bool) or not isinstance(n_buckets, int) or n_buckets < 1:
            raise InvalidParameterError(f"n_buckets must be a positive integer, got {n_buckets!r}")
        return n_buckets
    spark: SparkSession = sdf.sparkSession
    try:
        return max(int(spark.sparkContext.defaultParallelism), 1)
    except Exception:  # Spark Connect has no SparkContext
        return max(int(spark.conf.get("spark.sql.shuffle.partitions") or 200), 1)


def _bucketed(sdf: DataFrame, n: int) -> DataFrame:
    key = F.xxhash64(F.col(ID).cast("string"))
    return sdf.withColumn(_BUCKET, F.pmod(key, F.lit(n)))


def _conform(out: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """The output columns in schema order (the schema is matched by name and position)."""
    return out[list(meta.columns)]


def _per_bucket(
    run: Callable[..., pd.DataFrame], meta: pd.DataFrame, *args: Any
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def apply(pdf: pd.DataFrame) -> pd.DataFrame:
        return _conform(run(pdf.drop(columns=_BUCKET), *args, meta), meta)

    return apply


def forecast(
    sdf: DataFrame,
    h: int,
    *,
    models: Sequence[Model | str],
    freq: Any = "D",
    level: Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
    n_buckets: int | None = None,
    **forecaster_kwargs: Any,
) -> DataFrame:
    """See :func:`shelfcast.distributed.forecast`."""
    sdf = _check_sales(sdf)
    spec = ForecastSpec.build(models, freq, forecaster_kwargs)
    h, lv, qs = part.check_forecast_args(h, level, quantiles)
    id_type = sdf.schema[ID].dataType
    meta = part.forecast_meta(spec, h, lv, qs, _pandas_id_dtype(id_type))
    schema = spark_schema(meta, id_type, _field_type(sdf, "ds", T.TimestampType()))
    fn = _per_bucket(part.run_forecast, meta, spec, h, lv, qs)
    n = _default_buckets(sdf, n_buckets)
    return _bucketed(sdf, n).groupBy(_BUCKET).applyInPandas(fn, schema=schema)


def cross_validation(
    sdf: DataFrame,
    h: int,
    n_windows: int = 1,
    *,
    models: Sequence[Model | str],
    freq: Any = "D",
    step_size: int | None = None,
    level: Sequence[float] | None = None,
    n_buckets: int | None = None,
    **forecaster_kwargs: Any,
) -> DataFrame:
    """See :func:`shelfcast.distributed.cross_validation`."""
    sdf = _check_sales(sdf)
    spec = ForecastSpec.build(models, freq, forecaster_kwargs)
    n_windows, step_size = part.check_cv_args(n_windows, step_size)
    h, lv, _ = part.check_forecast_args(h, level)
    id_type = sdf.schema[ID].dataType
    meta = part.cv_meta(spec, h, n_windows, step_size, lv, _pandas_id_dtype(id_type))
    schema = spark_schema(meta, id_type, _field_type(sdf, "ds", T.TimestampType()))
    fn = _per_bucket(part.run_cross_validation, meta, spec, h, n_windows, step_size, lv)
    n = _default_buckets(sdf, n_buckets)
    return _bucketed(sdf, n).groupBy(_BUCKET).applyInPandas(fn, schema=schema)


def plan(
    sdf: DataFrame,
    inventory: pd.DataFrame | DataFrame,
    *,
    planner: ReorderPlanner | None = None,
    models: Sequence[Model | str] | None = None,
    freq: Any = "D",
    n_buckets: int | None = None,
    **forecaster_kwargs: Any,
) -> DataFrame:
    """See :func:`shelfcast.distributed.plan`."""
    sdf = _check_frame(sdf, "forecast")
    if isinstance(inventory, pd.DataFrame):
        if ID not in inventory.columns:
            raise MissingColumnError(
                f"inventory is missing column {ID!r}; it has {list(inventory.columns)}"
            )
        inventory = sdf.sparkSession.createDataFrame(inventory)
    inventory = _check_frame(inventory, "inventory", (ID, "lead_time"))
    spec = ForecastSpec.build(models, freq, forecaster_kwargs) if models is not None else None
    plan_spec = PlanSpec.of(planner)
    part.check_plan_from_sales(spec, plan_spec)
    if models is not None:
        _check_sales(sdf)
    max_lead = inventory.agg(F.max(F.col("lead_time").cast("double"))).collect()[0][0]
    plan_spec = part.needed_horizon(plan_spec, np.nan if max_lead is None else float(max_lead))
    pack = _field_type(inventory, "pack_size", T.LongType())
    id_type = inventory.schema[ID].dataType
    meta = part.plan_meta(plan_spec, isinstance(pack, _INTEGER_TYPES), _pandas_id_dtype(id_type))
    schema = spark_schema(meta, id_type, _field_type(sdf, "ds", T.TimestampType()))

    def apply(fc: pd.DataFrame, inv: pd.DataFrame) -> pd.DataFrame:
        out = part.run_plan(
            fc.drop(columns=_BUCKET), inv.drop(columns=_BUCKET), plan_spec, spec, meta
        )
        return _conform(out, meta)

    n = _default_buckets(sdf, n_buckets)
    left = _bucketed(sdf, n).groupBy(_BUCKET)
    right = _bucketed(inventory, n).groupBy(_BUCKET)
    return left.cogroup(right).applyInPandas(apply, schema=schema)
