"""JSON endpoints: the item list and an item's demand forecast from the cached forecaster."""

from __future__ import annotations

import math

import numpy as np
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from .forecasting import MODELS, NoSalesError, get_forecaster
from .models import Item

MAX_HORIZON = 366


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _horizon(text: str) -> int:
    h = int(text)  # ValueError on junk
    if not 1 <= h <= MAX_HORIZON:
        raise ValueError(f"h must be between 1 and {MAX_HORIZON}, got {h}")
    return h


def _level(text: str) -> float:
    level = float(text)
    if not (math.isfinite(level) and 0.0 < level < 100.0):
        raise ValueError(f"level must be strictly between 0 and 100, got {text}")
    return level


def _fmt(level: float) -> str:
    return f"{level:g}"


@require_GET
def item_list(request: HttpRequest) -> JsonResponse:
    """``GET /items/``: every item's id, SKU and stock.

    Args:
        request: the request.

    Returns:
        ``{"items": [{"id", "sku", "on_hand", "on_order", "forecast_url"}, ...]}``.
    """
    rows = [
        {
            "id": it.pk,
            "sku": it.sku,
            "on_hand": it.on_hand,
            "on_order": it.on_order,
            "forecast_url": f"/items/{it.pk}/forecast",
        }
        for it in Item.objects.order_by("sku")
    ]
    return JsonResponse({"items": rows})


@require_GET
def item_forecast(request: HttpRequest, item_id: int) -> JsonResponse:
    """``GET /items/<id>/forecast?h=28&level=80[&level=95][&model=tsb]``.

    The forecaster is fitted once on every item's sales and cached
    (:func:`inventory.forecasting.get_forecaster`); each request only predicts.

    Args:
        request: the request; query parameters ``h`` (days, default 28), ``level`` (interval
            levels in percent, repeatable, default 80) and ``model`` (a key of
            :data:`inventory.forecasting.MODELS`, default ``INVENTORY_DEFAULT_MODEL``).
        item_id: the Item's primary key.

    Returns:
        200 ``{"item", "sku", "model", "data_version", "data_end", "h", "levels",
        "forecast": [{"ds", "mean", "lo-<level>", "hi-<level>", ...}, ...]}``; 400 on a bad
        parameter, 404 for an unknown item or one without sales history.
    """
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return _error(404, f"no item with id {item_id}")
    try:
        h = _horizon(request.GET.get("h", "28"))
        levels = sorted({_level(v) for v in request.GET.getlist("level") or ["80"]})
    except ValueError as e:
        return _error(400, str(e))
    model = request.GET.get("model", settings.INVENTORY_DEFAULT_MODEL)
    if model not in MODELS:
        return _error(400, f"unknown model {model!r}; choose one of {sorted(MODELS)}")
    try:
        fitted = get_forecaster(model)
    except NoSalesError as e:
        return _error(404, str(e))
    fc = fitted.forecaster
    if item.sku not in set(fc.unique_ids):
        return _error(404, f"item {item.sku!r} has no sales history up to {fitted.data_end}")
    pred = fc.predict(h, level=levels)
    rows = pred[pred["unique_id"] == item.sku]
    col = fitted.column
    columns = {"mean": col}
    for lv in levels:
        columns[f"lo-{_fmt(lv)}"] = f"{col}-lo-{_fmt(lv)}"
        columns[f"hi-{_fmt(lv)}"] = f"{col}-hi-{_fmt(lv)}"
    values = {k: rows[c].to_numpy(dtype=np.float64) for k, c in columns.items()}
    days = rows["ds"].dt.strftime("%Y-%m-%d").tolist()
    forecast = [
        {"ds": day, **{k: float(v[i]) for k, v in values.items()}} for i, day in enumerate(days)
    ]
    return JsonResponse(
        {
            "item": item.pk,
            "sku": item.sku,
            "model": model,
            "data_version": fitted.version,
            "data_end": fitted.data_end.isoformat(),
            "h": h,
            "levels": levels,
            "forecast": forecast,
        }
    )
