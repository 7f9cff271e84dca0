"""Per-item sales analytics behind :class:`shelfcast.SalesMetrics`: summary, ABC/XYZ and
Syntetos–Boylan demand classes. Definitions are documented on the public methods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._frame import Panel
from ._polars import polars_io
from .exceptions import InvalidParameterError

__all__ = [
    "SUGGESTED_MODEL",
    "AnalyticsMixin",
    "abc_xyz",
    "default_season_length",
    "demand_classes",
    "summary",
]

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


class AnalyticsMixin:
    """SalesMetrics methods: summary, ABC/XYZ, demand classes, anomalies."""

    _panel: Panel
    _price: np.ndarray | None
    freq: str | None

    @polars_io()
    def summary(self, season_length: int | None = None) -> pd.DataFrame:
        """Per-item summary of the history.

        Args:
            season_length: m of the seasonal strength; default from ``freq`` (D → 7,
                B → 5, W → 52, M → 12, Q → 4, H → 24, else 1).

        Returns:
            DataFrame ``unique_id, n_periods, total, mean, std, zero_share,
            selling_periods, first_sale, last_sale, trend_slope, trend_growth,
            seasonal_strength`` plus ``revenue, avg_price`` when prices are given, where

            * ``std`` is the sample standard deviation (ddof=1, as pandas);
            * ``zero_share`` the fraction of periods with 0 units and ``selling_periods``
              the number with positive units (selling days for daily data);
            * ``first_sale``/``last_sale`` the dates of the first and last positive sale
              (NaT when none);
            * ``trend_slope`` the OLS slope of units on the period index (units per
              period) and ``trend_growth`` = slope · (n − 1) / mean, the fitted trend's
              change over the history relative to the mean level (NaN when the mean is 0);
            * ``seasonal_strength`` F_S = max(0, 1 − Var(R) / Var(S + R)) from a classical
              additive decomposition with period m (statsmodels' ``seasonal_decompose``;
              Wang, Smith & Hyndman 2006): 0 = no season, 1 = pure season; NaN for
              series shorter than 2m or m = 1;
            * ``revenue`` = Σ units × price and ``avg_price`` = revenue / total units.

        Raises:
            InvalidParameterError: season_length is not an int >= 1.
        """
        m = default_season_length(self.freq) if season_length is None else season_length
        return summary(self._panel, self._price, m)

    @polars_io()
    def abc_xyz(
        self,
        value: str = "revenue",
        a: float = 0.8,
        b: float = 0.95,
        x: float = 0.5,
        z: float = 1.0,
    ) -> pd.DataFrame:
        """ABC (Pareto on value) and XYZ (variability) classes per item.

        ABC: items are ranked by value, largest first (ties by unique_id). An item is **A**
        when the items ranked above it hold **less than** a share ``a`` of the total value,
        **B** when they hold less than ``b``, else **C**. So class A is the smallest top set
        whose value reaches ``a`` (the top item is always A), and an item whose
        predecessors hold exactly ``a`` is B. With zero total value every item is C.

        XYZ: CV = population standard deviation (ddof=0) / mean of units per period, zero
        periods included. **X** when CV ≤ ``x``, **Y** when CV ≤ ``z``, else **Z** (also
        when the mean is 0, where CV is NaN).

        Args:
            value: ``"revenue"`` (needs ``price_col``) or ``"units"``.
            a: cumulative value share of class A (0.8).
            b: cumulative value share of classes A + B (0.95).
            x: the largest CV of class X (0.5).
            z: the largest CV of class Y (1.0).

        Returns:
            DataFrame ``unique_id, value, share, cum_share, rank, abc, cv, xyz, class``
            (``class`` = e.g. ``"AX"``), one row per item in unique_id order;
            ``cum_share`` includes the item itself.

        Raises:
            InvalidParameterError: revenue without prices, thresholds not 0 ≤ a ≤ b ≤ 1 and
                0 ≤ x ≤ z, or a negative item value.
        """
        return abc_xyz(self._panel, self._price, value, a, b, x, z)

    @polars_io()
    def demand_classes(
        self, adi_cut: float = 1.32, cv2_cut: float = 0.49, *, from_first_sale: bool = True
    ) -> pd.DataFrame:
        """Syntetos–Boylan demand patterns: smooth, erratic, intermittent or lumpy.

        Definitions (Syntetos, Boylan & Croston 2005):

        * ADI = n / k: the average inter-demand interval, with n the number of periods
          (from the item's first sale on when ``from_first_sale``, so pre-launch zeros do
          not count) and k the number of periods with non-zero demand;
        * CV² = Var / mean² of the non-zero demand sizes (population variance, ddof=0).

        Classes: ADI ≤ ``adi_cut`` and CV² ≤ ``cv2_cut`` → smooth; ADI ≤ adi_cut and CV² >
        cv2_cut → erratic; ADI > adi_cut and CV² ≤ cv2_cut → intermittent; both above →
        lumpy (values exactly at a cut-off fall on the smooth side; some software uses ≥
        there). Items without demand are ``no_demand``. ``suggested_model`` follows the
        paper's comparison: Croston's method (``CrostonClassic``) for smooth items, the
        Syntetos–Boylan approximation (``CrostonSBA``) for the other three patterns, and
        ``Naive`` for no demand; pass it to :class:`shelfcast.DemandForecaster` per class.

        Args:
            adi_cut: the ADI cut-off (1.32).
            cv2_cut: the CV² cut-off (0.49).
            from_first_sale: count periods from each item's first sale only.

        Returns:
            DataFrame ``unique_id, adi, cv2, demand_class, suggested_model``.

        Raises:
            InvalidParameterError: a cut-off is negative or not finite.
        """
        return demand_classes(self._panel, adi_cut, cv2_cut, from_first_sale)

    @polars_io()
    def anomalies(
        self,
        method: str = "robust_z",
        threshold: float | None = None,
        *,
        season_length: int | None = None,
        window: int | None = None,
        all_periods: bool = False,
    ) -> pd.DataFrame:
        """Unusual sales periods per item, from robust residuals around a seasonal baseline.

        Baseline of each item (season m, odd window w): level_t = the median of y over the
        centred window of w periods (truncated at the ends); s_p = the median of
        y_t − level_t over the periods of phase p = t mod m; baseline_t = level_t +
        s_{t mod m}; residual r_t = y_t − baseline_t. Medians make the baseline insensitive
        to the very spikes and drops it should reveal.

        Scores per item: ``"robust_z"`` (Iglewicz & Hoaglin's modified z-score)
        z = (r − median r) / (1.4826 · MAD r); when MAD = 0 (most residuals equal, as for
        sparse sales) the scale is 1.2533 · mean |r − median r| instead, and scores are 0
        when both are 0. ``"iqr"``: the distance outside Tukey's fences in IQRs,
        (r − Q3)/IQR above Q3 and (r − Q1)/IQR below Q1 (0 inside, and everywhere when
        IQR = 0). A period is flagged when |score| > threshold.

        Args:
            method: ``"robust_z"`` or ``"iqr"``.
            threshold: the flagging cut-off; default 3.5 for robust_z, 1.5 for iqr.
            season_length: m (default from ``freq``: 7 for daily data); 1 for none.
            window: odd rolling-median width (default 4m + 1, at least 7).
            all_periods: return every period instead of the flagged ones only.

        Returns:
            DataFrame ``unique_id, ds, y, baseline, residual, score, kind`` with ``kind``
            ``"spike"`` (above the baseline) or ``"drop"`` (below, e.g. a stockout or a
            recording gap), sorted by unique_id and ds; with ``all_periods`` an extra
            ``anomaly`` column marks the flagged periods.

        Raises:
            InvalidParameterError: unknown method, threshold not positive, even window.
        """
        if method not in ("robust_z", "iqr"):
            raise InvalidParameterError(f"unknown method {method!r}; known: ['robust_z', 'iqr']")
        if threshold is None:
            threshold = 3.5 if method == "robust_z" else 1.5
        cut = _check_share("threshold", threshold)
        if cut <= 0:
            raise InvalidParameterError(f"threshold must be > 0, got {threshold}")
        m = default_season_length(self.freq) if season_length is None else season_length
        m = _check_int("season_length", m, 1)
        w = max(4 * m + 1, 7) if window is None else _check_int("window", window, 1)
        p = self._panel
        raw = _core.SalesAnalytics.anomalies(p.y, p.offsets, m, w, method)
        score = raw["score"]
        out = pd.DataFrame(
            {
                "unique_id": p.series_ids(),
                "ds": p.ds,
                "y": p.y,
                "baseline": raw["baseline"],
                "residual": raw["residual"],
                "score": score,
                "kind": np.where(score >= 0, "spike", "drop").astype(object),
            }
        )
        flagged = np.abs(score) > cut
        if all_periods:
            out["anomaly"] = flagged
            return out
        return out[flagged].reset_index(drop=True)
