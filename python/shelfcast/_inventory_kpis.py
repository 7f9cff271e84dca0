"""Inventory analytics behind :class:`shelfcast.SalesMetrics`: KPIs from an inventory
history, phantom stock, shrinkage (book vs counted) and supplier lead times. Definitions
are documented on the public methods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from . import _core
from ._frame import Panel, _datetimes, _numeric, require_columns
from .exceptions import DuplicateRowError, InvalidInputError, InvalidParameterError

__all__ = ["inventory_kpis", "lead_time_stats", "phantom_stock", "robust_z", "shrinkage"]


def robust_z(values: np.ndarray) -> np.ndarray:
    """Modified z-scores (x − median) / (1.4826·MAD), falling back to 1.2533·mean |x − median|
    when MAD = 0, and 0 when both are 0 (NaN values stay NaN)."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    out = np.full(len(v), np.nan)
    if not ok.any():
        return out
    med = np.median(v[ok])
    dev = np.abs(v[ok] - med)
    mad = np.median(dev)
    scale = 1.4826 * mad if mad > 0 else 1.253314 * dev.mean()
    out[ok] = (v[ok] - med) / scale if scale > 0 else 0.0
    return out


def _aligned(panel: Panel, frame: pd.DataFrame, col: str, what: str) -> np.ndarray:
    """``frame[col]`` aligned with the panel rows by (unique_id, ds); NaN where absent."""
    require_columns(frame, ["unique_id", "ds", col], what)
    ds = _datetimes(frame, "ds", what)
    keys = pd.MultiIndex.from_arrays([frame["unique_id"].to_numpy(), ds])
    if keys.has_duplicates:
        dup = cast(tuple[Any, Any], keys[keys.duplicated()][0])
        raise DuplicateRowError(
            f"{what} has more than one row for series {dup[0]!r} at {pd.Timestamp(dup[1])}"
        )
    values = pd.Series(_numeric(frame, col, what), index=keys)
    target = pd.MultiIndex.from_arrays([panel.series_ids(), panel.ds])
    return np.ascontiguousarray(values.reindex(target).to_numpy(dtype=np.float64))


def _per_item(value: object, ids: np.ndarray, name: str) -> np.ndarray:
    if value is None:
        return np.full(len(ids), np.nan)
    if isinstance(value, (Mapping, pd.Series)):
        return pd.Series(value, dtype=np.float64).reindex(ids).to_numpy()
    try:
        return np.full(len(ids), float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} must be a number or a mapping / Series unique_id -> value"
        ) from None


