"""What the planner reads from a forecast: per item, the mean demand per period over the
horizon, the per-period standard deviation, the dates, and (when the forecaster offers
``sample_paths``) sample paths of future demand.

A *forecaster* is anything with ``predict(h)`` and ``residual_std()`` returning frames like
:class:`~shelfcast.DemandForecaster`'s; if it also has ``sample_paths(h, n_paths, seed)``,
the paths are used. ``sample_paths`` may return an array ``(n_series, n_paths, h)`` in the
order of the series in ``predict(h)``, a mapping from model name to such an array, or a
long DataFrame ``unique_id, ds, <path column>, <value column>`` where the path column is
one of ``sample``, ``sample_id``, ``path``, ``path_id`` and the value column is the model's
name, ``y`` or ``value``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from . import _polars
from ._frame import require_columns
from .exceptions import ColumnTypeError, InvalidItemError, InvalidParameterError, MissingColumnError

__all__ = ["DemandInput", "demand_input", "is_forecaster"]

_PATH_COLUMNS = ("sample", "sample_id", "path", "path_id")


@dataclass(frozen=True)
class DemandInput:
    """Forecast arrays aligned with the inventory's items.

    Attributes:
        mean: (n, h) mean demand per period, or (n, 1) for a constant rate per item.
        sigma: (n,) per-period standard deviation.
        dates: (n, h) datetime64[ns] period dates.
        paths: (n, n_paths, h) sample paths, or None.
    """

    mean: np.ndarray
    sigma: np.ndarray
    dates: np.ndarray
    paths: np.ndarray | None


def is_forecaster(obj: object) -> bool:
    """Whether ``obj`` can be planned from as a fitted forecaster (duck-typed).

    Args:
        obj: anything.

    Returns:
        True when it has callable ``predict`` and ``residual_std``.
    """
    return callable(getattr(obj, "predict", None)) and callable(getattr(obj, "residual_std", None))


def _missing(ids: np.ndarray, known: pd.Index) -> None:
    missing = pd.Index(ids).difference(known)
    if len(missing):
        raise InvalidItemError(
            f"item {missing[0]!r}: column 'unique_id' has no forecast for this inventory item "
            f"({len(missing)} missing: {list(missing[:10])})"
        )


def _sd_from_intervals(frame: pd.DataFrame, col: str) -> pd.Series | None:
    levels = []
    for c in frame.columns:
        if isinstance(c, str) and c.startswith(f"{col}-lo-"):
            lvl = c[len(col) + 4 :]
            if f"{col}-hi-{lvl}" in frame.columns:
                try:
                    levels.append((float(lvl), lvl))
                except ValueError:
                    continue
    if not levels:
        return None
    value, name = max(levels)
    if not 0 < value < 100:
        raise InvalidParameterError(f"forecast interval level {name!r} must be in (0, 100)")
    z = NormalDist().inv_cdf(0.5 + value / 200)
    return (frame[f"{col}-hi-{name}"] - frame[f"{col}-lo-{name}"]) / (2 * z)


def _sd_from_quantiles(frame: pd.DataFrame, col: str) -> pd.Series | None:
    """sd of a normal matching the outermost quantile columns ``<col>-q-<pct>`` (the
    pct/100 quantile, as :meth:`DemandForecaster.predict` names them)."""
    qs = []
    for c in frame.columns:
        if isinstance(c, str) and c.startswith(f"{col}-q-"):
            try:
                p = float(c[len(col) + 3 :]) / 100
            except ValueError:
                continue
            if 0 < p < 1:
                qs.append((p, c))
    if len(qs) < 2:
        return None
    (p_lo, lo), (p_hi, hi) = min(qs), max(qs)
    nd = NormalDist()
    return (frame[hi] - frame[lo]) / (nd.inv_cdf(p_hi) - nd.inv_cdf(p_lo))


def _paths_array(raw: Any, model: str, series: np.ndarray, h: int) -> np.ndarray:
    if isinstance(raw, Mapping):
        if model not in raw:
            raise InvalidParameterError(f"sample_paths has no paths for model {model!r}")
        raw = raw[model]
    if isinstance(raw, pd.DataFrame):
        path_col = next((c for c in _PATH_COLUMNS if c in raw.columns), None)
        value_col = next((c for c in (model, "y", "value") if c in raw.columns), None)
        if path_col is None or value_col is None:
            raise MissingColumnError(
                f"sample_paths frame needs unique_id, ds, one of {_PATH_COLUMNS} and a value "
                f"column ({model!r}, 'y' or 'value'); it has {list(raw.columns)}"
            )
        frame = raw.sort_values(["unique_id", path_col, "ds"], kind="stable")
        order = pd.Index(frame["unique_id"].unique())
        n_paths = frame[path_col].nunique()
        values = frame[value_col].to_numpy(np.float64).reshape(len(order), n_paths, -1)
        pos = order.get_indexer(series)
        if (pos < 0).any():
            raise InvalidItemError(f"item {series[pos < 0][0]!r}: no sample paths")
        arr = values[pos]
    else:
        arr = np.asarray(raw, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[0] != len(series) or arr.shape[2] < h or arr.shape[1] < 1:
        raise InvalidParameterError(
            f"sample_paths must give shape (n_series={len(series)}, n_paths, >= {h}), "
            f"got {arr.shape}"
        )
    out: np.ndarray = arr[:, :, :h]
    return out


def _pandas(frame: Any) -> Any:
    """A forecaster fitted on polars returns polars frames: read them as pandas here."""
    return _polars.to_pandas(frame) if _polars.is_polars(frame) else frame


def _from_forecaster(
    forecast: Any,
    ids: np.ndarray,
    h: int,
    model: str | None,
    paths: bool,
    n_paths: int,
    seed: int,
    X_df: Any = None,
) -> DemandInput:
    # a shelfcast forecaster fitted on polars answers in pandas here: no round trip
    as_pandas = callable(getattr(forecast, "_predict_as", None))
    exog: dict[str, Any] = {} if X_df is None else {"X_df": X_df}
    if as_pandas:
        pred = forecast._predict_as(_polars.PANDAS, h, **exog)
    else:
        pred = _pandas(forecast.predict(h, **exog))
    names = list(getattr(forecast, "model_names", None) or [])
    names = names or [c for c in pred.columns if c not in ("unique_id", "ds")]
    col = model or names[0]
    if col not in names:
        raise InvalidParameterError(f"model {col!r} is not in the forecaster; it has {names}")
    stds = forecast._residual_std_as(_polars.PANDAS) if as_pandas else forecast.residual_std()
    sd = _pandas(stds).set_index("unique_id")[col]
    frame = pred[["unique_id", "ds", col]].rename(columns={col: "mean"})
    frame["sd"] = pd.Series(sd).reindex(frame["unique_id"]).to_numpy()
    out = _from_long(frame, ids, h)
    if paths and callable(getattr(forecast, "sample_paths", None)):
        series = pd.unique(pred["unique_id"].to_numpy())
        arr = _paths_array(forecast.sample_paths(h, n_paths, seed, **exog), col, series, h)
        pos = pd.Index(series).get_indexer(ids)
        out = DemandInput(out.mean, out.sigma, out.dates, np.ascontiguousarray(arr[pos]))
    return out


def _from_long(frame: pd.DataFrame, ids: np.ndarray, h: int) -> DemandInput:
    frame = frame.sort_values(["unique_id", "ds"], kind="stable")
    _missing(ids, pd.Index(frame["unique_id"].unique()))
    frame = frame[frame["unique_id"].isin(pd.Index(ids))]
    frame = frame.groupby("unique_id", sort=False).head(h)
    counts = frame.groupby("unique_id", sort=False).size().reindex(ids)
    short = counts[counts < h]
    if len(short):
        raise InvalidItemError(
            f"item {short.index[0]!r}: forecast has {short.iloc[0]} periods, the plan "
            f"needs {h} (the horizon and the longest lead time)"
        )
    pos = pd.Index(frame["unique_id"].unique()).get_indexer(ids)
    mean = frame["mean"].to_numpy(dtype=np.float64).reshape(-1, h)[pos]
    sd_rows = frame["sd"].to_numpy(dtype=np.float64).reshape(-1, h)[pos]
    dates = frame["ds"].to_numpy().reshape(-1, h)[pos]
    _check_sd(sd_rows, ids)
    # Per-period sigma: the root mean square of the per-period sds over the horizon.
    sigma = np.sqrt(np.mean(sd_rows**2, axis=1))
    return DemandInput(np.ascontiguousarray(mean), sigma, dates, None)


def _check_sd(sd: np.ndarray, ids: np.ndarray) -> None:
    bad = ~np.isfinite(sd) | (sd < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.reshape(len(ids), -1).any(axis=1))[0])
        raise InvalidItemError(f"item {ids[i]!r}: column 'sd' must be finite and >= 0")


def _from_rates(
    frame: pd.DataFrame, ids: np.ndarray, h: int, start: pd.Timestamp | None
) -> DemandInput:
    fids = frame["unique_id"].to_numpy()
    if len(fids) == len(ids) and np.array_equal(fids, ids):
        pos = np.arange(len(ids))  # same items in the same order (ids are unique)
    else:
        if frame["unique_id"].duplicated().any():
            dup = frame["unique_id"][frame["unique_id"].duplicated()].iloc[0]
            raise InvalidItemError(
                f"item {dup!r}: more than one row in a forecast without 'ds' (one rate per item)"
            )
        index = pd.Index(fids)
        pos = index.get_indexer(ids)
        if (pos < 0).any():
            _missing(ids, index)
    mean = frame["mean"].to_numpy(dtype=np.float64)[pos]
    sd = frame["sd"].to_numpy(dtype=np.float64)[pos]
    _check_sd(sd, ids)
    first = (start or pd.Timestamp.today()).normalize().to_datetime64().astype("datetime64[ns]")
    days = first + np.arange(h).astype("timedelta64[D]")
    dates = np.broadcast_to(days, (len(ids), h))
    # One column: the native planner repeats the rate over the horizon.
    return DemandInput(np.ascontiguousarray(mean[:, None]), sd, dates, None)


def demand_input(
    forecast: object,
    ids: np.ndarray,
    h: int,
    model: str | None,
    *,
    paths: bool = True,
    n_paths: int = 1000,
    seed: int = 0,
    start: pd.Timestamp | None = None,
    X_df: Any = None,
) -> DemandInput:
    """Read the forecast for the items ``ids`` over ``h`` periods.

    Args:
        forecast: a fitted forecaster (duck-typed, see the module docstring) or a DataFrame:
            long ``unique_id, ds, <mean column>`` with ``sd``, prediction intervals
            ``<mean column>-lo-<level>`` / ``-hi-<level>`` (the widest level) or quantiles
            ``<mean column>-q-<pct>`` in percent (the outermost pair) per period, read as a
            normal sd;
            or, without ``ds``, one row per item with a constant mean and sd per period.
        ids: the inventory's item ids.
        h: periods needed.
        model: the model column; defaults to the forecaster's first model, or ``mean``.
        paths: use the forecaster's ``sample_paths`` when it has one.
        n_paths: paths to draw.
        seed: seed for the paths.
        start: first date of a per-item (no ``ds``) forecast; default today.
        X_df: future exogenous regressors passed to the forecaster's ``predict`` and
            ``sample_paths`` (when its models use them).

    Returns:
        The aligned arrays.

    Raises:
        ColumnTypeError: ``forecast`` is neither a forecaster nor a DataFrame.
        MissingColumnError: a needed column is absent.
        InvalidItemError: an item has no forecast or too few periods or a bad sd.
        InvalidParameterError: an unknown model or misshapen sample paths.
    """
    if is_forecaster(forecast):
        return _from_forecaster(forecast, ids, h, model, paths, n_paths, seed, X_df)
    if not isinstance(forecast, pd.DataFrame):
        raise ColumnTypeError(
            "forecast must be a fitted DemandForecaster (or an object with predict and "
            f"residual_std) or a DataFrame, got {type(forecast).__name__}"
        )
    col = model or "mean"
    require_columns(forecast, ["unique_id", col], "forecast")
    frame = forecast.rename(columns={col: "mean"}) if col != "mean" else forecast
    if "sd" not in frame.columns:
        sd = _sd_from_intervals(forecast, col)
        if sd is None:
            sd = _sd_from_quantiles(forecast, col)
        if sd is None:
            raise MissingColumnError(
                f"forecast needs a per-period 'sd' column, prediction intervals "
                f"'{col}-lo-<level>' / '{col}-hi-<level>' or quantiles '{col}-q-<pct>'; "
                f"it has {list(forecast.columns)}"
            )
        frame = frame.assign(sd=sd.to_numpy())
    if "ds" in frame.columns:
        return _from_long(frame[["unique_id", "ds", "mean", "sd"]], ids, h)
    return _from_rates(frame, ids, h, start)
