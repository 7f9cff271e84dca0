"""Single-series accuracy functions of :mod:`shelfcast.metrics` (definitions there)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import _core
from ._accuracy import resolve_seasonality
from .exceptions import InvalidInputError, InvalidParameterError, ShapeError

__all__ = [
    "bias",
    "coverage",
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
    """Mean squared error of one series: mean (y − ŷ)².

    Args:
        y: actual values.
        y_hat: forecasts (same length).

    Returns:
        The score.

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a value is not finite.
    """
    return _single("mse", y, point=y_hat)


def rmse(y: object, y_hat: object) -> float:
    """Root mean squared error of one series: √mse.

    Args:
        y: actual values.
        y_hat: forecasts (same length).

    Returns:
        The score.

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a value is not finite.
    """
    return _single("rmse", y, point=y_hat)


def bias(y: object, y_hat: object) -> float:
    """Mean signed error mean(ŷ − y) of one series (positive: over-forecasting).

    Args:
        y: actual values.
        y_hat: forecasts (same length).

    Returns:
        The score.

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a value is not finite.
    """
    return _single("bias", y, point=y_hat)


def mape(y: object, y_hat: object) -> float:
    """Mean absolute percentage error in percent over the periods with y ≠ 0.

    100 · mean_{y_t ≠ 0} |y_t − ŷ_t| / |y_t| (NaN when every actual is 0); 100 × utilsforecast's
    ``mape``.

    Args:
        y: actual values.
        y_hat: forecasts (same length).

    Returns:
        The score.

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a value is not finite.
    """
    return _single("mape", y, point=y_hat)


def smape(y: object, y_hat: object) -> float:
    """Symmetric MAPE, M4 definition, in percent (0–200).

    200 · mean |y − ŷ| / (|y| + |ŷ|), a 0/0 term counting 0; 200 × utilsforecast's ``smape``.

    Args:
        y: actual values.
        y_hat: forecasts (same length).

    Returns:
        The score.

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a value is not finite.
    """
    return _single("smape", y, point=y_hat)


def wape(y: object, y_hat: object) -> float:
    """Weighted absolute percentage error Σ|y − ŷ| / Σ|y| (a fraction).

    +∞ when every actual is 0 and the error is not (NaN when both are 0).

    Args:
        y: actual values.
        y_hat: forecasts (same length).

    Returns:
        The score.

    Raises:
        ShapeError: lengths differ.
        InvalidSeriesError: a value is not finite.
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

    Args:
        y: actuals.
        y_hat: forecasts.
        y_train: the training history.
        seasonality: m of the naive scale.
        scale: ``"plain"`` (the whole history) or ``"m5"`` (from the first non-zero value
            on: the M5 competition's RMSSE).

    Returns:
        √(mse / mean_{t>m} (x_t − x_{t−m})²).

    Raises:
        ShapeError: lengths differ.
        InvalidParameterError: seasonality < 1 or an unknown scale.
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