def inventory_kpis(
    panel: Panel,
    price: np.ndarray | None,
    inventory: pd.DataFrame,
    unit_cost: object,
    recent: int,
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.inventory_kpis`."""
    if isinstance(recent, bool) or not isinstance(recent, (int, np.integer)) or recent < 1:
        raise InvalidParameterError(f"recent must be an int >= 1, got {recent!r}")
    on_hand = _aligned(panel, inventory, "on_hand", "inventory")
    if unit_cost is None and "unit_cost" in inventory.columns:
        unit_cost = inventory.groupby("unique_id")["unit_cost"].first()
    cost = _per_item(unit_cost, panel.ids, "unit_cost")
    raw = _core.InventoryAnalytics.kpis(panel.y, panel.offsets, on_hand, price, cost, int(recent))
    out = pd.DataFrame({"unique_id": panel.ids, **raw})
    out["periods"] = out["periods"].astype(np.int64)
    if price is None or np.isnan(cost).all():
        out = out.drop(columns="gmroi")
    return out


def phantom_stock(
    panel: Panel, inventory: pd.DataFrame, alpha: float, min_run: int
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.phantom_stock`."""
    if not 0 < alpha < 1:
        raise InvalidParameterError(f"alpha must be in (0, 1), got {alpha!r}")
    if isinstance(min_run, bool) or not isinstance(min_run, (int, np.integer)) or min_run < 1:
        raise InvalidParameterError(f"min_run must be an int >= 1, got {min_run!r}")
    require_columns(inventory, ["unique_id", "on_hand"], "inventory")
    history = "ds" in inventory.columns
    starts = panel.offsets[:-1]
    last = panel.offsets[1:] - 1
    if history:
        on_hand = _aligned(panel, inventory, "on_hand", "inventory")
        in_stock = np.nan_to_num(on_hand, nan=0.0) > 0
        final = on_hand[last]
    else:
        snap = inventory.set_index("unique_id")["on_hand"]
        if snap.index.has_duplicates:
            dup = snap.index[snap.index.duplicated()][0]
            raise DuplicateRowError(f"inventory has more than one row for unique_id {dup!r}")
        final = snap.reindex(panel.ids).to_numpy(dtype=np.float64)
        in_stock = np.ones(len(panel.y), dtype=bool)
    raw = _core.InventoryAnalytics.phantom(panel.y, panel.offsets, in_stock, not history)
    length = raw["length"]
    run_start = np.full(len(length), np.datetime64("NaT"), dtype="datetime64[ns]")
    has = length > 0
    run_start[has] = panel.ds[starts[has] + raw["start"][has]]
    run_end = np.full(len(length), np.datetime64("NaT"), dtype="datetime64[ns]")
    run_end[has] = panel.ds[starts[has] + raw["start"][has] + length[has] - 1]
    stocked = np.nan_to_num(final, nan=0.0) > 0 if not history else has
    flag = has & stocked & (length >= min_run) & (raw["probability"] < alpha)
    return pd.DataFrame(
        {
            "unique_id": panel.ids,
            "on_hand": final,
            "run_start": run_start,
            "run_end": run_end,
            "run_length": length,
            "sell_rate": raw["sell_rate"],
            "probability": raw["probability"],
            "phantom": flag,
        }
    )


def _value_column(df: pd.DataFrame, names: Sequence[str], what: str) -> str:
    for n in names:
        if n in df.columns:
            return n
    raise InvalidInputError(f"{what} needs a column named one of {list(names)}")


def shrinkage(
    book: pd.DataFrame, counted: pd.DataFrame, unit_cost: object, threshold: float
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.shrinkage`."""
    require_columns(book, ["unique_id"], "book")
    require_columns(counted, ["unique_id"], "counted")
    bcol = _value_column(book, ("book", "on_hand"), "book")
    ccol = _value_column(counted, ("counted", "on_hand"), "counted")
    keys = ["unique_id"] + (["ds"] if "ds" in book.columns and "ds" in counted.columns else [])
    for frame, what in ((book, "book"), (counted, "counted")):
        if frame.duplicated(keys).any():
            row = frame[frame.duplicated(keys)].iloc[0]
            raise DuplicateRowError(f"{what} has more than one row for {row[keys].to_dict()}")
    b = book[keys].assign(book=_numeric(book, bcol, "book"))
    c = counted[keys].assign(counted=_numeric(counted, ccol, "counted"))
    if "unit_cost" in book.columns and unit_cost is None:
        b["unit_cost"] = _numeric(book, "unit_cost", "book")
    out = b.merge(c, on=keys, how="inner").sort_values(keys, ignore_index=True)
    for col in ("book", "counted"):
        bad = ~np.isfinite(out[col].to_numpy())
        if bad.any():
            raise InvalidInputError(
                f"{col} quantity is missing for {out.loc[bad.argmax(), keys].to_dict()}"
            )
    out["shrink_units"] = out["book"] - out["counted"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(
            out["book"] > 0,
            out["shrink_units"] / out["book"].where(out["book"] > 0, 1.0),
            np.where(out["shrink_units"] == 0, np.nan, np.inf),
        )
    out["shrink_rate"] = rate
    if unit_cost is not None:
        out["unit_cost"] = _per_item(unit_cost, out["unique_id"].to_numpy(), "unit_cost")
    if "unit_cost" in out.columns:
        out["shrink_value"] = out["shrink_units"] * out["unit_cost"]
    out["z"] = robust_z(np.where(np.isfinite(rate), rate, np.nan))
    out["flag"] = (out["z"] > threshold) | np.isinf(rate)
    return out


def lead_time_stats(
    purchase_orders: pd.DataFrame,
    by: Sequence[str] | None,
    order_col: str,
    receipt_col: str,
    quantiles: Sequence[float],
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.lead_time_stats`."""
    require_columns(purchase_orders, [order_col, receipt_col], "purchase_orders")
    if by is None:
        by = [c for c in ("supplier", "unique_id") if c in purchase_orders.columns]
        if not by:
            raise InvalidInputError("purchase_orders needs a supplier and/or unique_id column")
    by = list(by)
    require_columns(purchase_orders, by, "purchase_orders")
    qs = [float(q) for q in quantiles]
    if any(not 0 <= q <= 1 for q in qs):
        raise InvalidParameterError(f"quantiles must be in [0, 1], got {qs}")
    ordered = _datetimes(purchase_orders, order_col, "purchase_orders")
    received = purchase_orders[receipt_col]
    if not pd.api.types.is_datetime64_any_dtype(received):
        raise InvalidParameterError(
            f"purchase_orders column {receipt_col!r} must be datetime64 (NaT for open orders)"
        )
    received_at = received.to_numpy(dtype="datetime64[ns]")
    days = (received_at - ordered) / np.timedelta64(1, "D")
    early = np.isfinite(days) & (days < 0)
    if early.any():
        pos = int(np.flatnonzero(early)[0])
        row = purchase_orders.iloc[pos]
        raise InvalidInputError(
            f"purchase order at row {pos} ({row[by].to_dict()}) was received "
            f"{pd.Timestamp(received_at[pos])} before it was ordered {pd.Timestamp(ordered[pos])}"
        )
    frame = purchase_orders[by].assign(lead_time=days)
    g = frame.groupby(by, sort=True, dropna=False)["lead_time"]
    out = pd.DataFrame(
        {
            "n_orders": g.count(),
            "n_open": g.size() - g.count(),
            "lead_time": g.mean(),
            "lead_time_sd": g.std(ddof=1),
            "min": g.min(),
        }
    )
    for q in qs:
        out[f"p{round(q * 100, 6):g}"] = g.quantile(q)
    out["max"] = g.max()
    return out.reset_index()
