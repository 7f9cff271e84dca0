"""Long-format DataFrames <-> the native panel layout (values back to back + offsets).

Validation lives here so every public class reports bad input the same way, naming the
column, series and date at fault. Nothing the caller passed in is modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import Tick

from . import _polars
from .exceptions import (
    ColumnTypeError,
    DuplicateRowError,
    InvalidInputError,
    InvalidParameterError,
    InvalidSeriesError,
    MissingColumnError,
)

__all__ = ["Panel", "future_dates", "parse_freq", "require_columns", "to_panel"]


@dataclass(frozen=True)
class Panel:
    """A validated panel of regular series, sorted by (id, time).

    Attributes:
        ids: one id per series, in sorted order (original dtype kept).
        offsets: int64, length n_series + 1; series i is ``y[offsets[i]:offsets[i + 1]]``.
        y: float64 values.
        ds: datetime64[ns] timestamps aligned with ``y``.
        order: positions in the input frame of each sorted row, or None when the input
            was already sorted.
    """

    ids: np.ndarray
    offsets: np.ndarray
    y: np.ndarray
    ds: np.ndarray
    order: np.ndarray | None

    def take(self, values: np.ndarray) -> np.ndarray:
        """Reorder a column of the input frame into panel order."""
        return values if self.order is None else values[self.order]

    @property
    def n_series(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def first_ds(self) -> np.ndarray:
        return np.asarray(self.ds[self.offsets[:-1]])

    @property
    def last_ds(self) -> np.ndarray:
        return np.asarray(self.ds[self.offsets[1:] - 1])

    def series_ids(self) -> np.ndarray:
        """The id of every row."""
        return np.repeat(self.ids, self.lengths)


def parse_freq(freq: str | pd.DateOffset) -> pd.DateOffset:
    """Turn a pandas frequency alias into an offset.

    Args:
        freq: a pandas alias ("D", "W-SUN", "MS", ...) or a DateOffset.

    Returns:
        The offset.

    Raises:
        InvalidParameterError: the alias is not a pandas frequency.
    """
    try:
        return cast(pd.DateOffset, to_offset(freq))
    except (ValueError, TypeError) as e:
        raise InvalidParameterError(f"freq={freq!r} is not a pandas frequency: {e}") from None


def require_columns(df: object, columns: Sequence[str], what: str = "df") -> pd.DataFrame:
    """Check ``df`` is a DataFrame holding ``columns``.

    Raises:
        ColumnTypeError: ``df`` is neither a pandas nor a polars DataFrame.
        MissingColumnError: a column is absent (the message lists the ones present).
    """
    if _polars.is_polars(df):  # read natively by the column readers below
        _polars.require(df, columns, what)
        return df  # type: ignore[return-value]
    if not isinstance(df, pd.DataFrame):
        raise ColumnTypeError(
            f"{what} must be a pandas or polars DataFrame, got {type(df).__name__}"
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"{what} is missing column(s) {missing}; it has {list(df.columns)}"
        )
    return df


def _numeric(df: pd.DataFrame, col: str, what: str) -> np.ndarray:
    if _polars.is_polars(df):
        return _polars.numeric(df, col, what)
    s = df[col]
    if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
        raise ColumnTypeError(f"{what} column {col!r} must be numeric, got dtype {s.dtype}")
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _datetimes(df: pd.DataFrame, col: str, what: str) -> np.ndarray:
    if _polars.is_polars(df):
        return _polars.datetimes(df, col, what)
    s = df[col]
    if not pd.api.types.is_datetime64_any_dtype(s):
        raise ColumnTypeError(
            f"{what} column {col!r} must be datetime64, got dtype {s.dtype} "
            f"(convert it with pd.to_datetime)"
        )
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    values = s.to_numpy(dtype="datetime64[ns]")
    if np.isnat(values).any():
        pos = int(np.flatnonzero(np.isnat(values))[0])
        raise InvalidInputError(f"{what} column {col!r} has a missing date at row {pos}")
    return values


def _grouped_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes and sorted uniques without hashing when equal ids already sit together in
    increasing order (the usual layout of sales, forecast and cross-validation frames);
    None otherwise (NaN ids, unsorted or unorderable ids)."""
    if len(values) < 2:
        return None
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.r_[0, change]
    runs = values[starts]
    if pd.isna(runs).any():
        return None
    try:
        if not np.all(runs[1:] > runs[:-1]):
            return None
    except TypeError:
        return None
    lengths = np.diff(np.r_[starts, len(values)])
    return np.repeat(np.arange(len(runs), dtype=np.int64), lengths), runs


