"""Policy simulation: replay actual demand through a replenishment policy, natively and in
parallel across items, and measure service and cost — how a forecast model is judged by
what it does to the shelf, not only by its error.

The period logic (see ``src/planning/simulate.rs``): orders due arrive at the start of a
period; on a review the inventory position (net stock + on order) is compared with the
policy and an order rounded to MOQ / pack size / max quantity is placed, arriving
``lead_time`` periods later (rounded to whole periods; with ``lead_time_sd`` each order
draws its own); demand is met from stock and the rest is lost or backordered; holding cost
is charged on the stock left at the end of the period, shortage cost (``stockout_cost``)
per unit lost or, with backorders, per unit backordered per period.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core
from ._frame import require_columns
from ._inventory import inventory_columns, naming_items
from .exceptions import ColumnTypeError, InvalidItemError, InvalidParameterError

__all__ = ["POLICIES", "SimulationResult", "simulate_policy"]

POLICIES = ("sQ", "sS", "RS", "base_stock")
INITIAL_STATES = ("snapshot", "order_up_to")

_SUMMARY = [
    "fill_rate",
    "cycle_service_level",
    "stockout_days",
    "average_on_hand",
    "orders_placed",
    "holding_cost",
    "ordering_cost",
    "shortage_cost",
]
_TRACE = ["on_hand", "backorders", "on_order", "ordered", "received", "short"]


class SimulationResult(NamedTuple):
    """Per-item summary and the per-period trace of a simulation."""

    summary: pd.DataFrame
    trace: pd.DataFrame


def _demand_matrix(
    demand: pd.DataFrame | npt.ArrayLike, ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    if not isinstance(demand, pd.DataFrame):
        d = np.asarray(demand, dtype=np.float64)
        if d.ndim != 2 or d.shape[0] != len(ids):
            raise InvalidParameterError(
                f"demand must be a DataFrame (unique_id, ds, y) or an array of shape "
                f"(n_items={len(ids)}, periods), got shape {d.shape}"
            )
        return np.ascontiguousarray(d), None
    require_columns(demand, ["unique_id", "ds", "y"], "demand")
    if not pd.api.types.is_numeric_dtype(demand["y"]):
        raise ColumnTypeError(f"demand column 'y' must be numeric, got {demand['y'].dtype}")
    # Factorize once (fast for categoricals), then map the few uniques to inventory rows.
    codes, uniques = pd.factorize(demand["unique_id"])
    rows = pd.Index(ids).get_indexer(pd.Index(uniques))[codes]
    keep = rows >= 0
    present = np.zeros(len(ids), dtype=bool)
    present[rows[keep]] = True
    if not present.all():
        missing = ids[~present]
        raise InvalidItemError(
            f"item {missing[0]!r}: no rows in demand ({len(missing)} inventory item(s) have none)"
        )
    days, dates = pd.factorize(demand["ds"].to_numpy()[keep], sort=True)
    r = rows[keep]
    flat = r * len(dates) + days
    if np.bincount(flat, minlength=len(ids) * len(dates)).max(initial=0) > 1:
        raise InvalidItemError("demand has more than one row for the same (unique_id, ds)")
    mat = np.zeros((len(ids), len(dates)))
    mat.reshape(-1)[flat] = demand["y"].to_numpy(dtype=np.float64, na_value=np.nan)[keep]
    return mat, np.asarray(dates, dtype="datetime64[ns]")


def _item_seeds(ids: np.ndarray) -> np.ndarray:
    """A stable 64-bit hash of each id: an item's lead-time draws depend on its id and the
    seed, not on its position in the batch."""
    return pd.util.hash_array(np.asarray(ids).astype(str).astype(object))


def _policy_column(params: pd.DataFrame, ids: np.ndarray, names: list[str]) -> np.ndarray:
    for name in names:
        if name in params.columns:
            s = params.set_index("unique_id")[name].reindex(ids)
            return s.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.full(len(ids), np.nan)


@overload
def simulate_policy(
    demand: pd.DataFrame | npt.ArrayLike,
    inventory: pd.DataFrame,
    policy_params: pd.DataFrame,
    *,
    policy: str = ...,
    lost_sales: bool = ...,
    lead_time_sd: npt.ArrayLike | None = ...,
    review_period: int | None = ...,
    trace: Literal[False] = ...,
    seed: int = ...,
    initial: str = ...,
) -> pd.DataFrame: ...
@overload
def simulate_policy(
    demand: pd.DataFrame | npt.ArrayLike,
    inventory: pd.DataFrame,
    policy_params: pd.DataFrame,
    *,
    policy: str = ...,
    lost_sales: bool = ...,
    lead_time_sd: npt.ArrayLike | None = ...,
    review_period: int | None = ...,
    trace: Literal[True],
    seed: int = ...,
    initial: str = ...,
) -> SimulationResult: ...
@overload
def simulate_policy(
    demand: pd.DataFrame | npt.ArrayLike,
    inventory: pd.DataFrame,
    policy_params: pd.DataFrame,
    *,
    policy: str = ...,
    lost_sales: bool = ...,
    lead_time_sd: npt.ArrayLike | None = ...,
    review_period: int | None = ...,
    trace: bool,
    seed: int = ...,
    initial: str = ...,
) -> pd.DataFrame | SimulationResult: ...
def simulate_policy(
    demand: pd.DataFrame | npt.ArrayLike,
    inventory: pd.DataFrame,
    policy_params: pd.DataFrame,
    *,
    policy: str = "sQ",
    lost_sales: bool = True,
    lead_time_sd: npt.ArrayLike | None = None,
    review_period: int | None = None,
    trace: bool = False,
    seed: int = 0,
    initial: str = "snapshot",
) -> pd.DataFrame | SimulationResult:
    """Replay demand through a policy for every item of ``inventory``.

    Args:
        demand: actual demand, long ``unique_id, ds, y`` (missing dates count as 0), or an
            array ``(n_items, periods)`` in the order of ``inventory``'s rows.
        inventory: the starting snapshot (as for :meth:`ReorderPlanner.plan`), plus an
            optional ``stockout_cost`` column (per unit lost, or per unit backordered per
            period; default 0).
        policy_params: per ``unique_id``: ``reorder_point`` (sQ, sS), ``order_quantity``
            or ``eoq`` (sQ), ``order_up_to`` (sS, RS, base_stock), optional
            ``review_period`` — a plan from :meth:`ReorderPlanner.plan` has them all.
        policy: ``"sQ"``, ``"sS"``, ``"RS"`` or ``"base_stock"``.
        lost_sales: unmet demand is lost (True) or backordered (False).
        lead_time_sd: overrides the inventory's ``lead_time_sd`` (scalar or per item).
        review_period: RS review period when ``policy_params`` has none (default 1).
        trace: also return the per-period trace.
        seed: seed of the lead-time draws.
        initial: ``"snapshot"`` (default) starts from the inventory's ``on_hand`` and
            ``on_order``; ``"order_up_to"`` starts every item at the top of its policy's
            cycle — on hand *s + Q* (sQ) or *S* (sS, RS, base stock), nothing on order —
            so the result measures the policy in its steady state, without the start-up
            transient of a snapshot that begins below the reorder point (items then wait
            one lead time for their first order, which lowers the fill rate of a short
            replay).

    Returns:
        One row per item: ``unique_id, fill_rate`` (demand met from stock / demand),
        ``cycle_service_level`` (replenishment cycles without unmet demand / cycles),
        ``stockout_days, average_on_hand, orders_placed, holding_cost, ordering_cost,
        shortage_cost, total_cost, demand, unmet_demand``. With ``trace=True`` a
        :class:`SimulationResult` whose ``trace`` is long: ``unique_id, ds`` (or
        ``period``), ``demand, on_hand, backorders, on_order, ordered, received, short``.

    Raises:
        InvalidParameterError: an unknown policy or a misshapen argument.
        MissingColumnError, ColumnTypeError: a column is absent or not numeric.
        InvalidItemError: an item is missing from ``demand`` or ``policy_params`` or has an
            invalid value; the message names the item and column.
    """
    if policy not in POLICIES:
        raise InvalidParameterError(f"policy must be one of {POLICIES}, got {policy!r}")
    if initial not in INITIAL_STATES:
        raise InvalidParameterError(f"initial must be one of {INITIAL_STATES}, got {initial!r}")
    inv = inventory_columns(inventory)
    ids = inv["unique_id"]
    mat, dates = _demand_matrix(demand, ids)
    require_columns(policy_params, ["unique_id"], "policy_params")
    known = pd.Index(policy_params["unique_id"])
    absent = pd.Index(ids).difference(known)
    if len(absent):
        raise InvalidItemError(f"item {absent[0]!r}: not in policy_params")
    s = _policy_column(policy_params, ids, ["reorder_point"])
    q = _policy_column(policy_params, ids, ["order_quantity", "eoq"])
    if "order_quantity" not in policy_params.columns and "eoq" in policy_params.columns:
        # A plan's EOQ is 0 without an order cost: order at least a pack / the MOQ / 1 unit.
        floor = np.maximum(np.maximum(inv["pack_size"], inv["moq"]), 1.0)
        q = np.where(q > 0, q, floor)
    big_s = _policy_column(policy_params, ids, ["order_up_to"])
    review = _policy_column(policy_params, ids, ["review_period"])
    review = np.where(np.isnan(review), float(review_period or 1), review)
    on_hand, on_order = inv["on_hand"], inv["on_order"]
    if initial == "order_up_to":
        top = s + q if policy == "sQ" else big_s
        bad = ~np.isfinite(top)
        if bad.any():
            col = "reorder_point/order_quantity" if policy == "sQ" else "order_up_to"
            raise InvalidItemError(
                f"item {ids[np.argmax(bad)]!r}: initial='order_up_to' needs a finite {col}"
            )
        on_hand, on_order = np.ascontiguousarray(top, np.float64), np.zeros_like(on_order)
    lt_sd = inv["lead_time_sd"] if lead_time_sd is None else lead_time_sd
    lt_sd = np.ascontiguousarray(np.broadcast_to(np.asarray(lt_sd, np.float64), ids.shape))
    raw = naming_items(
        ids,
        lambda: _core.simulate(
            policy,
            bool(lost_sales),
            int(seed),
            bool(trace),
            mat,
            _item_seeds(ids),
            on_hand,
            on_order,
            inv["lead_time"],
            lt_sd,
            s,
            q,
            big_s,
            review,
            inv["holding_cost"],
            inv["order_cost"],
            inv["stockout_cost"],
            inv["moq"],
            inv["pack_size"],
            inv["max_qty"],
        ),
    )
    summary = pd.DataFrame({"unique_id": ids, **{c: raw[c] for c in _SUMMARY}})
    summary["total_cost"] = (
        summary["holding_cost"] + summary["ordering_cost"] + summary["shortage_cost"]
    )
    summary["demand"] = raw["demand"]
    summary["unmet_demand"] = raw["short"]
    if not trace:
        return summary
    n, t = mat.shape
    long = pd.DataFrame({"unique_id": np.repeat(ids, t)})
    if dates is not None:
        long["ds"] = np.tile(dates, n)
    else:
        long["period"] = np.tile(np.arange(t), n)
    long["demand"] = mat.reshape(-1)
    for c in _TRACE:
        long[c] = raw[f"trace_{c}"].reshape(-1)
    return SimulationResult(summary, long)
