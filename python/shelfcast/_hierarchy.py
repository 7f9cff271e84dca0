"""M5-style weighted scores over a user-given hierarchy: WRMSSE and WSPL.

A hierarchy is a frame with one row per bottom series (``unique_id``) and one column per
grouping attribute (store, department...). A *level* is a list of those columns (``[]`` is
the grand total, ``["unique_id"]`` the bottom); its *nodes* are the distinct value
combinations, named ``"total"``, ``"store=CA_1"``, ``"store=CA_1/dept=FOODS_1"``... (bottom
nodes keep their ``unique_id``). Node series are sums of their bottom series per date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from ._frame import require_columns
from ._polars import polars_io
from .exceptions import (
    InvalidInputError,
    InvalidParameterError,
    InvalidSeriesError,
    MissingColumnError,
)

__all__ = ["aggregate_hierarchy", "hierarchy_weights", "level_name", "levels_of", "node_ids"]

_BOTTOM = "unique_id"


def levels_of(hierarchy: pd.DataFrame, levels: Sequence[Sequence[str]] | None) -> list[list[str]]:
    require_columns(hierarchy, [_BOTTOM], "hierarchy")
    attrs = [c for c in hierarchy.columns if c != _BOTTOM]
    if levels is None:
        out = [[], *[[c] for c in attrs], [_BOTTOM]]
    else:
        if isinstance(levels, str):
            raise InvalidParameterError("levels must be a list of lists of hierarchy columns")
        out = [[str(c) for c in ([lv] if isinstance(lv, str) else lv)] for lv in levels]
        if not out:
            raise InvalidParameterError("levels must name at least one level")
    for lv in out:
        missing = [c for c in lv if c not in hierarchy.columns]
        if missing:
            raise MissingColumnError(
                f"level {lv} uses column(s) {missing} absent from hierarchy "
                f"{list(hierarchy.columns)}"
            )
    if hierarchy[_BOTTOM].duplicated().any():
        dup = hierarchy[_BOTTOM][hierarchy[_BOTTOM].duplicated()].iloc[0]
        raise InvalidInputError(f"hierarchy has more than one row for unique_id {dup!r}")
    return out


def level_name(level: Sequence[str]) -> str:
    """``"total"`` for ``[]``, else the columns joined by ``/``."""
    return "/".join(level) if level else "total"


def node_ids(hierarchy: pd.DataFrame, level: list[str]) -> pd.Series:
    """Node id of every bottom series at ``level``, indexed by unique_id."""
    h = hierarchy.set_index(_BOTTOM, drop=False)
    if not level:
        return pd.Series("total", index=h.index, dtype=object)
    if level == [_BOTTOM]:
        return pd.Series(h.index.to_numpy(), index=h.index, dtype=object)
    parts = [f"{c}=" + h[c].astype(str) for c in level]
    node = parts[0]
    for p in parts[1:]:
        node = node + "/" + p
    return node.astype(object)


def check_covered(ids: pd.Series, hierarchy: pd.DataFrame, what: str) -> None:
    known = pd.Index(hierarchy[_BOTTOM])
    missing = pd.Index(ids.unique()).difference(known)
    if len(missing):
        raise InvalidInputError(
            f"series {missing[0]!r} of {what} is not in hierarchy ({len(missing)} missing)"
        )


@polars_io("df", "hierarchy")
def aggregate_hierarchy(
    df: pd.DataFrame,
    hierarchy: pd.DataFrame,
    levels: Sequence[Sequence[str]] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Sum bottom series into the node series of every level.

    Args:
        df: long frame ``unique_id, ds, [cutoff,] <columns>`` of bottom series.
        hierarchy: one row per bottom ``unique_id`` with the grouping columns.
        levels: lists of hierarchy columns; default: the total, each column alone, and
            the bottom level.
        columns: the columns to sum (default: every numeric column but ``cutoff``).

    Returns:
        DataFrame ``level, unique_id, [cutoff,] ds, <columns>`` where ``unique_id`` is the
        node id, sorted by level order, node, cutoff and date.

    Raises:
        MissingColumnError, InvalidInputError: unknown level columns, or a series of ``df``
            absent from ``hierarchy``.
    """
    lvls = levels_of(hierarchy, levels)
    require_columns(df, [_BOTTOM, "ds"], "df")
    check_covered(df[_BOTTOM], hierarchy, "df")
    keys = ["ds"] + (["cutoff"] if "cutoff" in df.columns else [])
    if columns is None:
        columns = [
            c
            for c in df.columns
            if c not in (_BOTTOM, *keys) and pd.api.types.is_numeric_dtype(df[c])
        ]
    columns = list(columns)
    require_columns(df, columns, "df")
    parts = []
    for lv in lvls:
        node = df[_BOTTOM].map(node_ids(hierarchy, lv))
        frame = df[[*keys, *columns]].assign(unique_id=node.to_numpy())
        by = ["unique_id", *keys[::-1]]  # unique_id, [cutoff,] ds
        agg = frame.groupby(by, sort=True)[columns].sum().reset_index()
        agg.insert(0, "level", level_name(lv))
        parts.append(agg)
    return pd.concat(parts, ignore_index=True)


