"""The global (machine-learning) part of :class:`shelfcast.DemandForecaster`: exogenous
columns from the training frame, future exogenous rows from ``X_df``, and the native
:class:`shelfcast._core.GlobalForecaster` that builds features, trains and forecasts.

Exogenous columns: every column of the training frame other than ``unique_id``, ``ds`` and
``y`` is a feature. Columns listed in ``static_features`` must be constant within each
series (strings/categoricals are encoded as integer codes); every other column must be
numeric (or bool) and is *dynamic*: its future values must come in ``predict(X_df=...)``,
one row per series and future date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from . import _core
from ._frame import Panel, require_columns
from .exceptions import (
    ColumnTypeError,
    DuplicateRowError,
    InvalidInputError,
    InvalidParameterError,
)
from .features import native_lag_transforms, native_target_transforms

__all__ = ["Exog", "FeatureConfig", "days_of", "future_dynamic", "panel_exog"]

_DATE_FEATURES = ("dayofweek", "day", "week", "weekofyear", "month", "quarter", "year", "dayofyear")


@dataclass(frozen=True)
class Exog:
    """Calendar and exogenous data of a panel, in panel order.

    Attributes:
        days: int64 day number (days since 1970-01-01) of every row.
        dynamic: float64 (n_rows, n_dynamic).
        statics: float64 (n_series, n_static).
    """

    days: np.ndarray
    dynamic: np.ndarray
    statics: np.ndarray

    def rows(self, idx: np.ndarray, keep: np.ndarray) -> Exog:
        """The rows ``idx`` of the series ``keep``."""
        return Exog(
            days=self.days[idx],
            dynamic=np.ascontiguousarray(self.dynamic[idx]),
            statics=np.ascontiguousarray(self.statics[keep]),
        )


@dataclass(frozen=True)
class FeatureConfig:
    """The validated feature configuration (native tuples) and the exogenous names."""

    lags: list[int]
    lag_transforms: list[tuple[str, int, int, int | None, float]]
    date_features: list[str]
    holidays: list[tuple[str, list[int]]]
    target_transforms: list[tuple[str, int]]
    dropna: bool
    static_names: list[str]
    dynamic_names: list[str]

    @classmethod
    def build(
        cls,
        lags: Sequence[int] | None,
        lag_transforms: Mapping[int, Sequence[Any]] | None,
        date_features: Sequence[str] | None,
        holidays: Mapping[str, Sequence[Any]] | None,
        target_transforms: Sequence[Any] | None,
        dropna: bool,
    ) -> FeatureConfig:
        """Validate the user's feature arguments (exogenous names are set at fit)."""
        if lags is None and lag_transforms is None and date_features is None:
            lags, date_features = [1, 7, 14, 28], ["dayofweek", "month", "day"]
        lag_list = []
        for lag in lags or []:
            if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 1:
                raise InvalidParameterError(f"lags must be positive integers, got {lag!r}")
            lag_list.append(int(lag))
        dates = list(date_features or [])
        for d in dates:
            if d not in _DATE_FEATURES:
                raise InvalidParameterError(
                    f"unknown date feature {d!r}; known: {list(_DATE_FEATURES)}"
                )
        hol: list[tuple[str, list[int]]] = []
        if holidays is not None:
            if not isinstance(holidays, Mapping):
                raise InvalidParameterError(
                    "holidays must be a dict {name: [dates]}, e.g. {'xmas': ['2011-12-25']}"
                )
            for name, dates_ in holidays.items():
                try:
                    idx = pd.DatetimeIndex(pd.to_datetime(list(dates_)))
                except (ValueError, TypeError) as e:
                    raise InvalidParameterError(
                        f"holidays[{name!r}]: invalid dates ({e})"
                    ) from None
                hol.append((str(name), sorted(set(days_of(idx.to_numpy()).tolist()))))
        if not isinstance(dropna, (bool, np.bool_)):
            raise InvalidParameterError(f"dropna must be a bool, got {dropna!r}")
        return cls(
            lags=lag_list,
            lag_transforms=native_lag_transforms(lag_transforms),
            date_features=dates,
            holidays=hol,
            target_transforms=native_target_transforms(target_transforms),
            dropna=bool(dropna),
            static_names=[],
            dynamic_names=[],
        )

    def with_exog(self, static_names: list[str], dynamic_names: list[str]) -> FeatureConfig:
        """A copy with the exogenous feature names."""
        d = dict(vars(self))
        d.update(static_names=list(static_names), dynamic_names=list(dynamic_names))
        return FeatureConfig(**d)

    def core(self, models: list[tuple[str, dict[str, float], dict[str, str]]]) -> Any:
        """A fresh native forecaster for ``models``."""
        return _core.GlobalForecaster(
            models,
            self.lags,
            self.lag_transforms,
            self.date_features,
            self.holidays,
            self.static_names,
            self.dynamic_names,
            self.target_transforms,
            self.dropna,
        )


