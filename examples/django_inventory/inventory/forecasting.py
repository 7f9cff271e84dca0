"""Fitted shelfcast forecasters for the web process: the model choices, and a cache that
fits once per data version and serves the fitted forecaster to every request.

Two caches, chosen by ``settings.INVENTORY_FORECASTER_CACHE``:

* ``"process"`` — a module-level dict in this worker process. Requests share one fitted
  object; ``DemandForecaster.predict`` only reads it and releases the GIL in its native
  part, so threads serve concurrently.
* ``"django"`` — Django's cache framework (``CACHES["default"]``): the fitted forecaster is
  pickled into it (shelfcast forecasters are picklable; the native state travels as bytes)
  and unpickled per request, so several worker processes can share one fit when the cache
  is Redis, Memcached or the database.

Either way the key holds the model and :func:`inventory.data.data_version`, so new sales
make the next request refit, and a lock makes concurrent first requests fit only once per
process.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from shelfcast import DemandForecaster
from shelfcast.models import (
    ADIDA,
    IMAPA,
    TSB,
    AutoETS,
    CrostonOptimized,
    CrostonSBA,
    Model,
    SimpleExponentialSmoothingOptimized,
)

from .data import data_version, last_sale_date, sales_frame

#: ``--model`` / ``?model=`` choices: a name and the shelfcast model it builds.
MODELS: dict[str, Callable[[], Model]] = {
    "croston_sba": CrostonSBA,
    "croston_optimized": CrostonOptimized,
    "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
    "ses_optimized": SimpleExponentialSmoothingOptimized,
    "adida": ADIDA,
    "imapa": IMAPA,
    "autoets": lambda: AutoETS(season_length=7),
}
CACHE_BACKENDS = ("process", "django")


class NoSalesError(LookupError):
    """There is no sales history to fit a forecaster on."""


def make_forecaster(model: str) -> DemandForecaster:
    """An unfitted daily forecaster with one model.

    Args:
        model: a key of :data:`MODELS`.

    Returns:
        ``DemandForecaster([MODELS[model]()], freq="D")``.

    Raises:
        KeyError: ``model`` is not a key of :data:`MODELS`.
    """
    if model not in MODELS:
        raise KeyError(f"unknown model {model!r}; choose one of {sorted(MODELS)}")
    return DemandForecaster([MODELS[model]()], freq="D")


@dataclass(frozen=True)
class FittedForecaster:
    """A forecaster fitted on every item's sales up to ``data_end``.

    Attributes:
        model: the :data:`MODELS` key.
        version: the :func:`data_version` it was fitted on.
        data_end: the last day of history (forecasts start the day after).
        forecaster: the fitted forecaster (read it; never refit a cached one).
    """

    model: str
    version: str
    data_end: dt.date
    forecaster: DemandForecaster

    @property
    def column(self) -> str:
        """The forecaster's output column (the model alias)."""
        return self.forecaster.model_names[0]


class _Stats:
    """How many fits this process ran (what the tests count)."""

    def __init__(self) -> None:
        self.fits = 0

    def __repr__(self) -> str:
        return f"_Stats(fits={self.fits})"


stats = _Stats()
_lock = threading.Lock()
_process_cache: dict[str, FittedForecaster] = {}


def fit_current(model: str) -> FittedForecaster:
    """Fit ``model`` on every item's sales, read in one transaction with their version.

    Args:
        model: a key of :data:`MODELS`.

    Returns:
        The fitted forecaster with the data version it saw.

    Raises:
        NoSalesError: the sales table is empty.
        KeyError: unknown model.
    """
    forecaster = make_forecaster(model)
    with transaction.atomic():
        version = data_version()
        end = last_sale_date()
        if end is None:
            raise NoSalesError("no sales recorded yet: run `manage.py load_demo_data` first")
        history = sales_frame(end)
    forecaster.fit(history)
    stats.fits += 1
    return FittedForecaster(model, version, end, forecaster)


def cache_key(model: str, version: str) -> str:
    """The cache key of a model fitted on a data version.

    Args:
        model: a key of :data:`MODELS`.
        version: a :func:`data_version`.

    Returns:
        ``"shelfcast:forecaster:<model>:<version>"``.
    """
    return f"shelfcast:forecaster:{model}:{version}"


def get_forecaster(model: str, backend: str | None = None) -> FittedForecaster:
    """The forecaster of ``model`` fitted on the current data, fitting it on a cache miss.

    Args:
        model: a key of :data:`MODELS`.
        backend: ``"process"`` or ``"django"`` (default: ``INVENTORY_FORECASTER_CACHE``).

    Returns:
        The cached (or freshly fitted and cached) forecaster.

    Raises:
        NoSalesError: the sales table is empty.
        KeyError: unknown model.
        ValueError: unknown backend.
    """
    backend = backend or settings.INVENTORY_FORECASTER_CACHE
    if backend not in CACHE_BACKENDS:
        raise ValueError(f"unknown forecaster cache {backend!r}; choose one of {CACHE_BACKENDS}")
    if model not in MODELS:
        raise KeyError(f"unknown model {model!r}; choose one of {sorted(MODELS)}")
    key = cache_key(model, data_version())
    hit = _lookup(backend, key)
    if hit is not None:
        return hit
    with _lock:  # concurrent first requests: one fits, the others wait and reuse it
        hit = _lookup(backend, key)
        if hit is not None:
            return hit
        fitted = fit_current(model)
        _store(backend, cache_key(model, fitted.version), fitted)
        return fitted


def _lookup(backend: str, key: str) -> FittedForecaster | None:
    if backend == "process":
        return _process_cache.get(key)
    found = cache.get(key)
    return found if isinstance(found, FittedForecaster) else None


def _store(backend: str, key: str, fitted: FittedForecaster) -> None:
    if backend == "process":
        prefix = cache_key(fitted.model, "")
        for old in [k for k in _process_cache if k.startswith(prefix)]:
            del _process_cache[old]  # older data versions of this model
        _process_cache[key] = fitted
    else:
        cache.set(key, fitted)


def clear() -> None:
    """Forget every cached forecaster (both caches) and reset the fit counter."""
    with _lock:
        _process_cache.clear()
        cache.clear()
        stats.fits = 0