@polars_io("train_df", "hierarchy")
def hierarchy_weights(
    train_df: pd.DataFrame,
    hierarchy: pd.DataFrame,
    levels: Sequence[Sequence[str]] | None = None,
    *,
    price_col: str | None = "price",
    weight_periods: int = 28,
    cutoffs: Sequence[object] | None = None,
) -> pd.DataFrame:
    """M5 weights: each node's dollar sales over the last ``weight_periods`` training dates.

    Args:
        train_df: ``unique_id, ds, y`` and ``price_col`` of the bottom series.
        hierarchy: one row per bottom ``unique_id`` with the grouping columns.
        levels: as in :func:`aggregate_hierarchy`.
        price_col: unit price column; ``None`` weighs by units instead of revenue.
        weight_periods: the number of most recent distinct training dates (at or before
            the cutoff) whose sales set the weights (M5: 28 days).
        cutoffs: compute weights as of each cutoff (cross-validation); default: as of the
            last training date.

    Returns:
        DataFrame ``[cutoff,] level, unique_id, weight``; weights sum to 1 within each level
        (and cutoff). Divide by the number of levels for M5's overall weights.

    Raises:
        InvalidParameterError: weight_periods < 1.
        InvalidSeriesError: a positive sale has no price; a level has no sales at all.
    """
    if isinstance(weight_periods, bool) or not isinstance(weight_periods, (int, np.integer)):
        raise InvalidParameterError(f"weight_periods must be an int, got {weight_periods!r}")
    if weight_periods < 1:
        raise InvalidParameterError(f"weight_periods must be >= 1, got {weight_periods}")
    lvls = levels_of(hierarchy, levels)
    cols = [_BOTTOM, "ds", "y"] + ([price_col] if price_col is not None else [])
    require_columns(train_df, cols, "train_df")
    check_covered(train_df[_BOTTOM], hierarchy, "train_df")
    y = train_df["y"].to_numpy(dtype=np.float64)
    value = y
    if price_col is not None:
        price = train_df[price_col].to_numpy(dtype=np.float64, na_value=np.nan)
        bad = (y != 0) & ~np.isfinite(price)
        if bad.any():
            row = train_df.iloc[int(np.flatnonzero(bad)[0])]
            raise InvalidSeriesError(
                f"train_df column {price_col!r} is missing for series {row[_BOTTOM]!r} at "
                f"{row['ds']} where y = {row['y']}"
            )
        value = np.where(y != 0, y * np.nan_to_num(price), 0.0)
    ds = train_df["ds"].to_numpy(dtype="datetime64[ns]")
    dates = np.unique(ds)
    as_of = (
        [dates[-1]]
        if cutoffs is None
        else [np.datetime64(pd.Timestamp(cast(Any, c))) for c in cutoffs]
    )
    out = []
    for c in as_of:
        upto = dates[dates <= c]
        if len(upto) == 0:
            raise InvalidInputError(f"train_df has no date at or before cutoff {c}")
        first = upto[max(len(upto) - weight_periods, 0)]
        mask = (ds >= first) & (ds <= c)
        sales = pd.Series(value[mask]).groupby(train_df[_BOTTOM].to_numpy()[mask]).sum()
        sales = sales.reindex(hierarchy[_BOTTOM].to_numpy(), fill_value=0.0)
        for lv in lvls:
            node = node_ids(hierarchy, lv).reindex(sales.index)
            w = sales.groupby(node.to_numpy(), sort=True).sum()
            total = w.sum()
            if total <= 0:
                raise InvalidSeriesError(
                    f"no sales in the last {weight_periods} periods up to {pd.Timestamp(c)}: "
                    f"weights of level {level_name(lv)!r} are undefined"
                )
            part = pd.DataFrame(
                {"level": level_name(lv), "unique_id": w.index.to_numpy(), "weight": w / total}
            )
            if cutoffs is not None:
                part.insert(0, "cutoff", pd.Timestamp(c))
            out.append(part.reset_index(drop=True))
    return pd.concat(out, ignore_index=True)