def days_of(ds: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01, floor) of datetime64 values."""
    return np.asarray(ds).astype("datetime64[D]").astype(np.int64)


def panel_exog(
    df: pd.DataFrame, panel: Panel, static_features: Sequence[str], what: str = "df"
) -> tuple[Exog, list[str], list[str]]:
    """The exogenous data of ``df`` in panel order, with the static and dynamic names.

    Raises:
        MissingColumnError: a static feature is not a column.
        InvalidInputError: a static feature varies within a series (names it).
        ColumnTypeError: a dynamic column is not numeric.
    """
    base = {"unique_id", "ds", "y"}
    extra = [c for c in df.columns if c not in base]
    static = list(static_features)
    require_columns(df, static, what)
    dynamic = [c for c in extra if c not in static]
    n = len(panel.y)
    starts = panel.offsets[:-1]
    statics = np.empty((panel.n_series, len(static)))
    for j, col in enumerate(static):
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            v = panel.take(s.to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            codes, _ = pd.factorize(
                s.astype(str) if not isinstance(s.dtype, pd.CategoricalDtype) else s, sort=True
            )
            v = panel.take(codes.astype(np.float64))
        first = np.repeat(v[starts], panel.lengths)
        differs = ~((v == first) | (np.isnan(v) & np.isnan(first)))
        if differs.any():
            pos = int(np.flatnonzero(differs)[0])
            sid = panel.ids[np.searchsorted(panel.offsets, pos, side="right") - 1]
            raise InvalidInputError(
                f"{what} static feature {col!r} changes within series {sid!r} (at "
                f"{pd.Timestamp(panel.ds[pos])}); leave it out of static_features to use it "
                f"as a dynamic feature"
            )
        statics[:, j] = v[starts]
    dyn = np.empty((n, len(dynamic)))
    for j, col in enumerate(dynamic):
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(np.float64)
        if not pd.api.types.is_numeric_dtype(s):
            raise ColumnTypeError(
                f"{what} column {col!r} has dtype {s.dtype}: exogenous columns must be numeric "
                f"(or list it in static_features=[...] to encode it per series)"
            )
        dyn[:, j] = panel.take(s.to_numpy(dtype=np.float64, na_value=np.nan))
    exog = Exog(days=days_of(panel.ds), dynamic=dyn, statics=statics)
    return exog, static, dynamic


def future_dynamic(
    X_df: object, ids: np.ndarray, future_ds: np.ndarray, h: int, names: list[str]
) -> np.ndarray:
    """The (n_series * h, n_dynamic) future exogenous rows, series-major, from ``X_df``.

    Every step of the horizon takes its own row (matched on ``unique_id`` and ``ds``).

    Raises:
        InvalidParameterError: ``X_df`` is missing although the model has dynamic features.
        MissingColumnError: ``X_df`` lacks a column.
        InvalidInputError: rows are missing for a series (names it and the dates) or a
            value is missing.
        DuplicateRowError: a (unique_id, ds) pair appears twice.
    """
    n = len(ids)
    if not names:
        return np.empty((n * h, 0))
    if X_df is None:
        raise InvalidParameterError(
            f"the models use the dynamic exogenous feature(s) {names}: pass their future "
            f"values as predict(h, X_df=...) with columns unique_id, ds, {', '.join(names)}"
        )
    x = require_columns(X_df, ["unique_id", "ds", *names], "X_df")
    if not pd.api.types.is_datetime64_any_dtype(x["ds"]):
        raise ColumnTypeError(f"X_df column 'ds' must be datetime64, got dtype {x['ds'].dtype}")
    keys = pd.MultiIndex.from_arrays(
        [x["unique_id"].to_numpy(), x["ds"].to_numpy(dtype="datetime64[ns]")]
    )
    if keys.has_duplicates:
        dup = cast(tuple[Any, Any], keys[keys.duplicated()][0])
        raise DuplicateRowError(
            f"X_df has more than one row for series {dup[0]!r} at {pd.Timestamp(dup[1])}"
        )
    want = pd.MultiIndex.from_arrays([np.repeat(ids, h), future_ds])
    pos = keys.get_indexer(want)
    missing = pos < 0
    if missing.any():
        first = int(np.flatnonzero(missing)[0]) // h
        sid = ids[first]
        dates = [
            str(pd.Timestamp(d).date())
            for d in future_ds[first * h : (first + 1) * h][missing[first * h : (first + 1) * h]]
        ]
        n_bad = len({int(i) // h for i in np.flatnonzero(missing)})
        raise InvalidInputError(
            f"X_df has no rows for series {sid!r} at {', '.join(dates[:10])}"
            f"{' ...' if len(dates) > 10 else ''} ({n_bad} series incomplete); it needs one row "
            f"per series and each of the {h} future dates"
        )
    out = np.empty((n * h, len(names)))
    for j, col in enumerate(names):
        s = x[col]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(np.float64)
        if not pd.api.types.is_numeric_dtype(s):
            raise ColumnTypeError(f"X_df column {col!r} must be numeric, got dtype {s.dtype}")
        out[:, j] = s.to_numpy(dtype=np.float64, na_value=np.nan)[pos]
    return out
