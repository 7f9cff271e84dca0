"""The pandas side of :meth:`DemandForecaster.update` and
:meth:`DemandForecaster.forecast_fitted_values`: validating new observations against the
fitted series, appending them to the stored history, and laying out fitted values.

The models themselves are re-run natively (``models::refilter`` in the Rust core for the
statistical models, ``MlFitted::update`` for the global ones); nothing here re-estimates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from pandas.tseries.offsets import Tick

from ._frame import Panel, future_dates
from ._global import Exog, panel_exog
from .exceptions import InvalidInputError, InvalidSeriesError, MissingColumnError

__all__ = [
    "Appended",
    "append",
    "check_continuity",
    "fitted_columns",
    "history_dates",
    "new_dynamic",
    "series_positions",
]


@dataclass(frozen=True)
class Appended:
    """The stored history with new observations appended, in panel order.

    Attributes:
        y: float64 values, series back to back (old values, then the new ones).
        offsets: int64 series bounds in ``y``.
        last_ds: datetime64[ns] last date of every series.
        changed: bool per series: whether it got new observations.
        days, dynamic: the exogenous rows (None when no model uses them).
        new_rows: positions of the new observations in ``y``.
    """

    y: np.ndarray
    offsets: np.ndarray
    last_ds: np.ndarray
    changed: np.ndarray
    days: np.ndarray | None
    dynamic: np.ndarray | None
    new_rows: np.ndarray


def series_positions(ids: np.ndarray, new_ids: np.ndarray, what: str = "new_df") -> np.ndarray:
    """The position in ``ids`` of every id of ``new_ids``.

    Raises:
        InvalidInputError: an id is not a fitted series (names up to five of them).
    """
    pos = pd.Index(ids).get_indexer(pd.Index(new_ids))
    unknown = new_ids[pos < 0]
    if len(unknown):
        shown = ", ".join(repr(u) for u in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise InvalidInputError(
            f"{what} has {len(unknown)} series the forecaster was not fitted on ({shown}); "
            "update only extends fitted series: refit (fit) to add series"
        )
    return np.asarray(pos, dtype=np.int64)


def check_continuity(
    panel: Panel, pos: np.ndarray, last_ds: np.ndarray, freq: pd.DateOffset, what: str = "new_df"
) -> None:
    """Each series' new rows must start one period after its last fitted date.

    Raises:
        InvalidSeriesError: a series' first new date overlaps its history or leaves a gap
            (names the series and the dates).
    """
    last = np.asarray(last_ds, dtype="datetime64[ns]")[pos]
    expected = future_dates(last, 1, freq)
    first = np.asarray(panel.first_ds, dtype="datetime64[ns]")
    bad = np.flatnonzero(first != expected)
    if not len(bad):
        return
    j = int(bad[0])
    sid, got, prev = panel.ids[j], pd.Timestamp(first[j]), pd.Timestamp(last[j])
    if first[j] <= last[j]:
        raise InvalidSeriesError(
            f"{what} overlaps the history of series {sid!r}: its first new date {got} is not "
            f"after the last fitted date {prev}; pass only observations after it"
        )
    raise InvalidSeriesError(
        f"{what} leaves a gap in series {sid!r}: its first new date is {got}, expected "
        f"{pd.Timestamp(expected[j])} (one period after the last fitted date {prev}); fill "
        "missing periods (e.g. with 0 sales) first"
    )


def new_dynamic(
    df: pd.DataFrame, panel: Panel, static_features: list[str], names: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers and the dynamic columns ``names`` (in that order) of the new rows.

    Raises:
        MissingColumnError: a training exogenous column is absent.
        InvalidInputError: ``df`` has exogenous columns the forecaster was not fitted with.
        ColumnTypeError: an exogenous column is not numeric.
    """
    missing = [c for c in [*names, *static_features] if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"new_df is missing the exogenous column(s) {missing} the forecaster was fitted "
            f"with; it has {list(df.columns)}"
        )
    exog, _, dynamic = panel_exog(df, panel, static_features, "new_df")
    extra = [c for c in dynamic if c not in names]
    if extra:
        raise InvalidInputError(
            f"new_df has the column(s) {extra} the forecaster was not fitted with: update "
            "takes the training frame's columns (refit to add regressors)"
        )
    order = [dynamic.index(c) for c in names]
    return exog.days, np.ascontiguousarray(exog.dynamic[:, order])


