"""Bundled real retail data for examples, tests and benchmarks.

The package ships a daily SKU demand panel built from the transactions of a UK
online gift retailer (mostly wholesale customers), December 2009 - December 2011,
plus a small *synthetic* inventory snapshot for the same SKUs.

Data source and attribution (CC BY 4.0):
    Chen, D., Sain, S. L. & Guo, K. (2012). "Data mining for the online retail
    industry: A case study of RFM model-based customer segmentation using data
    mining". Journal of Database Marketing & Customer Strategy Management
    19(3):197-208. Distributed by the UCI Machine Learning Repository as
    datasets 352 ("Online Retail") and 502 ("Online Retail II") under the
    Creative Commons Attribution 4.0 International licence.

The panel was aggregated and cleaned by ``datasets/build_online_retail.py`` in
the source repository; ``datasets/README.md`` documents every rule (dropped
non-product codes, price forward fill, inventory derivation).

Example:
    >>> from shelfcast.datasets import load_online_retail
    >>> df = load_online_retail(min_days=365)
    >>> df.columns.tolist()
    ['unique_id', 'ds', 'y', 'price']
"""

from __future__ import annotations

import functools
import numbers
from importlib.resources import files
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["load_online_retail", "load_online_retail_inventory"]

_PANEL_FILE = "online_retail_daily.npz"
_INVENTORY_FILE = "online_retail_inventory.csv"
_SUPPORTED_FORMAT = 1
_INVENTORY_DTYPES = {
    "unique_id": str,
    "on_hand": np.int64,
    "on_order": np.int64,
    "lead_time": np.int64,
    "unit_cost": np.float64,
    "holding_cost": np.float64,
    "order_cost": np.float64,
    "moq": np.int64,
    "pack_size": np.int64,
}


class _Panel(NamedTuple):
    ids: np.ndarray
    start: np.ndarray
    lengths: np.ndarray
    y: np.ndarray
    price: np.ndarray
    panel_start: np.datetime64


def _resource(name: str) -> Traversable:
    res = files("shelfcast") / "data" / name
    if not res.is_file():
        raise FileNotFoundError(
            f"bundled data file shelfcast/data/{name} is missing from the installation"
        )
    return res


@functools.lru_cache(maxsize=1)
def _read_panel() -> _Panel:
    with _resource(_PANEL_FILE).open("rb") as fh, np.load(fh, allow_pickle=False) as z:
        version = int(z["format_version"])
        if version != _SUPPORTED_FORMAT:
            raise ValueError(
                f"{_PANEL_FILE} has format_version {version}; this shelfcast "
                f"version reads format_version {_SUPPORTED_FORMAT}"
            )
        panel = _Panel(
            ids=z["ids"].astype(object),
            start=z["start"].astype(np.int64),
            lengths=z["lengths"].astype(np.int64),
            y=z["y"].astype(np.float64),
            # stored as float32; source prices have <= 4 decimals and every daily
            # median rounds back exactly, so undo the float32 noise
            price=np.round(z["price"].astype(np.float64), 4),
            panel_start=np.datetime64(str(z["panel_start"]), "D"),
        )
    n_rows = int(panel.lengths.sum())
    if not (
        len(panel.ids) == len(panel.start) == len(panel.lengths)
        and len(panel.y) == len(panel.price) == n_rows
    ):
        raise ValueError(f"{_PANEL_FILE} is corrupt: array lengths are inconsistent")
    for arr in panel[:5]:
        arr.setflags(write=False)
    return panel


def load_online_retail(min_days: int | None = None) -> pd.DataFrame:
    """Load the daily SKU demand panel of the UCI Online Retail (II) data.

    One row per SKU and calendar day from the SKU's first sale to the panel
    end (2011-12-09, the same day for every SKU); days without sales have
    ``y == 0``. 4,703 SKUs over 2009-12-01 .. 2011-12-09, about 2.9 million
    rows. ``y`` is the number of units sold on non-cancelled invoice lines with
    positive quantity and price; ``price`` is the median unit price (GBP) of
    that day's lines, forward-filled from the last sale day on zero-sale days,
    rounded to 4 decimals (source prices have at most 4).

    Args:
        min_days: If given, keep only SKUs with at least this many days of
            history (days from first sale to the panel end, inclusive).
            ``None`` or ``0`` keeps every SKU.

    Returns:
        A new DataFrame with columns ``unique_id`` (object dtype, the upper-case
        StockCode), ``ds`` (datetime64[ns]), ``y`` (float64, integer-valued,
        >= 0) and ``price`` (float64, never NaN), sorted by ``unique_id`` then
        ``ds``, with a default RangeIndex.

    Raises:
        TypeError: If ``min_days`` is not an integer or None.
        ValueError: If ``min_days`` is negative, or the bundled file has an
            unsupported format version or inconsistent arrays.
        FileNotFoundError: If the bundled data file is missing from the
            installation.
    """
    if min_days is not None:
        if isinstance(min_days, bool) or not isinstance(min_days, numbers.Integral):
            raise TypeError(f"min_days must be an int or None, got {type(min_days).__name__}")
        if min_days < 0:
            raise ValueError(f"min_days must be >= 0, got {min_days}")

    p = _read_panel()
    ids, start, lengths, y, price = p.ids, p.start, p.lengths, p.y, p.price
    if min_days:
        keep = lengths >= int(min_days)
        rows = np.repeat(keep, lengths)
        ids, start, lengths = ids[keep], start[keep], lengths[keep]
        y, price = y[rows], price[rows]

    n = int(lengths.sum())
    seg_begin = np.cumsum(lengths) - lengths
    day = np.repeat(start - seg_begin, lengths) + np.arange(n, dtype=np.int64)
    ds = (p.panel_start + day.astype("timedelta64[D]")).astype("datetime64[ns]")

    return pd.DataFrame(
        {
            "unique_id": pd.Series(np.repeat(ids, lengths), dtype=object),
            "ds": ds,
            "y": y.copy(),
            "price": price.copy(),
        }
    )


def load_online_retail_inventory() -> pd.DataFrame:
    """Load the synthetic demo inventory snapshot for the Online Retail SKUs.

    The source data contain no stock or cost information: every value here is
    SYNTHETIC, derived deterministically from the sales (see
    ``datasets/README.md``). Use it to demonstrate replenishment logic, not as
    evidence about the retailer.

    Returns:
        A new DataFrame with one row per SKU of :func:`load_online_retail`,
        sorted by ``unique_id``, with columns ``unique_id`` (object),
        ``on_hand`` and ``on_order`` (int64, units), ``lead_time`` (int64,
        days), ``unit_cost`` (float64, GBP), ``holding_cost`` (float64, GBP per
        unit per day), ``order_cost`` (float64, GBP per order), ``moq`` and
        ``pack_size`` (int64, units). ``df.attrs["synthetic"]`` is ``True``.

    Raises:
        FileNotFoundError: If the bundled data file is missing from the
            installation.
    """
    with _resource(_INVENTORY_FILE).open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, comment="#", dtype=_INVENTORY_DTYPES, keep_default_na=False)
    df["unique_id"] = df["unique_id"].astype(object)
    df.attrs["synthetic"] = True
    return df
