"""From the database to the frames shelfcast takes: the long ``unique_id, ds, y`` sales
history and the per-item inventory snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
from django.db.models import Count, Max, Sum

from .models import Item, Order, Sale


def last_sale_date() -> dt.date | None:
    """The latest date with a recorded sale.

    Returns:
        That date, or None when the sales table is empty.
    """
    latest: dt.date | None = Sale.objects.aggregate(latest=Max("date"))["latest"]
    return latest


def data_version() -> str:
    """A key that changes whenever sales are added, deleted or their quantities edited.

    Returns:
        ``"<rows>-<max id>-<max date>-<total units>"`` of the sales table.
    """
    agg = Sale.objects.aggregate(
        n=Count("id"), last_id=Max("id"), last=Max("date"), units=Sum("quantity")
    )
    return f"{agg['n']}-{agg['last_id']}-{agg['last']}-{agg['units']}"


def sales_frame(end: dt.date, skus: Iterable[str] | None = None) -> pd.DataFrame:
    """Daily demand per item up to ``end``, in shelfcast's long format.

    Sales of one item and day are summed; every item's series runs from its first sale to
    ``end`` inclusive, days without a sale being 0 (a day with no Sale row sold nothing).

    Args:
        end: last day of history (sales after it are ignored).
        skus: restrict to these items (default: every item with a sale up to ``end``).

    Returns:
        DataFrame ``unique_id`` (the SKU), ``ds`` (datetime64[ns]), ``y`` (float64), sorted by
        ``unique_id`` then ``ds``; items without a sale up to ``end`` are absent.
    """
    qs = Sale.objects.filter(date__lte=end)
    if skus is not None:
        qs = qs.filter(item__sku__in=list(skus))
    rows = list(
        qs.values_list("item__sku", "date")
        .annotate(units=Sum("quantity"))
        .order_by("item__sku", "date")
    )
    if not rows:
        return pd.DataFrame(
            {
                "unique_id": pd.Series([], dtype=object),
                "ds": pd.Series([], dtype="datetime64[ns]"),
                "y": pd.Series([], dtype=np.float64),
            }
        )
    sold = pd.DataFrame(rows, columns=["unique_id", "date", "y"])
    day = pd.to_datetime(sold["date"]).to_numpy().astype("datetime64[D]")
    last = np.datetime64(end, "D")
    # rows are sorted by SKU then date, so an item's first row is its first sale
    ids, first_row, series = np.unique(
        sold["unique_id"].to_numpy(dtype=object), return_index=True, return_inverse=True
    )
    first = day[first_row]
    lengths = (last - first).astype(np.int64) + 1
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    pos = offsets[series] + (day - first[series]).astype(np.int64)
    y = np.zeros(int(offsets[-1]))
    y[pos] = sold["y"].to_numpy(dtype=np.float64)
    start = np.repeat(first, lengths)
    step = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1], lengths)
    return pd.DataFrame(
        {
            "unique_id": pd.Series(np.repeat(ids, lengths), dtype=object),
            "ds": (start + step.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "y": y,
        }
    )


def open_order_units(as_of: dt.date) -> dict[int, int]:
    """Units on open orders (planned or placed) placed before ``as_of``, per item id.

    Orders dated ``as_of`` itself are left out: they are the ones a run of ``replenish`` on
    that day creates, so a re-run plans from the same position and stays idempotent.

    Args:
        as_of: the planning day.

    Returns:
        ``{item id: units}`` for items with such orders.
    """
    rows = (
        Order.objects.filter(status__in=Order.OPEN_STATUSES, order_date__lt=as_of)
        .values_list("item_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {int(item_id): int(units) for item_id, units in rows}


def inventory_frame(
    items: Iterable[Item], as_of: dt.date, default_service_level: float
) -> pd.DataFrame:
    """The inventory snapshot of ``items`` in the layout of ``ReorderPlanner.plan``.

    ``on_order`` is the item's own ``on_order`` plus its open orders from before ``as_of``
    (:func:`open_order_units`); ``holding_cost`` is per unit per day (from the amount or
    the rate); ``service_level`` is the item's target, or ``default_service_level``.

    Args:
        items: the items, in the order of the output rows.
        as_of: the planning day.
        default_service_level: target of the items without their own.

    Returns:
        DataFrame ``unique_id, on_hand, on_order, lead_time, unit_cost, holding_cost,
        order_cost, moq, pack_size, service_level``.
    """
    items = list(items)
    pending = open_order_units(as_of)
    return pd.DataFrame(
        {
            "unique_id": pd.Series([it.sku for it in items], dtype=object),
            "on_hand": np.array([it.on_hand for it in items], dtype=np.int64),
            "on_order": np.array(
                [it.on_order + pending.get(it.pk, 0) for it in items], dtype=np.int64
            ),
            "lead_time": np.array([it.lead_time for it in items], dtype=np.int64),
            "unit_cost": np.array([float(it.unit_cost) for it in items], dtype=np.float64),
            "holding_cost": np.array([it.holding_cost_per_day() for it in items], dtype=np.float64),
            "order_cost": np.array([float(it.order_cost) for it in items], dtype=np.float64),
            "moq": np.array([it.moq for it in items], dtype=np.int64),
            "pack_size": np.array([it.pack_size for it in items], dtype=np.int64),
            "service_level": np.array(
                [
                    default_service_level if it.service_level is None else it.service_level
                    for it in items
                ],
                dtype=np.float64,
            ),
        }
    )
