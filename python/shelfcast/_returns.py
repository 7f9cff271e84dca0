"""Returns analysis on raw transactions with cancellations, behind
:meth:`shelfcast.SalesMetrics.returns_analysis` (loss prevention)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ._frame import _numeric, require_columns
from ._inventory_kpis import robust_z
from .exceptions import InvalidParameterError

__all__ = ["ReturnsAnalysis", "returns_analysis"]


class ReturnsAnalysis(NamedTuple):
    """Return statistics per item and per customer.

    Attributes:
        items: one row per item.
        customers: one row per identified customer.
    """

    items: pd.DataFrame
    customers: pd.DataFrame


def _table(frame: pd.DataFrame, key: str, threshold: float, min_units: float) -> pd.DataFrame:
    sold = frame["qty"] > 0
    neg = frame["qty"] < 0
    g_sold = frame[sold].groupby(key, sort=True)
    g_ret = frame[neg & frame["cancel"]].groupby(key, sort=True)
    g_adj = frame[neg & ~frame["cancel"]].groupby(key, sort=True)
    out = pd.DataFrame(
        {
            "sold_units": g_sold["qty"].sum(),
            "returned_units": -g_ret["qty"].sum(),
            "sold_value": g_sold["value"].sum(),
            "returned_value": -g_ret["value"].sum(),
            "sale_lines": g_sold.size(),
            "return_lines": g_ret.size(),
            "adjusted_units": -g_adj["qty"].sum(),
        }
    ).fillna(0.0)
    for col in ("sale_lines", "return_lines"):
        out[col] = out[col].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        s, r = out["sold_units"].to_numpy(), out["returned_units"].to_numpy()
        out["return_rate"] = np.where(s > 0, r / np.where(s > 0, s, 1.0), np.inf)
    eligible = (out["sold_units"] >= min_units).to_numpy()
    z = np.full(len(out), np.nan)
    z[eligible] = robust_z(out["return_rate"].to_numpy()[eligible])
    out["z"] = z
    out["outlier"] = eligible & (z > threshold)
    # returns of goods never sold in the period cannot be rated: flag them separately
    out["unmatched_returns"] = (s == 0) & (r > 0)
    return out.reset_index()


def returns_analysis(
    transactions: pd.DataFrame,
    *,
    item_col: str,
    customer_col: str | None,
    quantity_col: str,
    price_col: str | None,
    invoice_col: str | None,
    cancel_prefix: str,
    threshold: float,
    min_units: float,
) -> ReturnsAnalysis:
    """See :meth:`shelfcast.SalesMetrics.returns_analysis`."""
    optional = (customer_col, price_col, invoice_col)
    cols = [item_col, quantity_col] + [c for c in optional if c is not None]
    require_columns(transactions, cols, "transactions")
    if not np.isfinite(threshold):
        raise InvalidParameterError(f"threshold must be finite, got {threshold}")
    qty = _numeric(transactions, quantity_col, "transactions")
    if not np.isfinite(qty).all():
        pos = int(np.flatnonzero(~np.isfinite(qty))[0])
        raise InvalidParameterError(f"transactions column {quantity_col!r} is NaN at row {pos}")
    price = (
        np.abs(_numeric(transactions, price_col, "transactions"))
        if price_col is not None
        else np.ones(len(qty))
    )
    if invoice_col is None:
        cancel = np.ones(len(qty), dtype=bool)
    else:
        invoice = transactions[invoice_col].astype(str).str.strip()
        cancel = invoice.str.startswith(cancel_prefix).to_numpy()
    frame = pd.DataFrame(
        {
            "item": transactions[item_col].to_numpy(),
            "qty": qty,
            "value": qty * price,
            "cancel": cancel,
        }
    )
    items = _table(frame, "item", threshold, min_units).rename(columns={"item": "unique_id"})
    if customer_col is None:
        customers = pd.DataFrame()
    else:
        frame["customer"] = transactions[customer_col].to_numpy()
        known = frame[frame["customer"].notna()]
        customers = _table(known, "customer", threshold, min_units).rename(
            columns={"customer": "customer_id"}
        )
    return ReturnsAnalysis(items=items, customers=customers)
