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

from . import _core
from ._accuracy import evaluate_frame, resolve_seasonality
from ._frame import parse_freq, to_panel
from ._hierarchy import aggregate_hierarchy, hierarchy_weights, weighted_score
from .exceptions import InvalidInputError, InvalidParameterError, ShapeError

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


def _array(name: str, values: object, n: int | None = None) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(values, dtype=np.float64).ravel())
    if n is not None and a.size != n:
        raise ShapeError(f"{name} has {a.size} values but y has {n}")
    return a


def _single(
    metric: str,
    y: object,
    *,
    point: object = None,
    quantiles: Mapping[float, object] | None = None,
    interval: tuple[float, object, object] | None = None,
    y_train: object = None,
    seasonality: int | None = 1,
) -> float:
    a = _array("y", y)
    if a.size == 0:
        raise InvalidInputError("y is empty")
    p = None if point is None else _array("y_hat", point, a.size)
    qs = [(float(u), _array(f"quantile {u}", v, a.size)) for u, v in (quantiles or {}).items()]
    iv = []
    if interval is not None:
        lv, lo, hi = interval
        iv = [(float(lv), _array("lo", lo, a.size), _array("hi", hi, a.size))]
    kwargs = {}
    if y_train is not None:
        t = _array("y_train", y_train)
        kwargs = {
            "train_y": t,
            "train_starts": np.array([0], dtype=np.int64),
            "train_ends": np.array([t.size], dtype=np.int64),
        }
    out = _core.Accuracy.evaluate(
        a,
        np.array([0, a.size], dtype=np.int64),
        [("y_hat", p, qs, iv)],
        [metric],
        seasonality=resolve_seasonality(seasonality),
        **kwargs,
    )
    return float(out[0, 0, 0])


def _scaled_name(base: str, scale: str) -> str:
    if scale not in ("plain", "m5"):
        raise InvalidParameterError(f"scale must be 'plain' or 'm5', got {scale!r}")
    return base if scale == "plain" else f"{base}_m5"


def mae(y: object, y_hat: object) -> float:
    """Mean absolute error of one series: mean |y − ŷ|.

    Args:
        y: actual values.
        y_hat: forecasts (same length).

    Returns:
        The score.

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a value is not finite.
    """
    return _single("mae", y, point=y_hat)


def mse(y: object, y_hat: object) -> float:
    """Mean squared error of one series: mean (y − ŷ)² (Args/Returns/Raises as :func:`mae`)."""
    return _single("mse", y, point=y_hat)


def rmse(y: object, y_hat: object) -> float:
    """Root mean squared error of one series: √mse (Args/Returns/Raises as :func:`mae`)."""
    return _single("rmse", y, point=y_hat)


def bias(y: object, y_hat: object) -> float:
    """Mean signed error mean(ŷ − y) of one series (Args/Returns/Raises as :func:`mae`)."""
    return _single("bias", y, point=y_hat)


def mape(y: object, y_hat: object) -> float:
    """Mean absolute percentage error in percent over the periods with y ≠ 0.

    100 · mean_{y_t ≠ 0} |y_t − ŷ_t| / |y_t| (NaN when every actual is 0); 100 × utilsforecast's
    ``mape``. Args/Returns/Raises as :func:`mae`.
    """
    return _single("mape", y, point=y_hat)


def smape(y: object, y_hat: object) -> float:
    """Symmetric MAPE, M4 definition, in percent (0–200).

    200 · mean |y − ŷ| / (|y| + |ŷ|), a 0/0 term counting 0; 200 × utilsforecast's ``smape``.
    Args/Returns/Raises as :func:`mae`.
    """
    return _single("smape", y, point=y_hat)


def wape(y: object, y_hat: object) -> float:
    """Weighted absolute percentage error Σ|y − ŷ| / Σ|y| (a fraction).

    +∞ when every actual is 0 and the error is not (NaN when both are 0).
    Args/Returns/Raises as :func:`mae`.
    """
    return _single("wape", y, point=y_hat)


def mase(
    y: object, y_hat: object, y_train: object, seasonality: int = 1, *, scale: str = "plain"
) -> float:
    """Mean absolute scaled error of one series.

    Args:
        y: actuals.
        y_hat: forecasts.
        y_train: the training history.
        seasonality: m of the naive scale.
        scale: ``"plain"`` (the whole history; utilsforecast, sktime) or ``"m5"`` (from the
            first non-zero value on, as in the M5 competition).

    Returns:
        mae / mean_{t>m} |x_t − x_{t−m}|.

    Raises:
        ShapeError: lengths differ.
        InvalidParameterError: seasonality < 1 or an unknown scale.
    """
    return _single(
        _scaled_name("mase", scale), y, point=y_hat, y_train=y_train, seasonality=seasonality
    )