def append(
    y: np.ndarray,
    offsets: np.ndarray,
    last_ds: np.ndarray,
    exog: Exog | None,
    panel: Panel,
    pos: np.ndarray,
    new_exog: tuple[np.ndarray, np.ndarray] | None,
) -> Appended:
    """Append ``panel``'s series (fitted series ``pos``) to the stored history (new arrays;
    nothing passed in is modified)."""
    n = len(offsets) - 1
    old_len = np.diff(offsets)
    add = np.zeros(n, dtype=np.int64)
    add[pos] = panel.lengths
    new_len = old_len + add
    new_offsets = np.concatenate([[0], np.cumsum(new_len)]).astype(np.int64)
    old_rows = np.arange(len(y)) + np.repeat(new_offsets[:-1] - offsets[:-1], old_len)
    starts = new_offsets[pos] + old_len[pos]
    new_rows = np.arange(len(panel.y)) + np.repeat(starts - panel.offsets[:-1], panel.lengths)
    y_full = np.empty(new_offsets[-1])
    y_full[old_rows] = y
    y_full[new_rows] = panel.y
    last = np.array(last_ds, dtype="datetime64[ns]", copy=True)
    last[pos] = panel.last_ds
    days = dynamic = None
    if exog is not None and new_exog is not None:
        days = np.empty(new_offsets[-1], dtype=np.int64)
        days[old_rows] = exog.days
        days[new_rows] = new_exog[0]
        dynamic = np.empty((new_offsets[-1], exog.dynamic.shape[1]))
        dynamic[old_rows] = exog.dynamic
        dynamic[new_rows] = new_exog[1]
    return Appended(y_full, new_offsets, last, add > 0, days, dynamic, new_rows)


def history_dates(last_ds: np.ndarray, lengths: np.ndarray, freq: pd.DateOffset) -> np.ndarray:
    """The date of every stored observation (series back to back), from each series' last
    date and length (the series are regular at ``freq``)."""
    last = np.asarray(last_ds, dtype="datetime64[ns]")
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    # steps back from the last date: L-1, ..., 0 within each series
    ends = np.cumsum(lengths)
    back = np.repeat(ends, lengths) - 1 - np.arange(total)
    if isinstance(freq, Tick) and freq.nanos > 0:
        t = np.repeat(last.view(np.int64), lengths) - back * freq.nanos
        return t.view("datetime64[ns]")
    out = np.empty(total, dtype="datetime64[ns]")
    series_last = np.repeat(last, lengths)
    for k in np.unique(back):
        rows = back == k
        out[rows] = (pd.DatetimeIndex(series_last[rows]) - freq * int(k)).to_numpy(
            dtype="datetime64[ns]"
        )
    return out


def fitted_columns(
    names: list[str],
    values: np.ndarray,
    sigma: np.ndarray,
    lengths: np.ndarray,
    levels: list[float],
    fmt: Callable[[float], str],
) -> dict[str, np.ndarray]:
    """The model columns of ``forecast_fitted_values``: the fitted values in model order,
    then per model ``fitted ∓ z·σ`` (σ: the model's in-sample one-step RMSE on the series,
    ``residual_std``), lower bounds clipped at 0, widest first, upper bounds narrowest
    first."""
    out: dict[str, np.ndarray] = {name: values[:, j] for j, name in enumerate(names)}
    if not levels:
        return out
    per_row = np.repeat(sigma, lengths, axis=0)
    for j, name in enumerate(names):
        lo: dict[str, np.ndarray] = {}
        hi: dict[str, np.ndarray] = {}
        for lv in sorted(levels):
            z = NormalDist().inv_cdf(0.5 + lv / 200)
            label = fmt(lv)
            lo[f"{name}-lo-{label}"] = np.maximum(values[:, j] - z * per_row[:, j], 0.0)
            hi[f"{name}-hi-{label}"] = values[:, j] + z * per_row[:, j]
        out.update(dict(reversed(list(lo.items()))))
        out.update(hi)
    return out