def _ids(df: pd.DataFrame, col: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    if _polars.is_polars(df):
        return _polars.id_codes(df, col, what)
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(s.cat.categories.dtype)
    fast = _grouped_codes(s.to_numpy())
    if fast is not None:
        return fast
    try:
        codes, uniques = pd.factorize(s, sort=True)
    except TypeError:
        raise ColumnTypeError(
            f"{what} column {col!r} mixes types that cannot be sorted (use all str or all int)"
        ) from None
    if len(codes) and codes.min() < 0:  # factorize marks missing ids with -1
        pos = int(np.flatnonzero(codes < 0)[0])
        raise InvalidInputError(f"{what} column {col!r} has a missing id at row {pos}")
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


#: Rows per block of the validation passes: bounds their temporaries (a few bool and int64
#: arrays of this length) instead of allocating them for the whole frame.
_BLOCK = 1 << 18


def _id_values(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(s.cat.categories.dtype)
    return s.to_numpy()


def _grouped_starts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """First row of each series and the sorted uniques, without codes or hashing, when equal
    ids already sit together in increasing order (the usual layout of sales frames); None
    otherwise (NaN ids, unsorted or unorderable ids). Compares in blocks of rows."""
    n = len(values)
    if n < 2:
        return None
    parts = [np.zeros(1, dtype=np.int64)]
    for lo in range(0, n - 1, _BLOCK):
        hi = min(lo + _BLOCK, n - 1)
        parts.append(np.flatnonzero(values[lo + 1 : hi + 1] != values[lo:hi]) + (lo + 1))
    starts = np.concatenate(parts)
    runs = values[starts]
    if pd.isna(runs).any():
        return None
    try:
        if not np.all(runs[1:] > runs[:-1]):
            return None
    except TypeError:
        return None
    return starts, runs


def _same_series(starts: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """For rows lo..hi-1: whether row i + 1 belongs to the same series as row i."""
    same = np.ones(hi - lo, dtype=bool)
    cut = starts[np.searchsorted(starts, lo + 1) : np.searchsorted(starts, hi + 1)] - 1
    same[cut - lo] = False
    return same


def to_panel(
    df: object,
    freq: pd.DateOffset,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    what: str = "df",
    check_regular: bool = True,
) -> Panel:
    """Validate a long-format frame and lay it out as a panel.

    Sorted input (series together, ids increasing, dates increasing within each) is not
    copied: the panel's ``y`` and ``ds`` are views of the frame's columns when their dtypes
    already are float64 and datetime64[ns] (never written to), and the validation passes run in
    blocks of rows, so their temporaries stay small. Unsorted input is sorted (copied) once.

    Args:
        df: DataFrame with id, time and target columns (other columns are ignored).
        freq: the series' frequency; every series must step by exactly one period.
        id_col, time_col, target_col: column names.
        what: how to refer to the frame in error messages.
        check_regular: check each series steps by exactly one period.

    Returns:
        The panel.

    Raises:
        ColumnTypeError, MissingColumnError, DuplicateRowError, InvalidSeriesError,
        InvalidInputError: with the column, series and date at fault.
    """
    frame = require_columns(df, [id_col, time_col, target_col], what)
    if len(frame) == 0:
        raise InvalidInputError(f"{what} has no rows")
    y = _numeric(frame, target_col, what)
    ds = _datetimes(frame, time_col, what)
    n = len(y)
    order: np.ndarray | None = None
    grouped = _grouped_starts(_id_values(frame, id_col))
    if grouped is not None:
        starts, uniques = grouped
        t = ds.view(np.int64)
        unsorted = any(
            not np.all((t[lo + 1 : hi + 1] >= t[lo:hi]) | ~_same_series(starts, lo, hi))
            for lo, hi in _blocks(n - 1)
        )
        if unsorted:
            codes = np.repeat(np.arange(len(starts), dtype=np.int64), np.diff(np.r_[starts, n]))
            order = np.lexsort((t, codes))
    else:
        codes, uniques = _ids(frame, id_col, what)
        t = ds.view(np.int64)
        if not (
            np.all(codes[1:] >= codes[:-1]) and np.all((codes[1:] > codes[:-1]) | (t[1:] >= t[:-1]))
        ):
            order = np.lexsort((t, codes))
            codes = codes[order]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        del codes
    if order is not None:
        y, ds = y[order], ds[order]
    t = ds.view(np.int64)

    def series_at(pos: int) -> object:
        return uniques[np.searchsorted(starts, pos, side="right") - 1]

    for lo, hi in _blocks(n):
        bad = ~np.isfinite(y[lo:hi])
        if bad.any():
            pos = lo + int(np.flatnonzero(bad)[0])
            raise InvalidSeriesError(
                f"{what} column {target_col!r} is {y[pos]} for series {series_at(pos)!r} "
                f"at {pd.Timestamp(ds[pos])}; fill or drop missing values first"
            )
    for lo, hi in _blocks(n - 1):
        same = _same_series(starts, lo, hi)
        dup = same & (t[lo + 1 : hi + 1] == t[lo:hi])
        if dup.any():
            pos = lo + int(np.flatnonzero(dup)[0])
            raise DuplicateRowError(
                f"{what} has more than one row for series {series_at(pos)!r} at "
                f"{pd.Timestamp(ds[pos])}; aggregate duplicates (e.g. groupby().sum()) first"
            )
        if not check_regular:
            continue
        if isinstance(freq, Tick):  # fixed-length periods: compare integer steps
            gap = same & (t[lo + 1 : hi + 1] - t[lo:hi] != freq.nanos)
        else:
            nxt = (pd.DatetimeIndex(ds[lo:hi]) + freq).to_numpy(dtype="datetime64[ns]")
            gap = same & (nxt != ds[lo + 1 : hi + 1])
        if gap.any():
            pos = lo + int(np.flatnonzero(gap)[0])
            expected = pd.Timestamp(ds[pos]) + freq
            raise InvalidSeriesError(
                f"series {series_at(pos)!r} is not regular at freq={freq.freqstr!r}: "
                f"{pd.Timestamp(ds[pos])} is followed by {pd.Timestamp(ds[pos + 1])}, expected "
                f"{expected}; fill missing periods (e.g. with 0 sales) first"
            )
    offsets = np.append(starts, n).astype(np.int64)
    return Panel(ids=uniques, offsets=offsets, y=np.ascontiguousarray(y), ds=ds, order=order)


def _blocks(n: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges of at most _BLOCK rows covering 0..n."""
    return [(lo, min(lo + _BLOCK, n)) for lo in range(0, max(n, 0), _BLOCK)]


def future_dates(last: np.ndarray, h: int, freq: pd.DateOffset) -> np.ndarray:
    """Dates of the next ``h`` periods after each series' last date.

    Args:
        last: datetime64[ns] last date per series.
        h: horizon.
        freq: the offset.

    Returns:
        datetime64[ns] array of length ``len(last) * h``, series-major.
    """
    if isinstance(freq, Tick) and freq.nanos > 0 and len(last):  # fixed steps: one int64 array
        t = last.astype("datetime64[ns]").view(np.int64)
        if int(t.max()) + freq.nanos * h < np.iinfo(np.int64).max:
            steps_ns = freq.nanos * np.arange(1, h + 1, dtype=np.int64)
            return (t[:, None] + steps_ns[None, :]).reshape(-1).view("datetime64[ns]")
    last_idx = pd.DatetimeIndex(last)
    steps = [(last_idx + freq * k).to_numpy(dtype="datetime64[ns]") for k in range(1, h + 1)]
    return np.stack(steps, axis=1).reshape(-1)
