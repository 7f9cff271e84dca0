"""Plots of forecasts, simulated inventory and ABC/XYZ classes (matplotlib, optional).

matplotlib is an optional extra: ``pip install "shelfcast[plot]"``. Importing this module
does not import matplotlib; each function imports it when called and raises
:class:`MissingDependencyError` (an ``ImportError``) naming the extra when it is absent.

Every function returns the matplotlib ``Figure`` it drew on, so a notebook shows it and a
script can ``fig.savefig(...)`` it. The drawing is plain matplotlib: one ``Line2D`` per
curve, one ``PolyCollection`` (``fill_between``) per interval band, bar patches for
orders and an ``AxesImage`` for the ABC/XYZ heat map, each labelled; the legend is on the
first axes of a grid.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ._accuracy import fmt, model_columns
from ._frame import require_columns
from .exceptions import InvalidInputError, InvalidParameterError, ShelfcastError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["MissingDependencyError", "plot_abc_xyz", "plot_forecast", "plot_inventory"]

_EXTRA_HINT = 'shelfcast.plotting needs matplotlib: pip install "shelfcast[plot]"'


class MissingDependencyError(ShelfcastError, ImportError):
    """An optional dependency (here matplotlib, the ``plot`` extra) is not installed."""


def _pyplot() -> Any:
    """Import ``matplotlib.pyplot`` on first use, naming the extra when it is missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise MissingDependencyError(f"{_EXTRA_HINT} ({err})") from err
    return plt


def _axes_grid(
    n: int, ax: Axes | Sequence[Axes] | None, ncols: int, size: tuple[float, float]
) -> tuple[Figure, list[Axes]]:
    """``n`` axes: the caller's (one per panel) or a new figure with a grid of them."""
    plt = _pyplot()
    if ax is not None:
        if isinstance(ax, np.ndarray):  # plt.subplots' grid of axes
            axes = list(ax.ravel())
        else:
            axes = list(ax) if isinstance(ax, Sequence) else [ax]
        if len(axes) != n:
            raise InvalidParameterError(
                f"ax must hold one Axes per series: {n} needed, got {len(axes)}"
            )
        return cast("Figure", axes[0].figure), axes
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, grid = plt.subplots(
        nrows,
        ncols,
        figsize=(size[0] * ncols, size[1] * nrows),
        squeeze=False,
        layout="constrained",
    )
    flat: list[Axes] = list(grid.ravel())
    for extra in flat[n:]:
        extra.remove()
    return fig, flat[:n]


def _date_axis(axis: Axes, x: np.ndarray) -> None:
    """Readable dates on the x axis (matplotlib's concise formatter) when x holds dates."""
    if np.issubdtype(np.asarray(x).dtype, np.datetime64):
        mdates: Any = importlib.import_module("matplotlib.dates")

        locator = mdates.AutoDateLocator(maxticks=6)
        axis.xaxis.set_major_locator(locator)
        axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _select_ids(available: Sequence[Any], ids: Sequence[Any] | None, max_series: int) -> list[Any]:
    if ids is None:
        return list(available[:max_series])
    if isinstance(ids, str):
        ids = [ids]
    known = set(available)
    missing = [i for i in ids if i not in known]
    if missing:
        raise InvalidParameterError(f"series {missing[0]!r} is not in the forecast frame")
    if not ids:
        raise InvalidParameterError("ids is empty: name at least one series")
    return list(ids)


