"""The bundled demo data (``shelfcast.datasets``) as Items and Sales."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import transaction
from shelfcast.datasets import load_online_retail, load_online_retail_inventory

from .models import Item, Order, Sale

#: SKUs are ranked by units sold over this many final days of the panel.
RANK_DAYS = 365


@functools.lru_cache(maxsize=4)
def demo_skus(n: int) -> tuple[str, ...]:
    """The ``n`` best-selling SKUs of the bundled panel's last year.

    Only SKUs with at least :data:`RANK_DAYS` days of history qualify; ranked by units sold
    over the panel's final :data:`RANK_DAYS` days, ties broken by SKU.

    Args:
        n: how many (>= 1).

    Returns:
        The SKUs, best seller first (cached per ``n``).

    Raises:
        ValueError: ``n`` < 1 or more than the qualifying SKUs.
    """
    panel = load_online_retail(min_days=RANK_DAYS)
    n_qualifying = panel["unique_id"].nunique()
    if not 1 <= n <= n_qualifying:
        raise ValueError(f"--skus must be between 1 and {n_qualifying}, got {n}")
    recent = panel[panel["ds"] > panel["ds"].max() - pd.Timedelta(days=RANK_DAYS)]
    units = recent.groupby("unique_id")["y"].sum().reset_index()
    units = units.sort_values(["y", "unique_id"], ascending=[False, True], kind="stable")
    return tuple(str(s) for s in units["unique_id"].head(n))


def demo_frames(skus: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled daily sales and the synthetic inventory of ``skus``.

    Args:
        skus: SKUs of the bundled panel.

    Returns:
        ``(sales, inventory)``: ``load_online_retail()`` and
        ``load_online_retail_inventory()`` restricted to ``skus``.
    """
    sales = load_online_retail()
    sales = sales[sales["unique_id"].isin(skus)].reset_index(drop=True)
    inventory = load_online_retail_inventory()
    inventory = inventory[inventory["unique_id"].isin(skus)].reset_index(drop=True)
    return sales, inventory


def load_demo(n_skus: int, *, flush: bool = False) -> tuple[int, int]:
    """Write the ``n_skus`` best sellers (:func:`demo_skus`) as Items with their Sales.

    Existing items with these SKUs get the demo inventory snapshot and their sales are
    replaced; other rows are left alone unless ``flush``. Only days with a sale become Sale
    rows (the replenish job reads a missing day as zero demand).

    Args:
        n_skus: how many SKUs.
        flush: delete every Item, Sale and Order first.

    Returns:
        ``(items, sales)``: rows written.

    Raises:
        ValueError: ``n_skus`` out of range.
    """
    skus = demo_skus(n_skus)
    sales, inventory = demo_frames(skus)
    sales = sales[sales["y"] > 0]
    with transaction.atomic():
        if flush:
            Order.objects.all().delete()
            Sale.objects.all().delete()
            Item.objects.all().delete()
        ids: dict[str, int] = {}
        for row in inventory.to_dict("records"):
            item, _ = Item.objects.update_or_create(
                sku=str(row["unique_id"]),
                defaults={
                    "description": f"Online Retail StockCode {row['unique_id']} (synthetic stock)",
                    "on_hand": int(row["on_hand"]),
                    "on_order": int(row["on_order"]),
                    "lead_time": int(row["lead_time"]),
                    "unit_cost": Decimal(f"{row['unit_cost']:.4f}"),
                    "holding_cost": float(row["holding_cost"]),
                    "holding_rate": None,
                    "order_cost": Decimal(f"{row['order_cost']:.2f}"),
                    "moq": int(row["moq"]),
                    "pack_size": int(row["pack_size"]),
                },
            )
            ids[item.sku] = item.pk
        Sale.objects.filter(item_id__in=list(ids.values())).delete()
        item_ids = sales["unique_id"].map(ids).to_numpy(dtype=np.int64)
        dates = sales["ds"].dt.date.to_numpy()
        units = sales["y"].to_numpy(dtype=np.int64)
        prices = sales["price"].to_numpy(dtype=np.float64)
        rows = [
            Sale(item_id=int(i), date=d, quantity=int(q), price=Decimal(f"{p:.4f}"))
            for i, d, q, p in zip(item_ids, dates, units, prices, strict=True)
        ]
        Sale.objects.bulk_create(rows, batch_size=5000)
    return len(ids), len(rows)
