"""Per-item sales analytics behind :class:`shelfcast.SalesMetrics`: summary, ABC/XYZ and
Syntetos–Boylan demand classes. Definitions are documented on the public methods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._frame import Panel
from .exceptions import InvalidParameterError

__all__ = ["SUGGESTED_MODEL", "abc_xyz", "default_season_length", "demand_classes", "summary"]

# Syntetos, Boylan & Croston (2005): Croston's method in the smooth region, SBA elsewhere.
SUGGESTED_MODEL = {
    "smooth": "CrostonClassic",
    "erratic": "CrostonSBA",
    "intermittent": "CrostonSBA",
    "lumpy": "CrostonSBA",
    "no_demand": "Naive",
}

_SEASONS = (("W", 52), ("M", 12), ("Q", 4), ("QS", 4), ("BQ", 4), ("H", 24), ("h", 24))


def default_season_length(freq: str | None) -> int:
    """The usual season of a frequency: D → 7, B → 5, W → 52, M → 12, Q → 4, H → 24, else 1."""
    if freq is None:
        return 7
    code = str(freq).split("-")[0].lstrip("0123456789")
    if code == "D":
        return 7
    if code in ("B", "C"):
        return 5
    for prefix, m in _SEASONS:
        if code.startswith(prefix):
            return m
    return 1


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidParameterError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_share(name: str, value: object) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise InvalidParameterError(f"{name} must be finite and >= 0, got {value!r}")
    return v


def summary(panel: Panel, price: np.ndarray | None, season_length: int) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.summary`."""
    m = _check_int("season_length", season_length, 1)
    raw = _core.SalesMetrics.summary(panel.y, panel.offsets, price, m)
    starts = panel.offsets[:-1]

    def date_of(pos: np.ndarray) -> np.ndarray:
        out = np.full(len(pos), np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = pos >= 0
        out[ok] = panel.ds[starts[ok] + pos[ok]]
        return out

    out = pd.DataFrame(
        {
            "unique_id": panel.ids,
            "n_periods": raw["n_periods"].astype(np.int64),
            "total": raw["total"],
            "mean": raw["mean"],
            "std": raw["std"],
            "zero_share": raw["zero_share"],
            "selling_periods": raw["selling_periods"].astype(np.int64),
            "first_sale": date_of(raw["first_sale"]),
            "last_sale": date_of(raw["last_sale"]),
            "trend_slope": raw["trend_slope"],
            "trend_growth": raw["trend_growth"],
            "seasonal_strength": raw["seasonal_strength"],
        }
    )
    if price is not None:
        out["revenue"] = raw["revenue"]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["avg_price"] = np.where(out.total > 0, out.revenue / out.total, np.nan)
    return out


def abc_xyz(
    panel: Panel,
    price: np.ndarray | None,
    value: str,
    a: float,
    b: float,
    x: float,
    z: float,
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.abc_xyz`."""
    if value not in ("revenue", "units"):
        raise InvalidParameterError(f"value must be 'revenue' or 'units', got {value!r}")
    a, b, x, z = (_check_share(n, v) for n, v in (("a", a), ("b", b), ("x", x), ("z", z)))
    if value == "revenue" and price is None:
        raise InvalidParameterError(
            "value='revenue' needs prices: pass price_col to SalesMetrics, or use value='units'"
        )
    raw = _core.SalesMetrics.summary(panel.y, panel.offsets, price, 1)
    values = raw["revenue"] if value == "revenue" else raw["total"]
    if (values < 0).any():
        pos = int(np.flatnonzero(values < 0)[0])
        raise InvalidParameterError(
            f"series {panel.ids[pos]!r} has negative total {value} {values[pos]}: ABC needs "
            f"non-negative values"
        )
    abc = _core.SalesAnalytics.abc(values, a, b)
    var = _core.SalesAnalytics.xyz(panel.y, panel.offsets, x, z)
    total = values.sum()
    order = np.lexsort((np.arange(len(values)), -values))
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(1, len(values) + 1)
    cum = np.empty(len(values))
    cum[order] = np.cumsum(values[order]) / total if total > 0 else np.nan
    abc_s = np.array(["A", "B", "C"], dtype=object)[abc]
    xyz_s = np.array(["X", "Y", "Z"], dtype=object)[var["class"]]
    return pd.DataFrame(
        {
            "unique_id": panel.ids,
            "value": values,
            "share": values / total if total > 0 else np.full(len(values), np.nan),
            "cum_share": cum,
            "rank": rank,
            "abc": abc_s,
            "cv": var["cv"],
            "xyz": xyz_s,
            "class": abc_s + xyz_s,
        }
    )


def demand_classes(
    panel: Panel, adi_cut: float, cv2_cut: float, from_first_sale: bool
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.demand_classes`."""
    adi_cut = _check_share("adi_cut", adi_cut)
    cv2_cut = _check_share("cv2_cut", cv2_cut)
    raw = _core.SalesAnalytics.demand_classes(
        panel.y, panel.offsets, adi_cut, cv2_cut, bool(from_first_sale)
    )
    classes = np.array(raw["class"], dtype=object)
    return pd.DataFrame(
        {
            "unique_id": panel.ids,
            "adi": raw["adi"],
            "cv2": raw["cv2"],
            "demand_class": classes,
            "suggested_model": pd.Series(classes).map(SUGGESTED_MODEL).to_numpy(dtype=object),
        }
    )