def plot_forecast(
    history_df: pd.DataFrame,
    forecast_df: pd.DataFrame,
    *,
    ids: Sequence[Any] | None = None,
    models: Sequence[str] | None = None,
    level: Sequence[float] | None = None,
    history_periods: int | None = None,
    max_series: int = 4,
    ncols: int = 2,
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """History and forecasts with interval bands, one axes per series.

    For each series: the history (``y`` of ``history_df``) as a black line, each model's
    point forecast as a line, and for each model and level a shaded band between the
    ``<model>-lo-<level>`` and ``<model>-hi-<level>`` columns. When ``forecast_df`` has a
    ``y`` column (forecasts merged with actuals), the actuals over the forecast horizon
    are drawn as a dotted black line.

    Args:
        history_df: ``unique_id, ds, y``: the sales history (training data).
        forecast_df: ``unique_id, ds, <model>...`` with optional interval columns, e.g. the
            output of :meth:`shelfcast.DemandForecaster.predict`; one row per series and
            date (take one cutoff of a cross-validation frame).
        ids: the series to draw (default: the first ``max_series`` of ``forecast_df`` in
            sorted order).
        models: the model columns to draw (default: every model column).
        level: the interval levels to shade (default: every level with both bounds; ``[]``
            for none).
        history_periods: show only the last this many periods of each history.
        max_series: how many series to draw when ``ids`` is None.
        ncols: columns of the axes grid of a new figure.
        ax: an Axes (one series) or one Axes per series to draw on instead of a new figure.

    Returns:
        The matplotlib Figure.

    Raises:
        MissingDependencyError: matplotlib is not installed.
        MissingColumnError, ColumnTypeError: a frame lacks ``unique_id, ds`` (and ``y``
            for the history) or a requested model column.
        InvalidParameterError: an unknown series, a level without both bound columns, a bad
            ``history_periods`` / ``max_series``, or ``ax`` not matching the series count.
        InvalidInputError: ``forecast_df`` repeats a (unique_id, ds) pair.
    """
    require_columns(history_df, ["unique_id", "ds", "y"], "history_df")
    require_columns(forecast_df, ["unique_id", "ds"], "forecast_df")
    for name, v in (("history_periods", history_periods), ("max_series", max_series)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1):
            raise InvalidParameterError(f"{name} must be an int >= 1, got {v!r}")
    if forecast_df.duplicated(["unique_id", "ds"]).any():
        raise InvalidInputError(
            "forecast_df repeats a (unique_id, ds) pair; plot one forecast per series and date "
            "(e.g. a single cutoff of a cross-validation frame)"
        )
    cols = [c for c in map(str, forecast_df.columns) if c != "cutoff"]
    specs = model_columns(cols, models, level)
    if level is not None and not level:
        for spec in specs:
            spec.intervals.clear()
    available = sorted(pd.unique(forecast_df["unique_id"]).tolist(), key=str)
    chosen = _select_ids(available, ids, max_series)
    fig, axes = _axes_grid(len(chosen), ax, ncols, (6.0, 3.0))
    plt = _pyplot()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    hist = history_df[history_df["unique_id"].isin(chosen)]
    fcst = forecast_df[forecast_df["unique_id"].isin(chosen)]
    for uid, axis in zip(chosen, axes, strict=True):
        h = hist[hist["unique_id"] == uid].sort_values("ds")
        if history_periods is not None:
            h = h.tail(history_periods)
        f = fcst[fcst["unique_id"] == uid].sort_values("ds")
        axis.plot(h["ds"], h["y"], color="black", linewidth=1.0, label="history")
        if "y" in f.columns:
            axis.plot(f["ds"], f["y"], color="black", linestyle=":", linewidth=1.0, label="actual")
        for k, spec in enumerate(specs):
            color = colors[k % len(colors)]
            for j, (lv, (lo, hi)) in enumerate(sorted(spec.intervals.items(), reverse=True)):
                axis.fill_between(
                    f["ds"].to_numpy(),
                    f[lo].to_numpy(dtype=np.float64),
                    f[hi].to_numpy(dtype=np.float64),
                    color=color,
                    alpha=0.15 + 0.1 * j,
                    linewidth=0,
                    label=f"{spec.name} {fmt(lv)}%",
                )
            if spec.point is not None:
                axis.plot(f["ds"], f[spec.point], color=color, linewidth=1.5, label=spec.name)
        _date_axis(axis, f["ds"].to_numpy() if len(f) else h["ds"].to_numpy())
        axis.set_title(str(uid))
        axis.set_xlabel("ds")
        axis.set_ylabel("y")
    # the series share their legend entries: one legend, on the first axes
    axes[0].legend(fontsize="small", loc="upper left")
    return fig


def plot_inventory(
    trace_df: pd.DataFrame,
    *,
    ids: Sequence[Any] | None = None,
    plan: pd.DataFrame | None = None,
    max_series: int = 4,
    ncols: int = 1,
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """Inventory trajectory of a policy simulation, one axes per item.

    Draws, per item and period of the trace of :meth:`shelfcast.ReorderPlanner.simulate`
    (``trace=True``) or :func:`shelfcast.simulation.simulate_policy`: ``on_hand`` (end of
    period stock) and ``on_order`` as step lines, ``backorders`` as a step line when any
    are outstanding, each order placed as a bar of height ``ordered``, each period with
    unmet demand (``short > 0``) as a red marker at zero, and with ``plan`` the item's
    ``reorder_point`` (and ``order_up_to`` when finite) as horizontal lines.

    Args:
        trace_df: the trace: ``unique_id``, ``ds`` or ``period``, ``on_hand, on_order,
            ordered, short`` (optionally ``backorders``).
        ids: the items to draw (default: the first ``max_series`` in sorted order).
        plan: a plan or policy frame with ``unique_id`` and ``reorder_point`` /
            ``order_up_to`` to draw as reference lines.
        max_series: how many items to draw when ``ids`` is None.
        ncols: columns of the axes grid of a new figure.
        ax: an Axes (one item) or one Axes per item to draw on instead of a new figure.

    Returns:
        The matplotlib Figure.

    Raises:
        MissingDependencyError: matplotlib is not installed.
        MissingColumnError, ColumnTypeError: a trace column is absent.
        InvalidParameterError: an unknown item, or ``ax`` not matching the item count.
    """
    require_columns(trace_df, ["unique_id", "on_hand", "on_order", "ordered", "short"], "trace_df")
    time = "ds" if "ds" in trace_df.columns else "period"
    require_columns(trace_df, [time], "trace_df")
    if plan is not None:
        require_columns(plan, ["unique_id"], "plan")
    if isinstance(max_series, bool) or not isinstance(max_series, (int, np.integer)):
        raise InvalidParameterError(f"max_series must be an int >= 1, got {max_series!r}")
    if max_series < 1:
        raise InvalidParameterError(f"max_series must be an int >= 1, got {max_series!r}")
    available = sorted(pd.unique(trace_df["unique_id"]).tolist(), key=str)
    chosen = _select_ids(available, ids, max_series)
    fig, axes = _axes_grid(len(chosen), ax, ncols, (9.0, 3.0))
    levels = plan.set_index("unique_id") if plan is not None else None
    for uid, axis in zip(chosen, axes, strict=True):
        t = trace_df[trace_df["unique_id"] == uid].sort_values(time)
        x = t[time].to_numpy()
        axis.step(x, t["on_hand"], where="post", color="C0", label="on hand")
        axis.step(x, t["on_order"], where="post", color="C1", linestyle="--", label="on order")
        if "backorders" in t.columns and (t["backorders"] > 0).any():
            axis.step(x, t["backorders"], where="post", color="C3", label="backorders")
        placed = t["ordered"].to_numpy(dtype=np.float64) > 0
        width = (np.diff(x).min() if len(x) > 1 else 1) * 0.8
        axis.bar(
            x[placed],
            t["ordered"].to_numpy(dtype=np.float64)[placed],
            width=width,
            color="C2",
            alpha=0.5,
            label="order placed",
        )
        short = t["short"].to_numpy(dtype=np.float64) > 0
        axis.scatter(
            x[short], np.zeros(int(short.sum())), color="red", marker="x", zorder=3,
            label="stockout",
        )  # fmt: skip
        if levels is not None and uid in levels.index:
            row = levels.loc[uid]
            for col, style in (("reorder_point", ":"), ("order_up_to", "-.")):
                if col in levels.columns and np.isfinite(float(row[col])):
                    axis.axhline(
                        float(row[col]), color="grey", linestyle=style, label=col.replace("_", " ")
                    )
        _date_axis(axis, x)
        axis.set_title(str(uid))
        axis.set_xlabel(time)
        axis.set_ylabel("units")
    axes[0].legend(fontsize="small", loc="upper right")
    return fig


_ABC = ["A", "B", "C"]
_XYZ = ["X", "Y", "Z"]


def plot_abc_xyz(
    matrix_or_summary: pd.DataFrame,
    *,
    ax: Axes | None = None,
    cmap: str = "Blues",
) -> Figure:
    """The ABC/XYZ matrix as a heat map: items per cell, annotated with their value share.

    Args:
        matrix_or_summary: either the per-item output of
            :meth:`shelfcast.SalesMetrics.abc_xyz` (``abc, xyz`` and ``share`` columns;
            colour = item count, text = count and share of the total value), or a 3 × 3
            matrix with index A, B, C and columns X, Y, Z (colour and text = its values).
        ax: the Axes to draw on (default: a new figure).
        cmap: the matplotlib colour map.

    Returns:
        The matplotlib Figure; its image holds the 3 × 3 values (rows A, B, C; columns
        X, Y, Z).

    Raises:
        MissingDependencyError: matplotlib is not installed.
        MissingColumnError, ColumnTypeError: neither layout is recognised.
        InvalidInputError: a class label other than A/B/C or X/Y/Z.
    """
    plt = _pyplot()
    frame = matrix_or_summary
    if isinstance(frame, pd.DataFrame) and {"abc", "xyz"} <= set(frame.columns):
        bad = ~frame["abc"].isin(_ABC) | ~frame["xyz"].isin(_XYZ)
        if bad.any():
            row = frame[bad].iloc[0]
            raise InvalidInputError(f"unknown ABC/XYZ class {row['abc']!r}/{row['xyz']!r}")
        counts = pd.crosstab(frame["abc"], frame["xyz"]).reindex(
            index=_ABC, columns=_XYZ, fill_value=0
        )
        values = counts.to_numpy(dtype=np.float64)
        share = None
        if "share" in frame.columns:
            share = (
                frame.groupby(["abc", "xyz"])["share"]
                .sum()
                .unstack()
                .reindex(index=_ABC, columns=_XYZ)
                .fillna(0.0)
                .to_numpy()
            )
        text = [
            [
                f"{int(values[i, j])} items"
                + ("" if share is None else f"\n{100 * share[i, j]:.1f}% value")
                for j in range(3)
            ]
            for i in range(3)
        ]
        colorbar_label = "items"
    else:
        require_columns(frame, _XYZ, "matrix_or_summary")
        missing = [r for r in _ABC if r not in frame.index]
        if missing:
            raise InvalidInputError(
                f"matrix_or_summary has no row {missing[0]!r}: pass the per-item abc_xyz "
                f"output or a matrix with index A, B, C and columns X, Y, Z"
            )
        values = frame.loc[_ABC, _XYZ].to_numpy(dtype=np.float64)
        text = [[f"{values[i, j]:.4g}" for j in range(3)] for i in range(3)]
        colorbar_label = "value"
    fig: Figure
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.0, 4.0), layout="constrained")
    else:
        fig = cast("Figure", ax.figure)
    image = ax.imshow(values, cmap=cmap)
    top = np.nanmax(values) if values.size else 0.0
    for i in range(3):
        for j in range(3):
            dark = top > 0 and values[i, j] > 0.6 * top
            ax.text(j, i, text[i][j], ha="center", va="center", color="white" if dark else "black")
    ax.set_xticks(range(3), _XYZ)
    ax.set_yticks(range(3), _ABC)
    ax.set_xlabel("XYZ (variability)")
    ax.set_ylabel("ABC (value)")
    ax.set_title("ABC/XYZ matrix")
    fig.colorbar(image, ax=ax, label=colorbar_label)
    return fig
