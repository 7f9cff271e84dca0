"""The replenishment job (``manage.py replenish``): sales from the database, a forecast, a
reorder plan per item, and an Order row for every item whose reorder date is today."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd
from django.db import transaction
from shelfcast import DemandForecaster, ReorderPlanner

from .data import inventory_frame, last_sale_date, sales_frame
from .forecasting import NoSalesError, make_forecaster
from .models import Item, Order


@dataclass
class ReplenishResult:
    """What a replenishment run planned and did.

    Attributes:
        as_of: the planning day (history ends the day before; orders are dated this day).
        plan: ``ReorderPlanner.plan``'s output, one row per item with history.
        to_order: the plan rows with ``order_now`` and a positive ``order_qty``.
        created: Order rows this run created (none on a dry run).
        existing: job orders of this day that an earlier run had created (left as they are).
        no_history: SKUs without a sale before ``as_of`` (not planned).
        schedule: ``ReorderPlanner.schedule`` over the horizon, when asked for.
    """

    as_of: dt.date
    plan: pd.DataFrame
    to_order: pd.DataFrame
    created: list[Order] = field(default_factory=list)
    existing: list[Order] = field(default_factory=list)
    no_history: list[str] = field(default_factory=list)
    schedule: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return (
            f"ReplenishResult(as_of={self.as_of}, items={len(self.plan)}, "
            f"to_order={len(self.to_order)}, created={len(self.created)}, "
            f"existing={len(self.existing)}, no_history={len(self.no_history)})"
        )


def default_as_of() -> dt.date | None:
    """The day after the latest recorded sale (today, for a shop that sold yesterday).

    Returns:
        That day, or None when no sale is recorded.
    """
    last = last_sale_date()
    return None if last is None else last + dt.timedelta(days=1)


def build_plan(
    as_of: dt.date,
    *,
    model: str,
    service_level: float,
    horizon: int = 28,
) -> tuple[pd.DataFrame, list[str], DemandForecaster, ReorderPlanner, pd.DataFrame]:
    """Forecast every item with history and plan its next order, as of ``as_of``.

    Args:
        as_of: the planning day; sales up to the day before are history.
        model: a key of :data:`inventory.forecasting.MODELS`.
        service_level: the planner's cycle service level (items may override it).
        horizon: days ahead to look for the next reorder date.

    Returns:
        ``(plan, no_history, forecaster, planner, inventory)``: the plan (one row per item
        with history, in SKU order), the SKUs without history, the fitted forecaster, the
        planner and the inventory snapshot it planned from.

    Raises:
        NoSalesError: no sale is recorded before ``as_of``.
        shelfcast.ShelfcastError: the data or an item's fields are invalid (names the item).
    """
    end = as_of - dt.timedelta(days=1)
    history = sales_frame(end)
    if history.empty:
        raise NoSalesError(f"no sales recorded before {as_of}: nothing to forecast from")
    items = list(Item.objects.order_by("sku"))
    with_history = set(history["unique_id"].unique())
    planned = [it for it in items if it.sku in with_history]
    no_history = [it.sku for it in items if it.sku not in with_history]
    history = history[history["unique_id"].isin({it.sku for it in planned})]
    forecaster = make_forecaster(model).fit(history)
    planner = ReorderPlanner(service_level=service_level, horizon=horizon)
    inventory = inventory_frame(planned, as_of, service_level)
    plan = planner.plan(forecaster, inventory)
    return plan, no_history, forecaster, planner, inventory


def run_replenish(
    as_of: dt.date,
    *,
    model: str,
    service_level: float,
    horizon: int = 28,
    dry_run: bool = False,
    with_schedule: bool = False,
) -> ReplenishResult:
    """Plan every item and create an Order for each one whose reorder date is ``as_of``.

    The order is the plan's ``order_qty`` (EOQ rounded to MOQ and pack size, or what lifts
    the position back to the reorder point), dated ``as_of`` and arriving ``lead_time``
    days later, status "planned", source "replenish". Idempotent: an item that already has a
    job order dated ``as_of`` keeps it and gets no second one (a database constraint backs
    this up), and orders dated ``as_of`` do not count as on order when planning that day.

    Args:
        as_of: the planning day.
        model: a key of :data:`inventory.forecasting.MODELS`.
        service_level: the planner's cycle service level.
        horizon: days ahead to look for reorder dates.
        dry_run: plan only; write nothing.
        with_schedule: also compute ``ReorderPlanner.schedule`` over the horizon.

    Returns:
        The :class:`ReplenishResult`.

    Raises:
        NoSalesError: no sale is recorded before ``as_of``.
        shelfcast.ShelfcastError: the data or an item's fields are invalid (names the item).
    """
    plan, no_history, forecaster, planner, inventory = build_plan(
        as_of, model=model, service_level=service_level, horizon=horizon
    )
    to_order = plan[plan["order_now"] & (plan["order_qty"] > 0)].reset_index(drop=True)
    result = ReplenishResult(as_of, plan, to_order, no_history=no_history)
    if with_schedule:
        result.schedule = planner.schedule(forecaster, inventory, horizon)
    if dry_run or to_order.empty:
        return result
    items = {it.sku: it for it in Item.objects.filter(sku__in=list(to_order["unique_id"]))}
    with transaction.atomic():
        done = {
            o.item_id: o
            for o in Order.objects.select_for_update().filter(
                source=Order.Source.REPLENISH, order_date=as_of, item__in=list(items.values())
            )
        }
        new: list[Order] = []
        for sku, qty in zip(to_order["unique_id"], to_order["order_qty"], strict=True):
            item = items[str(sku)]
            if item.pk in done:
                result.existing.append(done[item.pk])
                continue
            new.append(
                Order(
                    item=item,
                    quantity=math.ceil(qty),  # whole units (plans already are)
                    order_date=as_of,
                    arrival_date=as_of + dt.timedelta(days=item.lead_time),
                    status=Order.Status.PLANNED,
                    source=Order.Source.REPLENISH,
                )
            )
        result.created = Order.objects.bulk_create(new)
    return result
