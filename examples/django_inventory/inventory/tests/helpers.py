"""Shared test data: a few demo SKUs, and the plan shelfcast computes on them directly
(from the bundled frames, without the database)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd
from shelfcast import DemandForecaster, ReorderPlanner
from shelfcast.models import CrostonSBA

from inventory.demo import demo_frames, demo_skus, load_demo

N_SKUS = 8
#: the day after the bundled panel's last day (2011-12-09): the default planning day
PANEL_NEXT_DAY = dt.date(2011, 12, 10)


def skus() -> tuple[str, ...]:
    """The demo SKUs the tests load."""
    return demo_skus(N_SKUS)


def load() -> None:
    """Load the test SKUs into the (test) database."""
    load_demo(N_SKUS, flush=True)


@lru_cache(maxsize=1)
def _bundled_all() -> tuple[pd.DataFrame, pd.DataFrame]:
    return demo_frames(list(skus()))


def bundled(end: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled sales up to ``end`` (``unique_id, ds, y``) and inventory of the test SKUs.

    Args:
        end: last day of history.

    Returns:
        ``(sales, inventory)``.
    """
    sales, inventory = _bundled_all()
    inventory = inventory.copy()
    sales = sales[sales["ds"] <= pd.Timestamp(end)][["unique_id", "ds", "y"]]
    return sales.reset_index(drop=True), inventory


def direct_plan(
    as_of: dt.date,
    *,
    service_level: float = 0.95,
    horizon: int = 28,
    extra_on_order: dict[str, int] | None = None,
    item_levels: dict[str, float] | None = None,
    schedule: bool = False,
) -> pd.DataFrame:
    """``ReorderPlanner.plan`` run directly on the bundled frames, as of ``as_of``.

    Args:
        as_of: planning day (history ends the day before).
        service_level: the planner's target.
        horizon: planning horizon.
        extra_on_order: units to add to ``on_order`` per SKU.
        item_levels: per-SKU service levels (a ``service_level`` column).
        schedule: return ``ReorderPlanner.schedule`` over the horizon instead.

    Returns:
        The plan (or schedule).
    """
    sales, inventory = bundled(as_of - dt.timedelta(days=1))
    inventory = inventory[inventory["unique_id"].isin(set(sales["unique_id"]))]
    inventory = inventory.reset_index(drop=True)
    if extra_on_order:
        inventory["on_order"] += inventory["unique_id"].map(extra_on_order).fillna(0).astype(int)
    if item_levels:
        inventory["service_level"] = (
            inventory["unique_id"].map(item_levels).fillna(service_level).astype(float)
        )
    forecaster = DemandForecaster([CrostonSBA()], freq="D").fit(sales)
    planner = ReorderPlanner(service_level=service_level, horizon=horizon)
    if schedule:
        return planner.schedule(forecaster, inventory, horizon)
    return planner.plan(forecaster, inventory)


def expected_orders(plan: pd.DataFrame, as_of: dt.date) -> set[tuple[str, int, dt.date, dt.date]]:
    """The orders a plan calls for on ``as_of``: ``(sku, quantity, order day, arrival)``.

    Args:
        plan: a ``ReorderPlanner.plan`` output.
        as_of: the planning day.

    Returns:
        One tuple per item with ``order_now`` and a positive ``order_qty``.
    """
    due = plan[plan["order_now"] & (plan["order_qty"] > 0)]
    return {
        (
            str(r["unique_id"]),
            int(r["order_qty"]),
            as_of,
            as_of + dt.timedelta(days=int(r["lead_time"])),
        )
        for r in due.to_dict("records")
    }
