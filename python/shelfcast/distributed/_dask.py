"""The Dask engine: one native shelfcast call per partition of a Dask DataFrame whose
partitions hold whole series (shuffled by ``unique_id`` first unless they already do)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd

from ..exceptions import ColumnTypeError, MissingColumnError
from ..models import Model
from ..planner import ReorderPlanner
from . import _partition as part
from ._partition import ID, ForecastSpec, PlanSpec

__all__ = ["cross_validation", "forecast", "plan"]

_BUCKET = "_shelfcast_bucket"


def _check_frame(ddf: object, what: str, columns: Sequence[str] = ()) -> dd.DataFrame:
    if not isinstance(ddf, dd.DataFrame):
        raise ColumnTypeError(f"{what} must be a Dask DataFrame, got {type(ddf).__name__}")
    missing = [c for c in columns if c not in ddf.columns]
    if ID not in ddf.columns and ddf.index.name != ID:
        missing.insert(0, ID)
    if missing:
        raise MissingColumnError(
            f"{what} is missing column(s) {missing} ({ID!r} may be the index); "
            f"it has {list(ddf.columns)}"
        )
    return ddf


def _id_dtype(ddf: dd.DataFrame) -> Any:
    return ddf.index.dtype if ID not in ddf.columns else ddf.dtypes[ID]


def by_series(ddf: dd.DataFrame, partitioned_by_id: bool | None) -> dd.DataFrame:
    """``ddf`` with every series inside one partition.

    Args:
        ddf: a Dask DataFrame with ``unique_id`` as a column or as the index.
        partitioned_by_id: True: trust that each series already sits in one partition;
            False: shuffle by ``unique_id``; None: shuffle unless ``unique_id`` is the index
            with known divisions (``set_index("unique_id")`` keeps equal ids together).

    Returns:
        The frame, shuffled by ``unique_id`` if needed (same number of partitions).
    """
    indexed = ID not in ddf.columns
    if partitioned_by_id or (partitioned_by_id is None and indexed and ddf.known_divisions):
        return ddf
    if indexed:
        ddf = ddf.reset_index()
    return ddf.shuffle(on=ID, npartitions=ddf.npartitions)


def forecast(
    ddf: dd.DataFrame,
    h: int,
    *,
    models: Sequence[Model | str],
    freq: Any = "D",
    level: Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
    partitioned_by_id: bool | None = None,
    **forecaster_kwargs: Any,
) -> dd.DataFrame:
    """See :func:`shelfcast.distributed.forecast`."""
    ddf = _check_frame(ddf, "ddf", ("ds", "y"))
    spec = ForecastSpec.build(models, freq, forecaster_kwargs)
    h, lv, qs = part.check_forecast_args(h, level, quantiles)
    meta = part.forecast_meta(spec, h, lv, qs, _id_dtype(ddf))
    return by_series(ddf, partitioned_by_id).map_partitions(
        part.run_forecast, spec, h, lv, qs, meta, meta=meta, align_dataframes=False
    )


def cross_validation(
    ddf: dd.DataFrame,
    h: int,
    n_windows: int = 1,
    *,
    models: Sequence[Model | str],
    freq: Any = "D",
    step_size: int | None = None,
    level: Sequence[float] | None = None,
    partitioned_by_id: bool | None = None,
    **forecaster_kwargs: Any,
) -> dd.DataFrame:
    """See :func:`shelfcast.distributed.cross_validation`."""
    ddf = _check_frame(ddf, "ddf", ("ds", "y"))
    spec = ForecastSpec.build(models, freq, forecaster_kwargs)
    n_windows, step_size = part.check_cv_args(n_windows, step_size)
    h, lv, _ = part.check_forecast_args(h, level)
    meta = part.cv_meta(spec, h, n_windows, step_size, lv, _id_dtype(ddf))
    return by_series(ddf, partitioned_by_id).map_partitions(
        part.run_cross_validation,
        spec,
        h,
        n_windows,
        step_size,
        lv,
        meta,
        meta=meta,
        align_dataframes=False,
    )


def _with_bucket(ddf: dd.DataFrame, n: int) -> dd.DataFrame:
    """Add a bucket number (a hash of the id's text modulo ``n``) and shuffle on it, so two
    frames shuffled this way hold the same ids in the same partition whatever their id
    dtypes (object or Arrow strings)."""
    if ID not in ddf.columns:
        ddf = ddf.reset_index()

    def bucket(pdf: pd.DataFrame) -> pd.DataFrame:
        text = pdf[ID].astype(str).to_numpy(dtype=object)
        codes = pd.util.hash_array(text, categorize=False) % np.uint64(n)
        return pdf.assign(**{_BUCKET: codes.astype(np.int64)})

    meta = ddf._meta.assign(**{_BUCKET: np.array([], dtype=np.int64)})
    return ddf.map_partitions(bucket, meta=meta).shuffle(on=_BUCKET, npartitions=n)


def _plan_partition(
    forecast: pd.DataFrame,
    inventory: pd.DataFrame,
    plan: PlanSpec,
    spec: ForecastSpec | None,
    meta: pd.DataFrame,
) -> pd.DataFrame:
    return part.run_plan(
        forecast.drop(columns=_BUCKET), inventory.drop(columns=_BUCKET), plan, spec, meta
    )


def plan(
    forecast: dd.DataFrame,
    inventory: pd.DataFrame | dd.DataFrame,
    *,
    planner: ReorderPlanner | None = None,
    models: Sequence[Model | str] | None = None,
    freq: Any = "D",
    npartitions: int | None = None,
    **forecaster_kwargs: Any,
) -> dd.DataFrame:
    """See :func:`shelfcast.distributed.plan`."""
    forecast = _check_frame(forecast, "forecast", ("ds", "y") if models is not None else ())
    if isinstance(inventory, pd.DataFrame):
        if ID not in inventory.columns:
            raise MissingColumnError(
                f"inventory is missing column {ID!r}; it has {list(inventory.columns)}"
            )
        inventory = dd.from_pandas(inventory, npartitions=1, sort=False)
    inventory = _check_frame(inventory, "inventory", ("lead_time",))
    spec = ForecastSpec.build(models, freq, forecaster_kwargs) if models is not None else None
    plan_spec = PlanSpec.of(planner)
    part.check_plan_from_sales(spec, plan_spec)
    max_lead = np.nan  # a non-numeric lead_time raises ColumnTypeError in each partition
    if pd.api.types.is_numeric_dtype(inventory.dtypes["lead_time"]):
        max_lead = _as_float(inventory["lead_time"].max().compute())
    plan_spec = part.needed_horizon(plan_spec, max_lead)
    pack = inventory.dtypes["pack_size"] if "pack_size" in inventory.columns else None
    meta = part.plan_meta(plan_spec, part.whole_units(pack), _id_dtype(inventory))
    n = npartitions or forecast.npartitions
    return dd.map_partitions(
        _plan_partition,
        _with_bucket(forecast, n),
        _with_bucket(inventory, n),
        plan_spec,
        spec,
        meta,
        meta=meta,
        align_dataframes=False,
    )


def _as_float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
