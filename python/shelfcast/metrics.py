"""Forecast accuracy and sales analytics, computed natively per series.

Accuracy definitions, for one evaluated series (or one series × cutoff in
cross-validation) with actuals ``y_t`` and forecasts ``ŷ_t`` over its ``h`` evaluation
periods, training history ``x_1..x_n`` and seasonality ``m`` (default 1):

* ``mae``   = mean |y − ŷ|; ``mse`` = mean (y − ŷ)²; ``rmse`` = √mse
  (scikit-learn and utilsforecast agree).
* ``bias``  = mean (ŷ − y); positive means over-forecasting (utilsforecast's ``bias``).
* ``mape``  = 100 · mean over periods with y_t ≠ 0 of |y_t − ŷ_t| / |y_t|, in percent
  (Hyndman & Athanasopoulos, FPP). Periods with zero actuals are skipped, as in
  utilsforecast (whose value is a fraction: ours = 100 × theirs); NaN when every actual
  is 0. scikit-learn instead divides by max(|y|, ε) and reports a fraction.
* ``smape`` = 200 · mean |y − ŷ| / (|y| + |ŷ|), in percent, 0–200: the M4 competition's
  definition (Makridakis et al. 2020). A period with y = ŷ = 0 counts as 0.
  utilsforecast's ``smape`` omits the factor 2 and the percent (0–1): ours = 200 × theirs.
* ``wape``  = Σ|y − ŷ| / Σ|y| (a fraction; utilsforecast's ``wape``/``nd``). A zero
  denominator gives +∞ (NaN if the error is 0 too); utilsforecast gives NaN for both.
* ``mase``  = mae / s₁ and ``rmsse`` = √(mse / s₂), where
  s_p = mean_{t>m} |x_t − x_{t−m}|^p over the whole training history (Hyndman & Koehler
  2006; M5's RMSSE with the plain scale). These equal utilsforecast's and sktime's
  ``mase``/``rmsse``.
* ``mase_m5``, ``rmsse_m5``: the same with the M5 scale, which starts at the series' first
  non-zero value ("the first non-zero demand observed", M5 competitors' guide). For series
  with leading zeros this differs from utilsforecast and sktime, which do not trim them
  (trim the training history yourself to get ours from them).
* ``pinball_q<u>`` = mean max(u·(y − q̂_u), (u − 1)·(y − q̂_u)) for the quantile-u forecast
  q̂_u (utilsforecast's ``quantile_loss``, scikit-learn's ``mean_pinball_loss``);
  ``pinball`` = its mean over the model's quantiles (utilsforecast's ``mqloss``).
* ``spl`` = pinball / s₁ (utilsforecast's ``scaled_mqloss``); ``spl_m5`` uses the M5 scale:
  the M5 uncertainty track's scaled pinball loss averaged over the quantiles.
* ``coverage_<L>`` = share of periods with lo ≤ y ≤ hi for the level-L central interval
  (utilsforecast's ``coverage``); ``winkler_<L>`` = mean of (hi − lo) + (2/α)(lo − y)·[y < lo]
  + (2/α)(y − hi)·[y > hi] with α = 1 − L/100 (Winkler 1972; utilsforecast's
  ``winkler_score``).
* :func:`wrmsse` and :func:`wspl`: the M5 weighted scores over a hierarchy (see there).

Quantile forecasts come from ``<model>-q-<u>`` columns and from interval bounds: the lower
bound of a level-L interval is quantile (100 − L)/200, the upper one (100 + L)/200 (the
statsforecast convention). A scaled score whose scale is 0 is +∞ when the error is positive
and NaN when it is 0 too (a scale over fewer than m + 1 values is NaN); such scores raise an
:class:`~shelfcast.exceptions.UndefinedMetricWarning` and aggregates skip NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import _analytics, _elasticity
from ._accuracy import evaluate_frame
from ._analytics import default_season_length
from ._frame import _numeric, parse_freq, require_columns, to_panel
from ._hierarchy import aggregate_hierarchy, hierarchy_weights
from ._scores import (
    bias,
    coverage,
    mae,
    mape,
    mase,
    mse,
    pinball,
    rmse,
    rmsse,
    smape,
    spl,
    wape,
    winkler,
)
from ._weighted import wrmsse, wspl
from .exceptions import InvalidSeriesError

__all__ = [
    "SalesMetrics",
    "aggregate_hierarchy",
    "bias",
    "coverage",
    "hierarchy_weights",
    "mae",
    "mape",
    "mase",
    "mse",
    "pinball",
    "rmse",
    "rmsse",
    "smape",
    "spl",
    "wape",
    "winkler",
    "wrmsse",
    "wspl",
]


class SalesMetrics:
    """Sales analytics over a long-format sales history, and forecast accuracy.

    Args:
        df: sales history with ``unique_id``, ``ds``, ``y`` (one row per item and period).
        freq: the frequency of the history; series must be regular at it (fill zero-sale
            periods with 0 first). Pass ``None`` to skip the regularity check.
        price_col: a unit-price column of ``df`` (enables revenue, revenue ABC and price
            elasticity). It may be NaN on zero-sale periods only.

    Raises:
        MissingColumnError, ColumnTypeError, DuplicateRowError, InvalidSeriesError:
            invalid input, naming the column, series and date.
    """

    def __init__(
        self, df: pd.DataFrame, *, freq: str | None = "D", price_col: str | None = None
    ) -> None:
        offset = parse_freq(freq) if freq is not None else parse_freq("D")
        self.freq = freq
        self.price_col = price_col
        self._panel = to_panel(df, offset, what="sales_df", check_regular=freq is not None)
        self._source = df  # read (never modified) for controls and groups
        self._price = None
        if price_col is not None:
            require_columns(df, [price_col], "sales_df")
            price = _numeric(df, price_col, "sales_df")[self._panel.order]
            bad = (self._panel.y != 0) & ~np.isfinite(price)
            if bad.any():
                pos = int(np.flatnonzero(bad)[0])
                g = int(np.searchsorted(self._panel.offsets, pos, side="right") - 1)
                raise InvalidSeriesError(
                    f"sales_df column {price_col!r} is {price[pos]} for series "
                    f"{self._panel.ids[g]!r} at {pd.Timestamp(self._panel.ds[pos])}, a day "
                    f"with sales; prices may be missing on zero-sale days only"
                )
            self._price = np.ascontiguousarray(price)

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
        return _analytics.summary(self._panel, self._price, m)

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
        return _analytics.abc_xyz(self._panel, self._price, value, a, b, x, z)

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
        return _analytics.demand_classes(self._panel, adi_cut, cv2_cut, from_first_sale)

    def price_elasticity(
        self,
        controls: Sequence[str] = (),
        *,
        calendar: Sequence[str] = (),
        groups: str | Mapping[object, object] | pd.Series | None = None,
        min_obs: int = 10,
    ) -> pd.DataFrame:
        """Constant price elasticity per item (or pooled per group) from log-log OLS.

        Fits ln(units_t) = α + ε·ln(price_t) + Σ_k β_k·control_{t,k} + e_t by ordinary least
        squares through **linfa-linear** (the Rust crate's ``LinearRegression``), on the
        periods with units > 0 and price > 0 (the log of a zero sale is undefined, so
        zero-sale days are left out). ε is the elasticity: a 1% price rise changes units
        by about ε%. Controls that do not vary within an item are dropped for that item.
        With ``groups``, one regression per group pools its items with item fixed
        effects (each item its own α; the within estimator, equal to OLS with item
        dummies). Standard errors are classical OLS ones (σ̂²(X'X)⁻¹, σ̂² = RSS/(n − p)
        with p counting the intercept or item effects); ``ci_low``/``ci_high`` are
        ε ± 1.96·se. Results equal statsmodels' ``OLS`` on the same rows.

        Args:
            controls: numeric columns of ``sales_df`` to control for (promotion flags,
                discounts, events...).
            calendar: built-in calendar controls: ``"dow"`` (day-of-week dummies, Monday
                baseline), ``"month"`` (month dummies, January baseline), ``"trend"``
                (time in years).
            groups: pool items per group: a ``sales_df`` column constant per item, or a
                mapping / Series unique_id -> group (items mapped to nothing are left out).
            min_obs: the fewest usable periods a regression needs (also at least the
                number of coefficients + 1).

        Returns:
            Per item: ``unique_id, elasticity, se, ci_low, ci_high, intercept, r2, n_obs,
            n_params, status``; per group: ``group, n_items, elasticity, se, ci_low,
            ci_high, r2, n_obs, n_params, status``. ``status`` is ``ok``,
            ``too_few_observations``, ``no_price_variation`` (a constant price identifies
            nothing) or ``singular`` (collinear controls); estimates are NaN unless ok.

        Raises:
            InvalidParameterError: no ``price_col``, unknown calendar control, bad
                ``groups`` or ``min_obs``.
            MissingColumnError, ColumnTypeError: a control column is absent or not numeric.
            InvalidSeriesError: a control is NaN on a usable period.
            InvalidInputError: a ``groups`` column varies within an item.
        """
        return _elasticity.price_elasticity(
            self._source, self._panel, self._price, controls, calendar, groups, min_obs
        )

    def optimal_price(
        self,
        unit_cost: float | Mapping[object, float] | pd.Series | pd.DataFrame,
        *,
        elasticity: pd.DataFrame | None = None,
        controls: Sequence[str] = (),
        calendar: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Profit-maximising price under constant elasticity.

        With demand q = A·p^ε and unit cost c, profit (p − c)·q peaks at
        p* = c·ε / (1 + ε) when ε < −1 (the Lerner / inverse-elasticity rule). When
        ε ≥ −1 demand is inelastic and profit keeps rising with price inside the model:
        there is no finite optimum and the item is flagged ``inelastic``.

        Args:
            unit_cost: one cost for every item, a mapping / Series unique_id -> cost, or a
                frame with ``unique_id, unit_cost``.
            elasticity: the output of :meth:`price_elasticity` (default: computed with
                ``controls`` and ``calendar``).
            controls: passed to :meth:`price_elasticity` when ``elasticity`` is None.
            calendar: passed to :meth:`price_elasticity` when ``elasticity`` is None.

        Returns:
            DataFrame ``unique_id, elasticity, unit_cost, optimal_price, markup, flag`` with
            markup = p*/c and flag ``ok``, ``inelastic`` (ε ≥ −1) or ``no_estimate``
            (the regression failed); optimal_price is NaN unless ok.

        Raises:
            InvalidParameterError: a cost is missing, not positive or not finite.
        """
        if elasticity is None:
            elasticity = self.price_elasticity(controls, calendar=calendar)
        return _elasticity.optimal_price(elasticity, unit_cost)

    @staticmethod
    def evaluate(
        df: pd.DataFrame,
        metrics: Sequence[str] = ("mae", "rmse"),
        *,
        models: Sequence[str] | None = None,
        train_df: pd.DataFrame | None = None,
        seasonality: int | None = None,
        aggregate: bool = False,
        level: Sequence[float] | None = None,
        long: bool = False,
    ) -> pd.DataFrame:
        """Accuracy of forecast columns against actuals, per series (and cutoff).

        Args:
            df: ``unique_id, ds, y`` plus the model columns, e.g. the output of
                :meth:`DemandForecaster.predict` merged with actuals, or of
                ``cross_validation`` (with a ``cutoff`` column: every (series, cutoff) is
                scored separately). Interval columns ``<model>-lo-<L>`` /
                ``<model>-hi-<L>`` and quantile columns ``<model>-q-<u>`` feed the
                probabilistic metrics.
            metrics: metric names (the module docs define each): ``mae, mse, rmse, bias,
                mape, smape, wape, mase, rmsse, mase_m5, rmsse_m5, pinball, pinball_q<u>,
                spl, spl_m5, coverage[_<L>], winkler[_<L>]``. ``coverage`` and ``winkler``
                without a level expand to every level present for all models.
            models: the model names; default: every column except ``unique_id, ds, y,
                cutoff`` and interval/quantile columns (whose base names are added).
            train_df: the training history (``unique_id, ds, y``) for the scaled metrics.
                With a ``cutoff`` column, each (series, cutoff) is scaled on its history up
                to and including the cutoff (as utilsforecast does).
            seasonality: m of the naive scales. ``None`` (the default) means 1: the
                one-step naive scale of the M5 competition and of non-seasonal MASE. It is
                not inferred from the dates; pass 7 for a weekly season of daily data.
            aggregate: return one row per metric with the mean over series (and cutoffs),
                skipping NaN scores, instead of one row per series.
            level: the interval levels to use (default: every level with both bounds).
            long: return the tidy long layout ``unique_id, [cutoff,] model, metric, value``
                (or ``model, metric, value`` when aggregated) instead of one column per
                model.

        Returns:
            DataFrame ``unique_id, [cutoff,] metric, <model>...`` sorted by unique_id,
            cutoff and metric order (utilsforecast's layout), or ``metric, <model>...``
            when aggregated.

        Raises:
            InvalidParameterError: unknown metric, no model column, a scaled metric without
                ``train_df``, a metric the model's columns cannot feed, seasonality < 1.
            InvalidInputError: a series in ``df`` is absent from ``train_df``.
            InvalidSeriesError, DuplicateRowError, ColumnTypeError, MissingColumnError:
                invalid frame, naming the series, date and column.

        Warns:
            UndefinedMetricWarning: some scores are NaN or infinite (zero denominators).
        """
        return evaluate_frame(
            df,
            metrics,
            models=models,
            train_df=train_df,
            seasonality=seasonality,
            aggregate=aggregate,
            level=level,
            long=long,
        )

    def __repr__(self) -> str:
        return f"SalesMetrics(n_series={self._panel.n_series}, n_rows={len(self._panel.y)})"
