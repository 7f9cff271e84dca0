"""Forecasting models usable in :class:`shelfcast.DemandForecaster`.

Each model is a small, picklable description (name, hyperparameters, output alias); the
fitting happens natively, in parallel across series, inside the forecaster. Definitions
match statsforecast's models of the same name (verified in the test-suite) except where a
docstring says otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .exceptions import InvalidParameterError, UnknownModelError

__all__ = [
    "ADIDA",
    "IMAPA",
    "TSB",
    "AutoTheta",
    "CrostonClassic",
    "CrostonOptimized",
    "CrostonSBA",
    "DynamicOptimizedTheta",
    "DynamicTheta",
    "HistoricAverage",
    "Model",
    "Naive",
    "OptimizedTheta",
    "SeasonalNaive",
    "SeasonalWindowAverage",
    "SimpleExponentialSmoothing",
    "SimpleExponentialSmoothingOptimized",
    "Theta",
    "WindowAverage",
    "resolve_models",
]


class Model:
    """Base class: a named model specification.

    Args:
        alias: name of the output column (defaults to the class name).

    Raises:
        InvalidParameterError: ``alias`` is not a non-empty string.
    """

    #: The native model name.
    name: str = ""
    #: Whether the model needs a season length.
    seasonal: bool = False

    def __init__(self, *, alias: str | None = None) -> None:
        if alias is not None and (not isinstance(alias, str) or not alias):
            raise InvalidParameterError(f"alias must be a non-empty string, got {alias!r}")
        self.alias = alias or type(self).__name__

    def _params(self) -> dict[str, Any]:
        return {}

    def _native(self, default_season_length: int) -> tuple[str, dict[str, float], dict[str, str]]:
        """The (name, numeric params, text params) triple the native core takes."""
        num: dict[str, float] = {}
        text: dict[str, str] = {}
        for k, v in self._params().items():
            if k == "season_length" and v is None:
                v = default_season_length
            if v is None:
                continue
            if isinstance(v, str):
                text[k] = v
            else:
                num[k] = float(v)
        return (self.name, num, text)

    def __repr__(self) -> str:
        args = [f"{k}={v!r}" for k, v in self._params().items()]
        if self.alias != type(self).__name__:
            args.append(f"alias={self.alias!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other._params() == self._params()  # type: ignore[attr-defined]
            and other.alias == self.alias  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self._params().items())), self.alias))


class Naive(Model):
    """Repeats the last observation. ``ŷ_{T+k} = y_T``."""

    name = "Naive"


class HistoricAverage(Model):
    """The mean of the whole history. ``ŷ_{T+k} = mean(y_1..y_T)``."""

    name = "HistoricAverage"


class SeasonalNaive(Model):
    """Repeats the last season: ``ŷ_{T+k} = y_{T+k-m⌈k/m⌉}``.

    Deliberate difference from statsforecast: a series shorter than one season falls back
    to :class:`Naive` (recorded in ``DemandForecaster.fallbacks_``) instead of forecasting NaN.

    Args:
        season_length: m; defaults to the forecaster's ``season_length``.
        alias: output column name.

    Raises:
        InvalidParameterError: season_length is not a positive integer.
    """

    name = "SeasonalNaive"
    seasonal = True

    def __init__(self, season_length: int | None = None, *, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.season_length = _opt_int("season_length", season_length)

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length}


class CrostonClassic(Model):
    """Croston's method (1972) for intermittent demand.

    Simple exponential smoothing (α = 0.1, level started at the first value) of the non-zero
    demand sizes ``z`` and of the intervals between them ``p`` (the first interval counts
    from the start of the series); the forecast is flat at ``z / p``. A series that never
    sells falls back to :class:`Naive` (forecast 0).
    """

    name = "CrostonClassic"


class CrostonSBA(Model):
    """Syntetos–Boylan approximation: Croston's forecast times ``1 - α/2 = 0.95``."""

    name = "CrostonSBA"


