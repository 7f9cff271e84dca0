"""shelfcast: retail demand forecasting and replenishment planning with a Rust core.

The three entry points:

* :class:`DemandForecaster` — statistical demand models fitted natively on many series.
* :class:`ReorderPlanner` — safety stock, reorder point, order quantity and dates per item.
* :class:`SalesMetrics` — sales summaries and forecast accuracy.

Data: :func:`shelfcast.datasets.load_online_retail` (UCI Online Retail, CC BY 4.0).
Threads: set ``SHELFCAST_NUM_THREADS`` before first use to limit the native thread pool.
"""

from __future__ import annotations

import logging

from . import datasets, models
from ._core import __version__, num_threads
from .exceptions import ShelfcastError
from .forecaster import DemandForecaster
from .metrics import SalesMetrics
from .planner import ReorderPlanner

# Library logging etiquette: diagnostics go to the "shelfcast.*" loggers and are shown only
# when the application configures logging (e.g. logging.basicConfig(level="INFO")).
logging.getLogger("shelfcast").addHandler(logging.NullHandler())

__all__ = [
    "DemandForecaster",
    "ReorderPlanner",
    "SalesMetrics",
    "ShelfcastError",
    "__version__",
    "datasets",
    "models",
    "num_threads",
]
