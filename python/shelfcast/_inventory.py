"""The inventory snapshot shared by the planner and the simulator: validated float columns
per item, and errors from the native core re-worded to name the item by its id."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from ._frame import require_columns
from .exceptions import (
    ColumnTypeError,
    DuplicateRowError,
    InvalidItemError,
    MissingColumnError,
)

__all__ = ["OPTIONAL", "inventory_columns", "naming_items"]

OPTIONAL = {
    "on_order": 0.0,
    "lead_time_sd": 0.0,
    "moq": 0.0,
    "pack_size": 1.0,
    "max_qty": np.inf,
    "stockout_cost": 0.0,
}

T = TypeVar("T")
_ITEM = re.compile(r"^item (\d+): ")


def _has_duplicates(ids: pd.Series) -> bool:
    # Sorted ids (the common case) need only neighbour comparisons, far cheaper than hashing.
    values = ids.to_numpy()
    try:
        if pd.Index(values).is_monotonic_increasing:
            return bool((values[1:] == values[:-1]).any())
    except TypeError:
        pass
    return bool(ids.duplicated().any())


def inventory_columns(inventory: pd.DataFrame) -> dict[str, np.ndarray]:
    """Validate an inventory snapshot and return its columns as float64 arrays.

    Args:
        inventory: one row per item: ``unique_id, on_hand, lead_time, order_cost``, and
            ``holding_cost`` or ``holding_rate`` with ``unit_cost``; optional columns as in
            :data:`OPTIONAL` (absent ones get those defaults).

    Returns:
        ``unique_id`` (original dtype) and one float64 array per column.

    Raises:
        MissingColumnError, ColumnTypeError: a column is absent or not numeric.
        DuplicateRowError: an item appears twice.
        InvalidItemError: a value is missing (NaN); the message names the item and column.
    """
    require_columns(inventory, ["unique_id", "on_hand", "lead_time", "order_cost"], "inventory")
    if _has_duplicates(inventory["unique_id"]):
        dup = inventory["unique_id"][inventory["unique_id"].duplicated()].iloc[0]
        raise DuplicateRowError(f"inventory has more than one row for item {dup!r}")
    n = len(inventory)
    out: dict[str, np.ndarray] = {"unique_id": inventory["unique_id"].to_numpy()}

    def num(col: str) -> np.ndarray:
        s = inventory[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise ColumnTypeError(f"inventory column {col!r} must be numeric, got {s.dtype}")
        a = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(a).any():
            i = int(np.flatnonzero(np.isnan(a))[0])
            raise InvalidItemError(f"item {out['unique_id'][i]!r}: column {col!r} is missing (NaN)")
        return a

    for col in ("on_hand", "lead_time", "order_cost"):
        out[col] = num(col)
    if "holding_cost" in inventory.columns:
        out["holding_cost"] = num("holding_cost")
    elif "holding_rate" in inventory.columns and "unit_cost" in inventory.columns:
        out["holding_cost"] = num("holding_rate") * num("unit_cost")
    else:
        raise MissingColumnError(
            "inventory needs 'holding_cost' (per unit per period), or 'holding_rate' with "
            f"'unit_cost'; it has {list(inventory.columns)}"
        )
    for col, default in OPTIONAL.items():
        out[col] = num(col) if col in inventory.columns else np.full(n, default)
    return out


def naming_items(ids: np.ndarray, call: Callable[[], T]) -> T:
    """Run ``call`` and re-raise a native ``InvalidItemError`` ("item 3: ...") so that it
    names the item by its id.

    Args:
        ids: item ids in the order the native call saw them.
        call: the native call.

    Returns:
        What ``call`` returns.

    Raises:
        InvalidItemError: re-worded with the item id.
    """
    try:
        return call()
    except InvalidItemError as e:
        m = _ITEM.match(str(e))
        if m is None or int(m.group(1)) >= len(ids):
            raise
        item = ids[int(m.group(1))]
        raise InvalidItemError(f"item {item!r}: {str(e)[m.end() :]}") from None
