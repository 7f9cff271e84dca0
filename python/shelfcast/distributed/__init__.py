"""Scale out on an existing engine: run shelfcast over a Dask or a Spark DataFrame.

Each function takes a *distributed* frame of many series, groups whole series together (a
series is never split between two tasks), runs the native single-process call on each group
as a pandas frame, and returns a distributed frame with the same columns and dtypes as the
single-process call. The engine is chosen by the input's type:

* **Dask** (``pip install "shelfcast[dask]"``): a ``dask.dataframe.DataFrame`` in, a lazy
  Dask DataFrame with a proper ``meta`` out. The frame is shuffled by ``unique_id`` unless
  ``unique_id`` is already its index with known divisions (``set_index("unique_id")``) or
  ``partitioned_by_id=True`` says every series already sits in one partition.
* **Spark** (``pip install "shelfcast[spark]"``): a ``pyspark.sql.DataFrame`` in, a Spark
  DataFrame out, with an explicit schema derived from the forecaster's output columns. The
  rows are grouped into ``n_buckets`` buckets by a hash of ``unique_id``;
  ``groupBy(bucket).applyInPandas`` then runs one native call per bucket, many series at a
  time (not one Python call per series).

Importing :mod:`shelfcast` or this module imports neither Dask nor PySpark.

Spark dates: ``ds`` may be ``TimestampType`` or ``TimestampNTZType``; the output date
columns take the same type. A ``TimestampType`` is an instant shown in the session time
zone: create it from pandas with Arrow enabled
(``spark.sql.execution.arrow.pyspark.enabled``), or use ``TimestampNTZType`` / a UTC
session, or local midnights may shift across daylight-saving changes and the series then
fail the regularity check (with an error naming the series and dates).

**Identical results.** Per-series statistical models are fitted on each series alone,
so a distributed run gives exactly the single-process numbers (same rows, sorted
differently: sort by ``unique_id``, ``ds`` — and ``cutoff`` for cross-validation — to
compare). Two exceptions are refused with an error rather than silently differing:

* **Global (machine-learning) models** (``LinearRegression``, ``Ridge``,
  ``GradientBoosting``, ...) are trained once across all series. Training one per partition
  gives as many different models as partitions, and forecasts that change with the
  partitioning, so every function here raises ``InvalidParameterError`` for them. Train a
  global model in a single process (:class:`shelfcast.DemandForecaster`): its training set
  is the feature matrix, usually far smaller than the raw transactions a cluster aggregates.
* **Planning from sales with** ``distribution="auto"``: the sample paths it uses are drawn
  from one random stream over all the series of a call. Plan from a forecast frame with
  intervals (``forecast(..., level=[95])``) or choose ``"normal"`` / ``"discrete"``.

One deliberate difference: :func:`cross_validation` returns no rows for series too short for
every window; the single-process call raises only when *no* series is long enough, which a
distributed call cannot know without an extra pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..exceptions import ColumnTypeError
from ..models import Model
from ..planner import ReorderPlanner

__all__ = ["cross_validation", "forecast", "plan"]


def _engine(frame: object, what: str) -> str:
    """'dask' or 'spark' from the frame's type, without importing either library."""
    for cls in type(frame).__mro__:
        module = cls.__module__ or ""
        if module.startswith(("dask.", "dask_expr")) and cls.__name__ == "DataFrame":
            return "dask"
        if module.startswith("pyspark.sql") and cls.__name__ == "DataFrame":
            return "spark"
    raise ColumnTypeError(
        f"{what} must be a Dask or a Spark DataFrame, got {type(frame).__name__} "
        "(for a pandas DataFrame use DemandForecaster / ReorderPlanner directly)"
    )


def forecast(
    df: Any,
    h: int,
    *,
    models: Sequence[Model | str],
    freq: Any = "D",
    level: Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
    partitioned_by_id: bool | None = None,
    n_buckets: int | None = None,
    **forecaster_kwargs: Any,
) -> Any:
    """``DemandForecaster(models, freq=freq, **forecaster_kwargs).forecast(df, h, ...)``
    over a Dask or Spark DataFrame, one native call per group of whole series.

    Args:
        df: Dask or Spark DataFrame, long format ``unique_id, ds, y`` (every series
            regular at ``freq``; extra columns are ignored, so models that use regressors
            fit without them).
        h: horizon in periods.
        models: per-series statistical models or model names (global models are refused).
        freq: pandas frequency of the series.
        level: interval levels in (0, 100), as for
            :meth:`~shelfcast.DemandForecaster.predict`.
        quantiles: quantile levels in (0, 1).
        partitioned_by_id: Dask only: True if every series already sits in one partition
            (skips the shuffle), False to always shuffle, None to decide from the index.
        n_buckets: Spark only: groups of series, one native call each (default: the
            session's default parallelism).
        **forecaster_kwargs: other :class:`~shelfcast.DemandForecaster` arguments
            (``season_length``, ``conformal_windows``, ...).

    Returns:
        A lazy Dask DataFrame or a Spark DataFrame ``unique_id, ds, <model>...,
        [<model>-lo-<level>, <model>-hi-<level>], [<model>-q-<p>]``, ``h`` rows per series,
        the same columns and dtypes as the single-process call.

    Raises:
        ColumnTypeError: ``df`` is neither a Dask nor a Spark DataFrame.
        MissingColumnError: ``unique_id`` is absent (other bad input raises the
            single-process errors when the result is computed).
        InvalidParameterError: a global model, or an invalid ``h``, level, quantile or
            forecaster argument.
        UnknownModelError: a model name is unknown.
    """
    if _engine(df, "df") == "dask":
        from . import _dask

        return _dask.forecast(
            df,
            h,
            models=models,
            freq=freq,
            level=level,
            quantiles=quantiles,
            partitioned_by_id=partitioned_by_id,
            **forecaster_kwargs,
        )
    from . import _spark

    return _spark.forecast(
        df,
        h,
        models=models,
        freq=freq,
        level=level,
        quantiles=quantiles,
        n_buckets=n_buckets,
        **forecaster_kwargs,
    )


