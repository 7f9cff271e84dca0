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

Quantile forecasts come from ``<model>-q-<pct>`` columns (the pct/100 quantile, named as
:meth:`DemandForecaster.predict` names them) and from interval bounds: the lower
bound of a level-L interval is quantile (100 − L)/200, the upper one (100 + L)/200 (the
statsforecast convention). A scaled score whose scale is 0 is +∞ when the error is positive
and NaN when it is 0 too (a scale over fewer than m + 1 values is NaN); such scores raise an
:class:`~shelfcast.exceptions.UndefinedMetricWarning` and aggregates skip NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._accuracy import evaluate_frame
from ._analytics import AnalyticsMixin
from ._elasticity import PricingMixin
from ._frame import _numeric, parse_freq, require_columns, to_panel
from ._hierarchy import aggregate_hierarchy, hierarchy_weights
from ._inventory_api import InventoryMixin, ReturnsAnalysis
from ._polars import polars_io, style_of
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
    "ReturnsAnalysis",
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


class SalesMetrics(AnalyticsMixin, PricingMixin, InventoryMixin):
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

    polars: ``df`` may be a ``polars.DataFrame`` (read natively into numpy); every frame
    the methods return is then a ``polars.DataFrame``, as it is when a method is given a
    polars frame. The methods compute on numpy and build pandas results that are
    converted at one boundary (:func:`shelfcast._polars.polars_io`), column by column.
    """

    def __init__(
        self, df: pd.DataFrame, *, freq: str | None = "D", price_col: str | None = None
    ) -> None:
        offset = parse_freq(freq) if freq is not None else parse_freq("D")
        self.freq = freq
        self.price_col = price_col
        self._panel = to_panel(df, offset, what="sales_df", check_regular=freq is not None)
        self._source = df  # read (never modified) for controls and groups
        self._frame_style = style_of(df)  # polars in, polars out
        self._price = None
        if price_col is not None:
            require_columns(df, [price_col], "sales_df")
            price = self._panel.take(_numeric(df, price_col, "sales_df"))
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

    @staticmethod
    @polars_io("df", "train_df")
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
                ``<model>-hi-<L>`` and quantile columns ``<model>-q-<pct>`` feed the
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