class WindowAverage(Model):
    """The mean of the last ``window_size`` observations (flat forecast).

    Deliberate difference from statsforecast: a series shorter than the window averages
    all its observations (recorded in ``fallbacks_``) instead of forecasting NaN.

    Args:
        window_size: number of most recent observations to average.
        alias: output column name.

    Raises:
        InvalidParameterError: window_size is not a positive integer.
    """

    name = "WindowAverage"

    def __init__(self, window_size: int, *, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.window_size = _int("window_size", window_size)

    def _params(self) -> dict[str, Any]:
        return {"window_size": self.window_size}


class SeasonalWindowAverage(Model):
    """Per season position, the mean over the last ``window_size`` seasons.

    Deliberate difference from statsforecast: a series shorter than
    ``season_length * window_size`` falls back to :class:`SeasonalNaive` (or :class:`Naive`)
    instead of forecasting NaN.

    Args:
        window_size: number of seasons to average.
        season_length: m; defaults to the forecaster's ``season_length``.
        alias: output column name.

    Raises:
        InvalidParameterError: an argument is not a positive integer.
    """

    name = "SeasonalWindowAverage"
    seasonal = True

    def __init__(
        self, window_size: int, season_length: int | None = None, *, alias: str | None = None
    ) -> None:
        super().__init__(alias=alias)
        self.window_size = _int("window_size", window_size)
        self.season_length = _opt_int("season_length", season_length)

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "window_size": self.window_size}