def cross_validation(
    df: Any,
    h: int,
    n_windows: int = 1,
    *,
    models: Sequence[Model | str],
    freq: Any = "D",
    step_size: int | None = None,
    level: Sequence[float] | None = None,
    partitioned_by_id: bool | None = None,
    n_buckets: int | None = None,
    **forecaster_kwargs: Any,
) -> Any:
    """``DemandForecaster(...).cross_validation(df, h, n_windows, ...)`` over a Dask or Spark
    DataFrame, one native call per group of whole series.

    Args:
        df: Dask or Spark DataFrame ``unique_id, ds, y``.
        h: horizon of each window.
        n_windows: number of rolling-origin windows.
        models: per-series statistical models or names (global models are refused).
        freq: pandas frequency.
        step_size: periods between cutoffs (default ``h``).
        level: interval levels, computed within each window.
        partitioned_by_id, n_buckets: as for :func:`forecast`.
        **forecaster_kwargs: other :class:`~shelfcast.DemandForecaster` arguments.

    Returns:
        A Dask or Spark DataFrame ``unique_id, ds, cutoff, y, <model>..., [intervals]`` with
        the single-process columns and dtypes; series too short for every window have no
        rows.

    Raises:
        ColumnTypeError, MissingColumnError, InvalidParameterError, UnknownModelError: as
            for :func:`forecast` (also for an invalid ``n_windows`` or ``step_size``).
    """
    if _engine(df, "df") == "dask":
        from . import _dask

        return _dask.cross_validation(
            df,
            h,
            n_windows,
            models=models,
            freq=freq,
            step_size=step_size,
            level=level,
            partitioned_by_id=partitioned_by_id,
            **forecaster_kwargs,
        )
    from . import _spark

    return _spark.cross_validation(
        df,
        h,
        n_windows,
        models=models,
        freq=freq,
        step_size=step_size,
        level=level,
        n_buckets=n_buckets,
        **forecaster_kwargs,
    )


def plan(
    forecast_or_sales: Any,
    inventory: Any,
    *,
    planner: ReorderPlanner | None = None,
    models: Sequence[Model | str] | None = None,
    freq: Any = "D",
    n_buckets: int | None = None,
    **forecaster_kwargs: Any,
) -> Any:
    """``planner.plan(forecast, inventory)`` over a Dask or Spark DataFrame, one native call
    per group of items.

    The forecast rows and inventory rows of an item land in the same group (both are
    bucketed by a hash of ``unique_id``). Every group plans over the horizon the
    single-process planner would use for the whole inventory (``planner.horizon`` raised to
    the longest lead time, found with one small pass over ``inventory``).

    Args:
        forecast_or_sales: a forecast frame (e.g. the output of :func:`forecast` with
            ``level``; any frame :meth:`~shelfcast.ReorderPlanner.plan` accepts), or, with
            ``models``, sales ``unique_id, ds, y`` on which each group fits a forecaster
            first.
        inventory: pandas, Dask or Spark DataFrame, one row per item (the columns of
            :meth:`~shelfcast.ReorderPlanner.plan`). A pandas frame is distributed with the
            forecast's engine.
        planner: the planner (default ``ReorderPlanner()``).
        models: fit these models on ``forecast_or_sales`` (sales) per group, then plan from
            the fitted forecaster; needs ``planner.distribution`` other than "auto".
        freq: pandas frequency of the sales (with ``models``).
        n_buckets: the number of groups (Dask: default the forecast's partitions; Spark:
            the default parallelism).
        **forecaster_kwargs: other :class:`~shelfcast.DemandForecaster` arguments.

    Returns:
        A Dask or Spark DataFrame with the columns and dtypes of
        :meth:`~shelfcast.ReorderPlanner.plan`, one row per inventory item. ``order_qty``
        is int64 when ``pack_size`` is an integer column (or absent), else float64.

    Raises:
        ColumnTypeError: a frame of an unsupported type, or ``planner`` is not a
            ReorderPlanner.
        MissingColumnError: ``unique_id`` or ``lead_time`` is absent.
        InvalidParameterError: a global model; ``models`` with ``distribution="auto"``.
        InvalidItemError: (when computed) an item has no forecast or an invalid value.
    """
    if _engine(forecast_or_sales, "forecast_or_sales") == "dask":
        from . import _dask

        return _dask.plan(
            forecast_or_sales,
            inventory,
            planner=planner,
            models=models,
            freq=freq,
            npartitions=n_buckets,
            **forecaster_kwargs,
        )
    from . import _spark

    return _spark.plan(
        forecast_or_sales,
        inventory,
        planner=planner,
        models=models,
        freq=freq,
        n_buckets=n_buckets,
        **forecaster_kwargs,
    )