def rmsse(
    y: object, y_hat: object, y_train: object, seasonality: int = 1, *, scale: str = "plain"
) -> float:
    """Root mean squared scaled error √(mse / mean_{t>m} (x_t − x_{t−m})²) of one series.

    Args/Raises as :func:`mase`; ``scale="m5"`` gives the M5 competition's RMSSE.
    """
    return _single(
        _scaled_name("rmsse", scale), y, point=y_hat, y_train=y_train, seasonality=seasonality
    )


def pinball(y: object, y_hat: object, q: float) -> float:
    """Pinball (quantile) loss of a quantile-q forecast of one series.

    Args:
        y: actuals.
        y_hat: the forecast of quantile q.
        q: the quantile, in (0, 1).

    Returns:
        mean max(q·(y − ŷ), (q − 1)·(y − ŷ)).

    Raises:
        ShapeError: lengths differ.
        InvalidParameterError: q outside (0, 1).
    """
    return _single(f"pinball_q{float(q)!r}", y, quantiles={q: y_hat})


def spl(
    y: object,
    quantiles: Mapping[float, object],
    y_train: object,
    seasonality: int = 1,
    *,
    scale: str = "m5",
) -> float:
    """Scaled pinball loss averaged over quantiles (the M5 uncertainty track's SPL).

    Args:
        y: actuals.
        quantiles: quantile u -> its forecasts.
        y_train: the training history.
        seasonality: m of the naive scale.
        scale: ``"m5"`` (default: from the first non-zero value) or ``"plain"``.

    Returns:
        mean over u of pinball_u / mean_{t>m} |x_t − x_{t−m}|.

    Raises:
        ShapeError: lengths differ.
        InvalidParameterError: no quantile, a quantile outside (0, 1), or seasonality < 1.
    """
    if not quantiles:
        raise InvalidParameterError("quantiles must hold at least one quantile forecast")
    return _single(
        _scaled_name("spl", scale), y, quantiles=quantiles, y_train=y_train, seasonality=seasonality
    )


def coverage(y: object, lo: object, hi: object) -> float:
    """Share of actuals inside [lo, hi] (both ends included).

    Args:
        y: actuals.
        lo: interval lower bounds.
        hi: interval upper bounds.

    Returns:
        The coverage in [0, 1].

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a lower bound is above its upper bound.
    """
    return _single("coverage_50", y, interval=(50.0, lo, hi))


def winkler(y: object, lo: object, hi: object, level: float) -> float:
    """Mean Winkler score of a central interval at ``level`` percent.

    Args:
        y: actuals.
        lo: interval lower bounds.
        hi: interval upper bounds.
        level: the interval's level in (0, 100), e.g. 80.

    Returns:
        mean of (hi − lo) + (2/α)(lo − y)[y < lo] + (2/α)(y − hi)[y > hi], α = 1 − level/100.

    Raises:
        ShapeError: lengths differ.
        InvalidParameterError: level outside (0, 100).
    """
    return _single(f"winkler_{float(level)!r}", y, interval=(level, lo, hi))


def wrmsse(
    df: pd.DataFrame,
    train_df: pd.DataFrame,
    hierarchy: pd.DataFrame,
    *,
    levels: Sequence[Sequence[str]] | None = None,
    models: Sequence[str] | None = None,
    price_col: str | None = "price",
    weight_periods: int = 28,
    seasonality: int | None = None,
) -> pd.DataFrame:
    """Weighted RMSSE over a hierarchy, as in the M5 accuracy competition.

    For every level l (L levels) and node i (a sum of bottom series), RMSSE_i is
    ``rmsse_m5`` of the node's summed forecasts (scale from its first non-zero training
    value). The weight w_i is the node's dollar sales (Σ units × price) over the last
    ``weight_periods`` training dates, divided by the level's total, so each level's
    weights sum to 1. Then WRMSSE_l = Σ_i w_i RMSSE_i and WRMSSE = (1/L) Σ_l WRMSSE_l,
    which is M5's Σ over all series with weights summing to 1/L per level.

    Args:
        df: bottom-level forecasts ``unique_id, ds, [cutoff,] y, <model>...`` (point
            forecasts add up, so nodes are summed from them). With a ``cutoff`` column
            every cutoff is scored on its own (history and weights as of the cutoff).
        train_df: bottom-level history ``unique_id, ds, y`` and ``price_col``.
        hierarchy: one row per ``unique_id`` with grouping columns (store, dept...);
            series of ``hierarchy`` absent from ``df`` are left out.
        levels: lists of hierarchy columns, e.g. ``[[], ["store"], ["store", "dept"],
            ["unique_id"]]``; default: the total, each column alone, then the bottom.
        models: the model columns (default: every non-reserved column).
        price_col: price column of ``train_df``; ``None`` weighs by units.
        weight_periods: the number of last training dates that set the weights (M5: 28).
        seasonality: m of the scale (default None = 1, as M5).

    Returns:
        DataFrame ``[cutoff,] level, <model>...``: one row per level (named ``"total"``,
        ``"store"``, ``"store/dept"``, ``"unique_id"``...) then a ``"WRMSSE"`` row.

    Raises:
        MissingColumnError, InvalidInputError, InvalidSeriesError: unknown level columns,
            series missing from ``hierarchy``/``train_df``, prices missing on sale days.

    Warns:
        UndefinedMetricWarning: a node with positive weight has an undefined RMSSE.
    """
    return weighted_score(
        "rmsse_m5",
        "WRMSSE",
        df,
        train_df,
        hierarchy,
        levels=levels,
        models=models,
        price_col=price_col,
        weight_periods=weight_periods,
        seasonality=seasonality,
        level=None,
        node_forecasts=False,
    )


