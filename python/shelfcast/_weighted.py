"""M5 weighted scores over a hierarchy: :func:`wrmsse` (accuracy) and :func:`wspl`
(uncertainty). Hierarchy conventions (levels, node ids, weights): :mod:`._hierarchy`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._accuracy import evaluate_frame
from ._frame import require_columns
from ._hierarchy import (
    _BOTTOM,
    aggregate_hierarchy,
    check_covered,
    hierarchy_weights,
    level_name,
    levels_of,
    node_ids,
)
from ._polars import polars_io
from .exceptions import InvalidInputError, UndefinedMetricWarning

__all__ = ["wrmsse", "wspl"]


def _plain_mean(s: pd.Series) -> float:
    """Mean of a column, NaN when any value is NaN (no skipping)."""
    return float(s.to_numpy().mean())


@polars_io("df", "train_df", "hierarchy")
def wrmsse(
    df: pd.DataFrame,
    train_df: pd.DataFrame,
    hierarchy: pd.DataFrame,
    *,
    levels: Sequence[Sequence[str]] | None = None,
    models: Sequence[str] | None = None,
    price_col: str | None = "price",
    weight_periods: int = 28,
    seasonality: int | None = None,
) -> pd.DataFrame:
    """Weighted RMSSE over a hierarchy, as in the M5 accuracy competition.

    For every level l (L levels) and node i (a sum of bottom series), RMSSE_i is
    ``rmsse_m5`` of the node's summed forecasts (scale from its first non-zero training
    value). The weight w_i is the node's dollar sales (Σ units × price) over the last
    ``weight_periods`` training dates, divided by the level's total, so each level's
    weights sum to 1. Then WRMSSE_l = Σ_i w_i RMSSE_i and WRMSSE = (1/L) Σ_l WRMSSE_l,
    which is M5's Σ over all series with weights summing to 1/L per level.

    Args:
        df: bottom-level forecasts ``unique_id, ds, [cutoff,] y, <model>...`` (point
            forecasts add up, so nodes are summed from them). With a ``cutoff`` column
            every cutoff is scored on its own (history and weights as of the cutoff).
        train_df: bottom-level history ``unique_id, ds, y`` and ``price_col``.
        hierarchy: one row per ``unique_id`` with grouping columns (store, dept...);
            series of ``hierarchy`` absent from ``df`` are left out.
        levels: lists of hierarchy columns, e.g. ``[[], ["store"], ["store", "dept"],
            ["unique_id"]]``; default: the total, each column alone, then the bottom.
        models: the model columns (default: every non-reserved column).
        price_col: price column of ``train_df``; ``None`` weighs by units.
        weight_periods: the number of last training dates that set the weights (M5: 28).
        seasonality: m of the scale (default None = 1, as M5).

    Returns:
        DataFrame ``[cutoff,] level, <model>...``: one row per level (named ``"total"``,
        ``"store"``, ``"store/dept"``, ``"unique_id"``...) then a ``"WRMSSE"`` row.

    Raises:
        MissingColumnError, InvalidInputError, InvalidSeriesError: unknown level columns,
            series missing from ``hierarchy``/``train_df``, prices missing on sale days.

    Warns:
        UndefinedMetricWarning: a node with positive weight has an undefined RMSSE.
    """
    return weighted_score(
        "rmsse_m5",
        "WRMSSE",
        df,
        train_df,
        hierarchy,
        levels=levels,
        models=models,
        price_col=price_col,
        weight_periods=weight_periods,
        seasonality=seasonality,
        level=None,
        node_forecasts=False,
    )


@polars_io("df", "train_df", "hierarchy")
def wspl(
    df: pd.DataFrame,
    train_df: pd.DataFrame,
    hierarchy: pd.DataFrame,
    *,
    levels: Sequence[Sequence[str]] | None = None,
    models: Sequence[str] | None = None,
    level: Sequence[float] | None = None,
    price_col: str | None = "price",
    weight_periods: int = 28,
    seasonality: int | None = None,
) -> pd.DataFrame:
    """Weighted scaled pinball loss over a hierarchy, as in the M5 uncertainty competition.

    SPL_i = mean over the model's quantiles u of pinball_u / s₁ (``spl_m5``: scale from the
    node's first non-zero training value); weights and averaging over levels as in
    :func:`wrmsse`. M5 used the quantiles 0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835,
    0.975, 0.995 (intervals at 50/67/95/99 plus a ``-q-50`` median column).

    Args:
        df: quantile forecasts for **every node** of every level: quantiles do not add up,
            so node forecasts must be supplied (rows with ``unique_id`` = the node ids of
            :func:`aggregate_hierarchy`: ``"total"``, ``"store=CA_1"``, bottom ids...).
            Columns ``<model>-lo-<L>``/``<model>-hi-<L>`` and/or ``<model>-q-<pct>``.
        train_df: bottom-level history ``unique_id, ds, y`` and ``price_col``.
        hierarchy, levels, models, price_col, weight_periods, seasonality: as in
            :func:`wrmsse`.
        level: interval levels to use (default: all present).

    Returns:
        DataFrame ``[cutoff,] level, <model>...`` with one row per level then ``"WSPL"``.

    Raises:
        InvalidInputError: a node has no forecast rows. Others as :func:`wrmsse`.

    Warns:
        UndefinedMetricWarning: a node with positive weight has an undefined SPL.
    """
    return weighted_score(
        "spl_m5",
        "WSPL",
        df,
        train_df,
        hierarchy,
        levels=levels,
        models=models,
        price_col=price_col,
        weight_periods=weight_periods,
        seasonality=seasonality,
        level=level,
        node_forecasts=True,
    )


def weighted_score(
    metric: str,
    total_name: str,
    df: pd.DataFrame,
    train_df: pd.DataFrame,
    hierarchy: pd.DataFrame,
    *,
    levels: Sequence[Sequence[str]] | None,
    models: Sequence[str] | None,
    price_col: str | None,
    weight_periods: int,
    seasonality: int | None,
    level: Sequence[float] | None,
    node_forecasts: bool,
) -> pd.DataFrame:
    """Shared engine of :func:`shelfcast.metrics.wrmsse` and :func:`~shelfcast.metrics.wspl`.

    ``node_forecasts``: ``df`` already holds every node's forecasts (WSPL: quantiles do not
    add up); otherwise the bottom forecasts are summed into the nodes (WRMSSE).
    """
    lvls = levels_of(hierarchy, levels)
    require_columns(df, [_BOTTOM, "ds", "y"], "df")
    require_columns(train_df, [_BOTTOM, "ds", "y"], "train_df")
    has_cutoff = "cutoff" in df.columns
    if not node_forecasts:
        check_covered(df[_BOTTOM], hierarchy, "df")
        hierarchy = hierarchy[hierarchy[_BOTTOM].isin(df[_BOTTOM].unique())]
    train_df = train_df[train_df[_BOTTOM].isin(hierarchy[_BOTTOM])]
    train_nodes = aggregate_hierarchy(train_df, hierarchy, lvls, ["y"]).drop(columns="level")
    if node_forecasts:
        nodes = df
        wanted = pd.concat(
            [node_ids(hierarchy, lv).drop_duplicates() for lv in lvls], ignore_index=True
        )
        missing = pd.Index(wanted.unique()).difference(pd.Index(df[_BOTTOM].unique()))
        if len(missing):
            raise InvalidInputError(
                f"df has no forecasts for node {missing[0]!r} ({len(missing)} nodes missing); "
                f"build node series with aggregate_hierarchy()"
            )
    else:
        nodes = aggregate_hierarchy(df, hierarchy, lvls).drop(columns="level")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = evaluate_frame(
            nodes,
            [metric],
            models=models,
            train_df=train_nodes,
            seasonality=seasonality,
            aggregate=False,
            level=level,
            long=False,
        ).drop(columns="metric")
    model_names = [c for c in scores.columns if c not in (_BOTTOM, "cutoff")]
    cutoffs = list(np.unique(scores["cutoff"])) if has_cutoff else None
    weights = hierarchy_weights(
        train_df,
        hierarchy,
        lvls,
        price_col=price_col,
        weight_periods=weight_periods,
        cutoffs=cutoffs,
    )
    keys = [_BOTTOM] + (["cutoff"] if has_cutoff else [])
    merged = weights.merge(scores, on=keys, how="left", indicator=True)
    lost = (merged["_merge"] == "left_only") & (merged["weight"] > 0)
    if lost.any():
        row = merged[lost].iloc[0]
        raise InvalidInputError(
            f"node {row[_BOTTOM]!r} has sales weight {row['weight']:.3g} but no forecast "
            f"rows in df" + (f" for cutoff {row['cutoff']}" if has_cutoff else "")
        )
    values = merged[model_names].to_numpy(dtype=np.float64)
    w = merged["weight"].to_numpy()[:, None]
    contrib = np.where(w == 0, 0.0, w * values)
    for msg in caught:
        if not issubclass(msg.category, UndefinedMetricWarning) or not np.isfinite(contrib).all():
            warnings.warn(msg.message, msg.category, stacklevel=4)  # ... <- polars_io <- caller
    by = (["cutoff"] if has_cutoff else []) + ["level"]
    codes = merged.groupby(by, sort=False).ngroup().to_numpy()
    first = np.unique(codes, return_index=True)[1]
    per_level = merged.iloc[first][by].reset_index(drop=True)
    for j, name in enumerate(model_names):
        per_level[name] = np.bincount(codes, weights=contrib[:, j], minlength=len(first))
    order = {level_name(lv): i for i, lv in enumerate(lvls)}
    per_level["_order"] = per_level["level"].map(order)
    totals = per_level.groupby(by[:-1], sort=True)[model_names] if has_cutoff else None
    if totals is None:
        total = pd.DataFrame([per_level[model_names].mean(skipna=False)])
        total["_order"] = len(order)
    else:
        total = totals.agg(_plain_mean).reset_index()
        total["_order"] = len(order)
    total["level"] = total_name
    out = pd.concat([per_level, total[per_level.columns]], ignore_index=True)
    out = out.sort_values([*by[:-1], "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)
