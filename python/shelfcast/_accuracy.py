"""Forecast accuracy over a forecast or cross-validation frame (the engine behind
:meth:`shelfcast.SalesMetrics.evaluate`). Metric definitions: :mod:`shelfcast.metrics`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _core
from ._frame import parse_freq, to_panel
from ._groups import Groups, group_frame
from .exceptions import (
    InvalidInputError,
    InvalidParameterError,
    MissingColumnError,
    UndefinedMetricWarning,
)

__all__ = ["ModelColumns", "evaluate_frame", "model_columns", "resolve_seasonality"]

POINT = ("mae", "mse", "rmse", "bias", "mape", "smape", "wape")
SCALED = ("mase", "rmsse", "mase_m5", "rmsse_m5", "spl", "spl_m5")
QUANTILE = ("pinball", "spl", "spl_m5")
KNOWN = (*POINT, "mase", "rmsse", "mase_m5", "rmsse_m5", "pinball", "spl", "spl_m5")
_PATTERNS = ("pinball_q<u>", "coverage[_<level>]", "winkler[_<level>]")
_RESERVED = {"unique_id", "ds", "y", "cutoff"}
_SUFFIX = re.compile(r"^(?P<model>.+)-(?P<kind>lo|hi|q)-(?P<value>\d+(?:\.\d+)?)$")


def fmt(v: float) -> str:
    """A level or quantile as it appears in metric names (``80``, ``0.025``)."""
    return f"{round(float(v), 10):g}"


@dataclass
class ModelColumns:
    """The columns of one model: point forecast, quantiles and central intervals."""

    name: str
    point: str | None = None
    quantiles: dict[float, str] = field(default_factory=dict)
    intervals: dict[float, tuple[str, str]] = field(default_factory=dict)


def model_columns(
    columns: Sequence[str], models: Sequence[str] | None, level: Sequence[float] | None
) -> list[ModelColumns]:
    """Find each model's columns: ``<m>``, ``<m>-lo-<L>``/``<m>-hi-<L>``, ``<m>-q-<u>``.

    Args:
        columns: the frame's columns.
        models: model names (default: every column that is not ``unique_id, ds, y,
            cutoff`` or an interval/quantile column, plus the base name of those).
        level: interval levels to use (default: every level with both bounds present).

    Returns:
        One entry per model. Quantiles come from ``-q-`` columns and from interval bounds
        (the lower bound of a level-L interval is quantile (100 − L)/200).

    Raises:
        InvalidParameterError: no model, or a requested level lacks a bound column.
    """
    cols = [str(c) for c in columns]
    suffixed: dict[str, list[tuple[str, float, str]]] = {}
    for c in cols:
        m = _SUFFIX.match(c)
        if m:
            suffixed.setdefault(m["model"], []).append((m["kind"], float(m["value"]), c))
    if models is None:
        names = [c for c in cols if c not in _RESERVED and not _SUFFIX.match(c)]
        names += [m for m in suffixed if m not in names]
    else:
        names = [str(m) for m in models]
    if not names:
        raise InvalidParameterError("df has no model column to evaluate")
    out = []
    for name in names:
        mc = ModelColumns(name, point=name if name in cols else None)
        bounds: dict[float, dict[str, str]] = {}
        for kind, value, col in suffixed.get(name, []):
            if kind == "q":
                if not 0 < value < 1:
                    raise InvalidParameterError(f"column {col!r}: quantile must be in (0, 1)")
                mc.quantiles[round(value, 10)] = col
            else:
                bounds.setdefault(value, {})[kind] = col
        levels = sorted(bounds) if level is None else [float(v) for v in level]
        for lv in levels:
            pair = bounds.get(lv, {})
            if "lo" in pair and "hi" in pair:
                mc.intervals[lv] = (pair["lo"], pair["hi"])
                mc.quantiles.setdefault(round((100 - lv) / 200, 10), pair["lo"])
                mc.quantiles.setdefault(round((100 + lv) / 200, 10), pair["hi"])
            elif level is not None:
                raise InvalidParameterError(
                    f"level {fmt(lv)} needs columns '{name}-lo-{fmt(lv)}' and '{name}-hi-{fmt(lv)}'"
                )
        if mc.point is None and not mc.quantiles:
            raise MissingColumnError(f"df has no column for model {name!r}")
        mc.quantiles = dict(sorted(mc.quantiles.items()))
        out.append(mc)
    return out


def expand_metrics(metrics: Sequence[str], models: list[ModelColumns]) -> list[str]:
    """Check metric names and expand ``coverage``/``winkler`` to one name per level.

    Raises:
        InvalidParameterError: an unknown name, or ``coverage`` without intervals.
    """
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = [str(m).lower() for m in metrics]
    if not metrics:
        raise InvalidParameterError("metrics must name at least one metric")
    levels = sorted(set.intersection(*(set(m.intervals) for m in models)))
    out: list[str] = []
    for name in metrics:
        if name in ("coverage", "winkler"):
            if not levels:
                raise InvalidParameterError(
                    f"{name!r} needs interval columns '<model>-lo-<level>' and "
                    f"'<model>-hi-<level>' for every model"
                )
            out += [f"{name}_{fmt(lv)}" for lv in levels]
        elif name in KNOWN or re.match(r"^(pinball_q|coverage_|winkler_)[\d.]+$", name):
            out.append(name)
        else:
            raise InvalidParameterError(
                f"unknown metric {name!r}; known: {list(KNOWN)} and {list(_PATTERNS)}"
            )
    return list(dict.fromkeys(out))


def resolve_seasonality(seasonality: object) -> int:
    """``None`` means 1 (the one-step naive scale of M5 and of non-seasonal MASE).

    Raises:
        InvalidParameterError: not an integer >= 1.
    """
    if seasonality is None:
        return 1
    if isinstance(seasonality, bool) or not isinstance(seasonality, (int, np.integer)):
        raise InvalidParameterError(f"seasonality must be an int >= 1, got {seasonality!r}")
    if seasonality < 1:
        raise InvalidParameterError(f"seasonality must be >= 1, got {seasonality}")
    return int(seasonality)


def train_windows(groups: Groups, train_df: pd.DataFrame) -> dict[str, np.ndarray]:
    """The training window of every group: the series' history up to its cutoff.

    Raises:
        InvalidInputError: a series is absent from ``train_df``.
    """
    train = to_panel(train_df, parse_freq("D"), what="train_df", check_regular=False)
    pos = pd.Index(train.ids).get_indexer(groups.ids)
    if (pos < 0).any():
        missing = groups.ids[pos < 0]
        raise InvalidInputError(
            f"series {missing[0]!r} is in df but not in train_df "
            f"({len(np.unique(missing))} series missing)"
        )
    cutoffs = None if groups.cutoffs is None else groups.cutoffs.view(np.int64)
    starts, ends = _core.Accuracy.train_windows(
        train.ds.view(np.int64), train.offsets, pos.astype(np.int64), cutoffs
    )
    return {"train_y": train.y, "train_starts": starts, "train_ends": ends}


def score(
    groups: Groups,
    df: pd.DataFrame,
    models: list[ModelColumns],
    metrics: list[str],
    train: dict[str, np.ndarray] | None,
    seasonality: int,
) -> np.ndarray:
    """Run the native kernel: an array of shape (n_groups, n_metrics, n_models)."""
    args = []
    for mc in models:
        point = None if mc.point is None else groups.column(df, mc.point)
        qs = [(u, groups.column(df, c)) for u, c in mc.quantiles.items()]
        iv = [
            (lv, groups.column(df, lo), groups.column(df, hi))
            for lv, (lo, hi) in mc.intervals.items()
        ]
        args.append((mc.name, point, qs, iv))
    return _core.Accuracy.evaluate(
        groups.y, groups.offsets, args, metrics, seasonality=seasonality, **(train or {})
    )


def warn_undefined(
    values: np.ndarray, groups: Groups, metrics: list[str], models: list[str]
) -> None:
    """Warn (never silently) about NaN or infinite scores, naming a series."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    g, k, j = (int(v[0]) for v in np.nonzero(bad))
    what = "undefined (NaN)" if np.isnan(values[g, k, j]) else "infinite"
    warnings.warn(
        f"{int(bad.sum())} score(s) are NaN or infinite, e.g. {metrics[k]} of model "
        f"{models[j]!r} for series {groups.ids[g]!r}{groups._cutoff_text(g)} is {what}: a "
        f"zero or undefined denominator (constant or too short training history, all-zero "
        f"actuals). Aggregates skip NaN.",
        UndefinedMetricWarning,
        stacklevel=4,  # warn_undefined <- evaluate_frame <- SalesMetrics.evaluate <- caller
    )