def wspl(
    df: pd.DataFrame,
    train_df: pd.DataFrame,
    hierarchy: pd.DataFrame,
    *,
    levels: Sequence[Sequence[str]] | None = None,
    models: Sequence[str] | None = None,
    level: Sequence[float] | None = None,
    price_col: str | None = "price",
    weight_periods: int = 28,
    seasonality: int | None = None,
) -> pd.DataFrame:
    """Weighted scaled pinball loss over a hierarchy, as in the M5 uncertainty competition.

    SPL_i = mean over the model's quantiles u of pinball_u / s₁ (``spl_m5``: scale from the
    node's first non-zero training value); weights and averaging over levels as in
    :func:`wrmsse`. M5 used the quantiles 0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835,
    0.975, 0.995 (intervals at 50/67/95/99 plus a ``-q-0.5`` median column).

    Args:
        df: quantile forecasts for **every node** of every level: quantiles do not add up,
            so node forecasts must be supplied (rows with ``unique_id`` = the node ids of
            :func:`aggregate_hierarchy`: ``"total"``, ``"store=CA_1"``, bottom ids...).
            Columns ``<model>-lo-<L>``/``<model>-hi-<L>`` and/or ``<model>-q-<u>``.
        train_df: bottom-level history ``unique_id, ds, y`` and ``price_col``.
        hierarchy, levels, models, price_col, weight_periods, seasonality: as in
            :func:`wrmsse`.
        level: interval levels to use (default: all present).

    Returns:
        DataFrame ``[cutoff,] level, <model>...`` with one row per level then ``"WSPL"``.

    Raises:
        InvalidInputError: a node has no forecast rows. Others as :func:`wrmsse`.

    Warns:
        UndefinedMetricWarning: a node with positive weight has an undefined SPL.
    """
    return weighted_score(
        "spl_m5",
        "WSPL",
        df,
        train_df,
        hierarchy,
        levels=levels,
        models=models,
        price_col=price_col,
        weight_periods=weight_periods,
        seasonality=seasonality,
        level=level,
        node_forecasts=True,
    )


class SalesMetrics:
    """Sales analytics over a long-format sales history, and forecast accuracy.

    Args:
        df: sales history with ``unique_id``, ``ds``, ``y`` (one row per item and period).
        freq: the frequency of the history; series must be regular at it (fill zero-sale
            periods with 0 first). Pass ``None`` to skip the regularity check.

    Raises:
        MissingColumnError, ColumnTypeError, DuplicateRowError, InvalidSeriesError:
            invalid input, naming the column, series and date.
    """

    def __init__(self, df: pd.DataFrame, *, freq: str | None = "D") -> None:
        offset = parse_freq(freq) if freq is not None else parse_freq("D")
        self.freq = freq
        self._panel = to_panel(df, offset, what="sales_df", check_regular=freq is not None)

    def summary(self) -> pd.DataFrame:
        """Per-item summary of the history.

        Returns:
            DataFrame ``unique_id, n_periods, total, mean, std, zero_share,
            selling_periods, first_sale, last_sale`` where ``std`` is the sample standard
            deviation (ddof=1, as pandas), ``zero_share`` the fraction of periods with 0
            units, and ``first_sale``/``last_sale`` the dates of the first and last positive
            sale (NaT when none).
        """
        p = self._panel
        raw = _core.SalesMetrics.summary(p.y, p.offsets)
        starts = p.offsets[:-1]

        def date_of(pos: np.ndarray) -> np.ndarray:
            out = np.full(len(pos), np.datetime64("NaT"), dtype="datetime64[ns]")
            ok = pos >= 0
            out[ok] = p.ds[starts[ok] + pos[ok]]
            return out

        return pd.DataFrame(
            {
                "unique_id": p.ids,
                "n_periods": raw["n_periods"].astype(np.int64),
                "total": raw["total"],
                "mean": raw["mean"],
                "std": raw["std"],
                "zero_share": raw["zero_share"],
                "selling_periods": raw["selling_periods"].astype(np.int64),
                "first_sale": date_of(raw["first_sale"]),
                "last_sale": date_of(raw["last_sale"]),
            }
        )

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
