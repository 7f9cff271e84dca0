"""What every engine runs on one partition: the native single-process call on a pandas frame
holding whole series, plus the empty output frames (Dask ``meta``, Spark schemas) found by
running that same call on a tiny synthetic series.

Nothing here imports Dask or PySpark. The specs are plain picklable objects (model specs and
keyword arguments), rebuilt into a :class:`~shelfcast.DemandForecaster` or
:class:`~shelfcast.ReorderPlanner` inside each task: the native objects themselves are not
shipped to workers.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidItemError, InvalidParameterError
from ..forecaster import (
    DemandForecaster,
    _check_horizon,
    _check_levels,
    _check_quantiles,
    _positive_int,
)
from ..models import Model, resolve_models
from ..planner import ReorderPlanner

__all__ = [
    "ForecastSpec",
    "PlanSpec",
    "cv_meta",
    "forecast_meta",
    "plan_meta",
    "run_cross_validation",
    "run_forecast",
    "run_plan",
]

#: The columns of the partitioning key.
ID = "unique_id"

_GLOBAL_REFUSAL = (
    "global (machine-learning) model(s) {names} cannot be distributed: a global model is "
    "trained once across all series, and training it on each partition would give one "
    "different model per partition (forecasts would depend on how the data is partitioned). "
    "Fit global models in a single process with DemandForecaster, or distribute only the "
    "per-series statistical models"
)

#: Planner settings copied into each task: every keyword argument of the constructor
#: (each is kept as an attribute of the same name).
_PLANNER_FIELDS = tuple(
    name for name in inspect.signature(ReorderPlanner.__init__).parameters if name != "self"
)


@dataclass(frozen=True)
class ForecastSpec:
    """A :class:`~shelfcast.DemandForecaster` to build in each task.

    Attributes:
        models: the resolved per-series statistical models.
        freq: the series' frequency.
        kwargs: the forecaster's other keyword arguments.
    """

    models: tuple[Model, ...]
    freq: Any
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls, models: Sequence[Model | str], freq: Any, kwargs: Mapping[str, Any]
    ) -> ForecastSpec:
        """Validate the forecaster settings once, on the driver.

        Args:
            models: models or model names, as for :class:`~shelfcast.DemandForecaster`.
            freq: pandas frequency.
            kwargs: the forecaster's other keyword arguments.

        Returns:
            The spec.

        Raises:
            InvalidParameterError: a global model is among ``models`` or an argument is
                invalid.
            UnknownModelError: a model name is unknown.
        """
        resolved = resolve_models(models)
        globals_ = [m.alias for m in resolved if m.is_global]
        if globals_:
            raise InvalidParameterError(_GLOBAL_REFUSAL.format(names=globals_))
        spec = cls(tuple(resolved), freq, dict(kwargs))
        spec.forecaster()  # validates every argument now rather than inside a task
        return spec

    def forecaster(self) -> DemandForecaster:
        """A new, unfitted forecaster with these settings.

        Returns:
            The forecaster.
        """
        return DemandForecaster(list(self.models), freq=self.freq, **self.kwargs)

    def __repr__(self) -> str:
        return f"ForecastSpec(models={list(self.models)!r}, freq={self.freq!r}, {self.kwargs!r})"


@dataclass(frozen=True)
class PlanSpec:
    """A :class:`~shelfcast.ReorderPlanner` to build in each task.

    Attributes:
        params: the planner's constructor keyword arguments.
    """

    params: Mapping[str, Any]

    @classmethod
    def of(cls, planner: ReorderPlanner | None) -> PlanSpec:
        """The settings of ``planner`` (default: ``ReorderPlanner()``).

        Raises:
            ColumnTypeError: ``planner`` is not a ReorderPlanner.
        """
        from ..exceptions import ColumnTypeError

        planner = ReorderPlanner() if planner is None else planner
        if not isinstance(planner, ReorderPlanner):
            raise ColumnTypeError(
                f"planner must be a shelfcast.ReorderPlanner, got {type(planner).__name__}"
            )
        return cls({k: getattr(planner, k) for k in _PLANNER_FIELDS})

    def with_horizon(self, horizon: int) -> PlanSpec:
        """The same planner looking ``horizon`` periods ahead.

        Args:
            horizon: periods ahead.

        Returns:
            The new spec.
        """
        return PlanSpec({**self.params, "horizon": int(horizon)})

    def planner(self) -> ReorderPlanner:
        """A new planner with these settings.

        Returns:
            The planner.
        """
        return ReorderPlanner(**self.params)

    def __repr__(self) -> str:
        return f"PlanSpec({dict(self.params)!r})"


def check_forecast_args(
    h: object, level: Sequence[float] | None, quantiles: Sequence[float] | None = None
) -> tuple[int, list[float] | None, list[float] | None]:
    """Validate the horizon, levels and quantiles on the driver (same rules and errors as
    the single-process call).

    Raises:
        InvalidParameterError: a value is out of range.
    """
    h = _check_horizon(h)
    lv = _check_levels(level)
    qs = _check_quantiles(quantiles)
    return h, (lv or None), (qs or None)


def check_cv_args(n_windows: object, step_size: object) -> tuple[int, int | None]:
    """Validate the cross-validation windows on the driver.

    Raises:
        InvalidParameterError: ``n_windows`` or ``step_size`` is not a positive integer.
    """
    n = _positive_int("n_windows", n_windows)
    return n, (None if step_size is None else _positive_int("step_size", step_size))


def _with_id_column(pdf: pd.DataFrame) -> pd.DataFrame:
    """Move a ``unique_id`` index (e.g. after ``set_index("unique_id")``) back to a column."""
    if ID not in pdf.columns and pdf.index.name == ID:
        return pdf.reset_index()
    return pdf


def run_forecast(
    pdf: pd.DataFrame,
    spec: ForecastSpec,
    h: int,
    level: list[float] | None,
    quantiles: list[float] | None,
    meta: pd.DataFrame,
) -> pd.DataFrame:
    """``DemandForecaster.forecast`` on the whole series of one partition.

    Args:
        pdf: rows of whole series (``unique_id, ds, y``); may be empty.
        spec: the forecaster.
        h, level, quantiles: as for :meth:`~shelfcast.DemandForecaster.forecast`.
        meta: the empty output frame, returned for an empty partition.

    Returns:
        The forecast of the partition's series.

    Raises:
        Same as :meth:`~shelfcast.DemandForecaster.forecast`.
    """
    pdf = _sales_columns(_with_id_column(pdf))
    if len(pdf) == 0:
        return meta
    return spec.forecaster().forecast(pdf, h, level=level, quantiles=quantiles)


def run_cross_validation(
    pdf: pd.DataFrame,
    spec: ForecastSpec,
    h: int,
    n_windows: int,
    step_size: int | None,
    level: list[float] | None,
    meta: pd.DataFrame,
) -> pd.DataFrame:
    """``DemandForecaster.cross_validation`` on the whole series of one partition.

    A partition whose series are all too short for every window (no longer than ``h``)
    gives no rows (the single-process call raises only when *no* series at all is long
    enough for a window).

    Args:
        pdf: rows of whole series; may be empty.
        spec: the forecaster.
        h, n_windows, step_size, level: as for
            :meth:`~shelfcast.DemandForecaster.cross_validation`.
        meta: the empty output frame.

    Returns:
        The partition's cross-validation rows.

    Raises:
        Same as :meth:`~shelfcast.DemandForecaster.cross_validation`.
    """
    pdf = _sales_columns(_with_id_column(pdf))
    if len(pdf) == 0:
        return meta
    if int(pdf.groupby(ID, sort=False).size().max()) <= h:  # not even the last window
        return meta
    return spec.forecaster().cross_validation(
        pdf, h, n_windows=n_windows, step_size=step_size, level=level
    )


def run_plan(
    forecast: pd.DataFrame,
    inventory: pd.DataFrame,
    plan: PlanSpec,
    spec: ForecastSpec | None,
    meta: pd.DataFrame,
) -> pd.DataFrame:
    """``ReorderPlanner.plan`` for the inventory items of one partition.

    Args:
        forecast: the partition's forecast rows (a forecast frame), or its sales rows when
            ``spec`` is given (then a forecaster is fitted on them first).
        inventory: the partition's inventory rows (the same items' rows).
        plan: the planner.
        spec: the forecaster to fit on sales, or None.
        meta: the empty output frame, for a partition without inventory rows.

    Returns:
        The plan of the partition's items, in ``inventory``'s row order.

    Raises:
        Same as :meth:`~shelfcast.ReorderPlanner.plan` (e.g. InvalidItemError for an item
        without a forecast).
    """
    forecast = _with_id_column(forecast)
    inventory = _with_id_column(inventory)
    if len(inventory) == 0:
        return meta
    source: Any = forecast
    if spec is not None:
        if len(forecast) == 0:
            item = inventory[ID].iloc[0]
            raise InvalidItemError(
                f"item {item!r}: column 'unique_id' has no sales to forecast this inventory "
                f"item from ({len(inventory)} items without sales in this partition)"
            )
        source = spec.forecaster().fit(_sales_columns(forecast))
    return plan.planner().plan(source, inventory)


def _sales_columns(pdf: pd.DataFrame) -> pd.DataFrame:
    """``unique_id, ds, y`` only: the distributed calls ignore extra columns (a model that
    uses regressors, such as ARIMA, fits without them, as it would on such a frame)."""
    keep = [c for c in (ID, "ds", "y") if c in pdf.columns]
    return pdf if len(keep) == len(pdf.columns) else pdf[keep]


# ------------------------------------------------------------------ empty output frames
def needed_horizon(plan: PlanSpec, max_lead_time: float) -> PlanSpec:
    """The planner every partition runs: its horizon raised to the longest lead time of the
    *whole* inventory, as the single-process planner does, so that a partition whose own
    lead times are shorter still plans over the same number of periods.

    Args:
        plan: the user's planner.
        max_lead_time: the largest ``lead_time`` over all items (NaN if unknown).

    Returns:
        The planner to run in each partition.
    """
    if not np.isfinite(max_lead_time) or max_lead_time < 0:
        return plan  # every partition validates lead times and names the bad item
    return plan.with_horizon(max(int(plan.params["horizon"]), int(np.ceil(max_lead_time)), 1))


def whole_units(pack_size_dtype: Any) -> bool:
    """Whether every order quantity is a whole number (so ``order_qty`` is int64): pack
    sizes are integers (or absent, i.e. 1), and quantities are whole numbers of packs.

    Args:
        pack_size_dtype: the inventory's ``pack_size`` dtype, or None when absent.
    """
    return pack_size_dtype is None or pd.api.types.is_integer_dtype(pack_size_dtype)


def _synthetic_ids(n: int, id_dtype: Any) -> pd.Series:
    """``n`` copies of one id of dtype ``id_dtype`` (object strings by default)."""
    if id_dtype is None:
        return pd.Series(["a"] * n, dtype=object)
    if isinstance(id_dtype, pd.CategoricalDtype):
        value = id_dtype.categories[0] if len(id_dtype.categories) else "a"
        return pd.Series([value] * n, dtype=id_dtype)
    if pd.api.types.is_numeric_dtype(id_dtype):
        return pd.Series([1] * n).astype(id_dtype)
    return pd.Series(["a"] * n).astype(id_dtype)


def _synthetic_sales(length: int, id_dtype: Any) -> pd.DataFrame:
    k = np.arange(length)
    return pd.DataFrame(
        {
            ID: _synthetic_ids(length, id_dtype),
            "ds": pd.date_range("2020-01-01", periods=length, freq="D"),
            "y": (2.0 + (k % 7) + (k % 3)).astype(np.float64),
        }
    )


def _daily(spec: ForecastSpec) -> DemandForecaster:
    # The synthetic series is daily: the output columns do not depend on the frequency.
    return ForecastSpec(spec.models, "D", spec.kwargs).forecaster()


def forecast_meta(
    spec: ForecastSpec,
    h: int,
    level: list[float] | None,
    quantiles: list[float] | None,
    id_dtype: Any = None,
) -> pd.DataFrame:
    """The empty frame ``forecast`` returns: the real call on a synthetic series (with an id
    of the input's ``unique_id`` dtype), emptied.

    Args:
        spec, h, level, quantiles: as for :func:`run_forecast`.
        id_dtype: the input's ``unique_id`` dtype.

    Returns:
        An empty DataFrame with the output columns and dtypes.
    """
    fc = _daily(spec)
    length = 4 * fc.season_length + (fc.conformal_windows + 2) * h + 10
    out = fc.forecast(_synthetic_sales(length, id_dtype), h, level=level, quantiles=quantiles)
    return out.iloc[:0]


def cv_meta(
    spec: ForecastSpec,
    h: int,
    n_windows: int,
    step_size: int | None,
    level: list[float] | None,
    id_dtype: Any = None,
) -> pd.DataFrame:
    """The empty frame ``cross_validation`` returns (see :func:`forecast_meta`)."""
    fc = _daily(spec)
    step = h if step_size is None else step_size
    length = 4 * fc.season_length + (fc.conformal_windows + 2) * h + (n_windows - 1) * step + 10
    out = fc.cross_validation(
        _synthetic_sales(length, id_dtype),
        h,
        n_windows=n_windows,
        step_size=step_size,
        level=level,
    )
    return out.iloc[:0]


def plan_meta(plan: PlanSpec, whole: bool, id_dtype: Any = None) -> pd.DataFrame:
    """The empty frame ``plan`` returns: the real planner on a synthetic item, emptied.

    Args:
        plan: the planner.
        whole: whether ``order_qty`` is int64 (see :func:`whole_units`) or float64.
        id_dtype: the inventory's ``unique_id`` dtype.

    Returns:
        An empty DataFrame with the output columns and dtypes.
    """
    p = plan.params
    h = int(p["horizon"]) + 2
    model = p["model"] or "mean"
    frame = pd.DataFrame(
        {
            ID: _synthetic_ids(h, id_dtype),
            "ds": pd.date_range("2020-01-01", periods=h, freq="D"),
            model: 5.0,
            "sd": 1.0,
        }
    )
    inventory = pd.DataFrame(
        {
            ID: _synthetic_ids(1, id_dtype),
            "on_hand": [3.0],
            "lead_time": [2.0],
            "order_cost": [1.0],
            "holding_cost": [0.1],
        }
    )
    out = ReorderPlanner(**{**p, "distribution": "normal", "horizon": h}).plan(frame, inventory)
    out = out.iloc[:0].copy()
    out["order_qty"] = out["order_qty"].astype(np.int64 if whole else np.float64)
    return out


def check_plan_from_sales(spec: ForecastSpec | None, plan: PlanSpec) -> None:
    """Refuse planning from sales with ``distribution="auto"``.

    Planning from a fitted forecaster with ``distribution="auto"`` reads its sample paths,
    which are drawn from one random stream over all the series in the call: each series'
    paths would depend on which other series share its partition.

    Raises:
        InvalidParameterError: ``spec`` is given and the planner's distribution is "auto".
    """
    if spec is not None and plan.params["distribution"] == "auto":
        raise InvalidParameterError(
            "planning from sales (models=...) with distribution='auto' would use sample "
            "paths drawn from one random stream over all the series of a call, so results "
            "would depend on the partitioning; use ReorderPlanner(distribution='normal' or "
            "'discrete'), or plan from a forecast frame (forecast(..., level=[...]))"
        )