class SimpleExponentialSmoothing(Model):
    """Simple exponential smoothing with a fixed ``alpha``.

    ``ℓ_1 = y_1``, ``ℓ_{t+1} = α·y_t + (1 − α)·ℓ_t``; flat forecast at the last level
    (statsforecast's recursion).

    Args:
        alpha: smoothing constant in [0, 1].
        alias: output column name.

    Raises:
        InvalidParameterError: alpha outside [0, 1].
    """

    name = "SimpleExponentialSmoothing"

    def __init__(self, alpha: float, *, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.alpha = _unit("alpha", alpha)

    def _params(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class TSB(Model):
    """Teunter–Syntetos–Babai (2011) for intermittent demand and obsolescence.

    SES with ``alpha_p`` on the demand indicator of every period (the probability of a
    sale) and SES with ``alpha_d`` on the non-zero demand sizes; forecast = probability ×
    size. Unlike Croston, the probability decays through periods without demand, so a
    dying item's forecast falls towards 0.

    Args:
        alpha_d: smoothing constant of the demand sizes, in [0, 1].
        alpha_p: smoothing constant of the demand probability, in [0, 1].
        alias: output column name.

    Raises:
        InvalidParameterError: a constant is outside [0, 1].
    """

    name = "TSB"

    def __init__(self, alpha_d: float, alpha_p: float, *, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.alpha_d = _unit("alpha_d", alpha_d)
        self.alpha_p = _unit("alpha_p", alpha_p)

    def _params(self) -> dict[str, Any]:
        return {"alpha_d": self.alpha_d, "alpha_p": self.alpha_p}


class SimpleExponentialSmoothingOptimized(Model):
    """Simple exponential smoothing with ``alpha`` fitted by least squares (statsforecast's
    ``SimpleExponentialSmoothingOptimized``, alias ``SESOpt``).

    ``f_1 = y_1``, ``f_{t+1} = α·y_t + (1 − α)·f_t``; ``α`` minimises the in-sample
    ``SSE(α) = Σ_{t≥2} (y_t − f_t)²`` over ``[0.01, 0.99]`` by golden-section search
    (bracket shrinks by 1/φ per step until narrower than 1e-12, stops early on an exact tie,
    returns the bracket's midpoint: a constant series gets α = 0.5). Flat forecast
    ``ŷ_{T+k} = f_{T+1}``. Matches statsforecast bit for bit in α.

    Args:
        alias: output column name.

    Raises:
        InvalidParameterError: alias is not a non-empty string.
    """

    name = "SimpleExponentialSmoothingOptimized"


class CrostonOptimized(Model):
    """Croston's method with optimised smoothing constants (statsforecast's
    ``CrostonOptimized``).

    The positive demand sizes ``z`` and the intervals ``p`` between non-zero periods (the
    first counted from the start of the series) are each smoothed by SES whose ``α`` is
    chosen separately in ``[0.1, 0.3]`` by the golden-section least-squares search of
    :class:`SimpleExponentialSmoothingOptimized`; forecast ``ŷ = ẑ / p̂`` (flat). A series
    without a positive value falls back to :class:`Naive` (as statsforecast; recorded in
    ``fallbacks_``).

    Deliberate difference from statsforecast: ``residual_std`` uses the one-step errors of
    the Croston recursion at the final alphas (statsforecast re-optimises on every prefix
    for its fitted values, which takes quadratic time).

    Args:
        alias: output column name.

    Raises:
        InvalidParameterError: alias is not a non-empty string.
    """

    name = "CrostonOptimized"


class ADIDA(Model):
    """Aggregate–Disaggregate Intermittent Demand Approach (Nikolopoulos et al. 2011).

    Aggregation level ``k = round(mean inter-demand interval)`` with Python's
    round-half-to-even (intervals as in :class:`CrostonOptimized`). The series is summed
    into non-overlapping buckets of ``k`` periods, dropping the incomplete bucket at the
    start (the oldest ``n mod k`` periods); optimised SES (``α ∈ [0.1, 0.3]``, see
    :class:`CrostonOptimized`) forecasts the next bucket sum ``S``; the flat per-period
    forecast is ``ŷ = S / k``. An all-zero series forecasts 0 (as statsforecast; recorded
    in ``fallbacks_`` as no demand).

    ``residual_std`` (statsforecast has no equivalent by default): RMS over periods of
    ``y_t − S_j / k``, where ``S_j`` is the SES forecast of the bucket containing ``t``
    (the first bucket has none).

    Args:
        alias: output column name.

    Raises:
        InvalidParameterError: alias is not a non-empty string.
    """

    name = "ADIDA"


class IMAPA(Model):
    """Intermittent Multiple Aggregation Prediction Algorithm (statsforecast's ``IMAPA``).

    ``ŷ = (1/K) Σ_{k=1..K} S_k / k`` with ``K = round(mean inter-demand interval)``
    (half-to-even) and ``S_k`` the optimised-SES (``α ∈ [0.1, 0.3]``) forecast of the sums
    of non-overlapping buckets of ``k`` periods, the incomplete bucket dropped at the start
    (see :class:`ADIDA`). An all-zero series forecasts 0 (recorded in ``fallbacks_``).

    ``residual_std``: RMS over periods of ``y_t`` minus the mean, over the levels that
    already have one, of the per-period bucket forecasts (see :class:`ADIDA`).

    Args:
        alias: output column name.

    Raises:
        InvalidParameterError: alias is not a non-empty string.
    """

    name = "IMAPA"


_THETA_COMMON = """
    Seasonal adjustment (statsforecast's ``auto_theta``): when ``m = season_length >= 4``,
    the series spans two seasons and the lag-``m`` autocorrelation is significant
    (``|r_m| > 1.645·sqrt((1 + 2·Σ_{k<m} r_k²) / n)``), the series is divided by (or, for
    ``decomposition_type="additive"``, data with zeros or negatives, or any index below
    0.01, has subtracted) the seasonal indices of a classical decomposition (centred
    moving-average trend); forecasts get the last season's indices back.

    State-space theta model (Fiorucci et al. 2016) on the adjusted series ``y``:
    ``μ_{t+1} = ℓ_t + (1 − 1/θ)·(A_t(1−α)^t + B_t(1 − (1−α)^{t+1})/α)``,
    ``ℓ_{t+1} = α·y_{t+1} + (1−α)·ℓ_t``, with ``A + B·t`` the least-squares line of the
    whole series (standard models) or updated online from the running mean (dynamic
    models). ``ℓ_0`` and ``α ∈ [0.1, 0.99]`` (and ``θ ≥ 1`` for the optimised models;
    otherwise ``θ = 2``) minimise ``Σ_{t≥3} (y_t − μ_t)² / mean|y|`` by statsforecast's
    bounded Nelder–Mead, reproduced step for step. Forecasts roll the recursion forward
    with ``y = μ``. ``residual_std``: RMS of the one-step errors from ``t = 3`` on the
    original scale.

    Deliberate differences from statsforecast: fewer than 4 observations fall back to
    :class:`Naive`, as does a series whose objective is not finite (statsforecast raises;
    both recorded in ``fallbacks_``); with an additive seasonal adjustment statsforecast's
    in-sample residuals add the seasonal indices back on, ours (``residual_std``) do not.

    Args:
        season_length: m; defaults to the forecaster's ``season_length`` (1 disables the
            seasonal adjustment).
        decomposition_type: "multiplicative" (default) or "additive".
        alias: output column name.

    Raises:
        InvalidParameterError: season_length is not a positive integer, or
            decomposition_type is not one of the two names.
    """


class _ThetaModel(Model):
    seasonal = True

    def __init__(
        self,
        season_length: int | None = None,
        decomposition_type: str = "multiplicative",
        *,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        self.season_length = _opt_int("season_length", season_length)
        if decomposition_type not in ("multiplicative", "additive"):
            raise InvalidParameterError(
                "decomposition_type must be 'multiplicative' or 'additive', "
                f"got {decomposition_type!r}"
            )
        self.decomposition_type = decomposition_type

    def _params(self) -> dict[str, Any]:
        return {
            "season_length": self.season_length,
            "decomposition_type": self.decomposition_type,
        }


class Theta(_ThetaModel):
    __doc__ = (
        """Standard theta model (STM, statsforecast's ``Theta``): ``θ = 2``, fixed line.
"""
        + _THETA_COMMON
    )

    name = "Theta"


class OptimizedTheta(_ThetaModel):
    __doc__ = (
        """Optimised theta model (OTM, statsforecast's ``OptimizedTheta``): ``θ`` estimated.
"""
        + _THETA_COMMON
    )

    name = "OptimizedTheta"


class DynamicTheta(_ThetaModel):
    __doc__ = (
        """Dynamic standard theta model (DSTM): ``θ = 2``, line updated online.
"""
        + _THETA_COMMON
    )

    name = "DynamicTheta"


class DynamicOptimizedTheta(_ThetaModel):
    __doc__ = (
        """Dynamic optimised theta model (DOTM): ``θ`` estimated, line updated online.
"""
        + _THETA_COMMON
    )

    name = "DynamicOptimizedTheta"


class AutoTheta(_ThetaModel):
    __doc__ = (
        """Fits STM, OTM, DSTM and DOTM (in that order) and keeps the one with the lowest
    objective (statsforecast's ``AutoTheta``; the first wins ties).
"""
        + _THETA_COMMON
    )

    name = "AutoTheta"


def _int(name: str, v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise InvalidParameterError(f"{name} must be an int, got {type(v).__name__}")
    if v < 1:
        raise InvalidParameterError(f"{name} must be >= 1, got {v}")
    return int(v)


def _opt_int(name: str, v: object) -> int | None:
    return None if v is None else _int(name, v)


def _unit(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
        raise InvalidParameterError(f"{name} must be a number, got {type(v).__name__}")
    if not 0.0 <= float(v) <= 1.0:
        raise InvalidParameterError(f"{name} must be in [0, 1], got {v}")
    return float(v)


_BY_NAME: dict[str, type[Model]] = {
    cls.__name__: cls
    for cls in (
        Naive,
        HistoricAverage,
        SeasonalNaive,
        WindowAverage,
        SeasonalWindowAverage,
        SimpleExponentialSmoothing,
        CrostonClassic,
        CrostonSBA,
        TSB,
        SimpleExponentialSmoothingOptimized,
        CrostonOptimized,
        ADIDA,
        IMAPA,
        Theta,
        OptimizedTheta,
        DynamicTheta,
        DynamicOptimizedTheta,
        AutoTheta,
    )
}


def resolve_models(models: object) -> list[Model]:
    """Turn a list of model objects and/or model names into model objects.

    Args:
        models: a non-empty list of :class:`Model` instances or names such as "SeasonalNaive".

    Returns:
        The model objects.

    Raises:
        UnknownModelError: a name is not a known model (the message lists the known ones).
        InvalidParameterError: the list is empty, has a non-model entry, or repeats an alias.
    """
    if isinstance(models, (str, Model)):
        models = [models]
    if not isinstance(models, (list, tuple)) or not models:
        raise InvalidParameterError("models must be a non-empty list of models or model names")
    out: list[Model] = []
    for m in models:
        if isinstance(m, str):
            cls = _BY_NAME.get(m)
            if cls is None:
                raise UnknownModelError(f"unknown model {m!r}; known models: {sorted(_BY_NAME)}")
            try:
                out.append(cls())
            except TypeError:
                raise InvalidParameterError(
                    f"model {m!r} needs hyperparameters: pass shelfcast.models.{m}(...)"
                ) from None
        elif isinstance(m, Model):
            out.append(m)
        else:
            raise InvalidParameterError(
                f"models entries must be shelfcast.models objects or names, got {m!r}"
            )
    aliases = [m.alias for m in out]
    dupes = sorted({a for a in aliases if aliases.count(a) > 1})
    if dupes:
        raise InvalidParameterError(
            f"duplicate model aliases {dupes}; pass alias=... to tell them apart"
        )
    return out