def evaluate_frame(
    df: pd.DataFrame,
    metrics: Sequence[str],
    *,
    models: Sequence[str] | None,
    train_df: pd.DataFrame | None,
    seasonality: int | None,
    aggregate: bool,
    level: Sequence[float] | None,
    long: bool,
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.evaluate`."""
    groups = group_frame(df)
    mcs = model_columns(df.columns, models, level)
    names = expand_metrics(metrics, mcs)
    m = resolve_seasonality(seasonality)
    train = None
    if any(n in SCALED for n in names):
        if train_df is None:
            raise InvalidParameterError(
                "train_df is required for the scaled metrics (mase, rmsse, spl, *_m5)"
            )
        train = train_windows(groups, train_df)
    values = score(groups, df, mcs, names, train, m)
    model_names = [mc.name for mc in mcs]
    warn_undefined(values, groups, names, model_names)
    if aggregate:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            agg = np.nanmean(values, axis=0)
        out = pd.DataFrame({"metric": names})
        for j, name in enumerate(model_names):
            out[name] = agg[:, j]
        return out if not long else _to_long(out, ["metric"], model_names)
    n_groups, n_metrics = values.shape[:2]
    out = pd.DataFrame({"unique_id": np.repeat(groups.ids, n_metrics)})
    keys = ["unique_id"]
    if groups.cutoffs is not None:
        out["cutoff"] = np.repeat(groups.cutoffs, n_metrics)
        keys.append("cutoff")
    out["metric"] = np.tile(np.array(names, dtype=object), n_groups)
    flat = values.reshape(n_groups * n_metrics, len(model_names))
    for j, name in enumerate(model_names):
        out[name] = flat[:, j]
    return out if not long else _to_long(out, [*keys, "metric"], model_names)


def _to_long(wide: pd.DataFrame, keys: list[str], models: list[str]) -> pd.DataFrame:
    long = wide.melt(id_vars=keys, value_vars=models, var_name="model", value_name="value")
    return long[[*keys[:-1], "model", keys[-1], "value"]]
