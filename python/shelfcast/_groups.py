"""Group a long forecast frame by (unique_id[, cutoff]) for evaluation.

Cross-validation output repeats ``(unique_id, ds)`` across cutoffs, so it cannot go
through :func:`shelfcast._frame.to_panel`; this module lays it out as back-to-back groups
sorted by (unique_id, cutoff, ds), with a fast path for frames that are already sorted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._frame import _datetimes, _ids, _numeric, require_columns
from .exceptions import DuplicateRowError, InvalidInputError, InvalidSeriesError

__all__ = ["Groups", "group_frame"]


@dataclass(frozen=True)
class Groups:
    """Evaluation groups of a long frame.

    Attributes:
        ids: unique_id of each group.
        cutoffs: cutoff of each group (datetime64[ns]) or None without a cutoff column.
        offsets: int64 group bounds over the sorted rows (length n_groups + 1).
        order: positions in the input frame of the sorted rows.
        y: float64 actuals in sorted order.
        ds: datetime64[ns] dates in sorted order.
    """

    ids: np.ndarray
    cutoffs: np.ndarray | None
    offsets: np.ndarray
    order: np.ndarray
    y: np.ndarray
    ds: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.ids)

    def column(self, df: pd.DataFrame, col: str, what: str = "df") -> np.ndarray:
        """A numeric column of ``df`` in sorted row order, checked to be finite.

        Raises:
            ColumnTypeError: the column is not numeric.
            InvalidSeriesError: a value is NaN or infinite (names the series and date).
        """
        values = _numeric(df, col, what)[self.order]
        bad = ~np.isfinite(values)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            g = int(np.searchsorted(self.offsets, pos, side="right") - 1)
            raise InvalidSeriesError(
                f"{what} column {col!r} is {values[pos]} for series {self.ids[g]!r} at "
                f"{pd.Timestamp(self.ds[pos])}{self._cutoff_text(g)}"
            )
        return np.ascontiguousarray(values)

    def _cutoff_text(self, g: int) -> str:
        return "" if self.cutoffs is None else f" (cutoff {pd.Timestamp(self.cutoffs[g])})"


def group_frame(df: object, *, by_cutoff: bool | None = None, what: str = "df") -> Groups:
    """Validate ``df`` (``unique_id, ds, y`` and optionally ``cutoff``) and group it.

    Args:
        df: the frame.
        by_cutoff: group by cutoff too; default: when ``df`` has a ``cutoff`` column.
        what: how to name the frame in errors.

    Returns:
        The groups, sorted by (unique_id, cutoff).

    Raises:
        MissingColumnError, ColumnTypeError, InvalidSeriesError, DuplicateRowError,
        InvalidInputError: naming the column, series and date at fault.
    """
    frame = require_columns(df, ["unique_id", "ds", "y"], what)
    if len(frame) == 0:
        raise InvalidInputError(f"{what} has no rows")
    if by_cutoff is None:
        by_cutoff = "cutoff" in frame.columns
    codes, uniques = _ids(frame, "unique_id", what)
    ds = _datetimes(frame, "ds", what)
    t = ds.view(np.int64)
    keys = [codes]
    cut = None
    if by_cutoff:
        require_columns(frame, ["cutoff"], what)
        cut = _datetimes(frame, "cutoff", what).view(np.int64)
        keys.append(cut)
    keys.append(t)
    n = len(frame)
    sorted_already = True
    for k in range(len(keys) - 1, -1, -1):
        same_prefix = np.ones(n - 1, dtype=bool)
        for j in range(k):
            same_prefix &= keys[j][1:] == keys[j][:-1]
        if not np.all(~same_prefix | (keys[k][1:] >= keys[k][:-1])):
            sorted_already = False
            break
    if sorted_already:
        order = np.arange(n)
    else:
        order = np.lexsort(tuple(reversed(keys)))
        keys = [k[order] for k in keys]
        ds = ds[order]
    y = _numeric(frame, "y", what)[order]
    codes = keys[0]
    new_group = codes[1:] != codes[:-1]
    if cut is not None:
        cut = keys[1]
        new_group |= cut[1:] != cut[:-1]
    t = keys[-1]
    dup = ~new_group & (t[1:] == t[:-1])
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        extra = "" if cut is None else f" and cutoff {pd.Timestamp(cut[pos])}"
        raise DuplicateRowError(
            f"{what} has more than one row for series {uniques[codes[pos]]!r} at "
            f"{pd.Timestamp(ds[pos])}{extra}"
        )
    starts = np.flatnonzero(np.r_[True, new_group])
    offsets = np.append(starts, n).astype(np.int64)
    bad = ~np.isfinite(y)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise InvalidSeriesError(
            f"{what} column 'y' is {y[pos]} for series {uniques[codes[pos]]!r} at "
            f"{pd.Timestamp(ds[pos])}; drop rows without actuals first"
        )
    return Groups(
        ids=uniques[codes[starts]],
        cutoffs=None if cut is None else cut[starts].astype("datetime64[ns]"),
        offsets=offsets,
        order=order,
        y=np.ascontiguousarray(y),
        ds=ds,
    )
