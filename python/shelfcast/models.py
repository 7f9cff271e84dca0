"""Forecasting models usable in :class:`shelfcast.DemandForecaster`.

Each model is a small, picklable description (name, hyperparameters, output alias); the
fitting happens natively inside the forecaster.

* Per-series statistical models (:class:`SeasonalNaive`, :class:`CrostonSBA`, ...) are fitted
  on every series separately, in parallel across series. Definitions match statsforecast's
  models of the same name (verified in the test-suite) except where a docstring says
  otherwise.
* Global machine-learning models (:class:`LinearRegression`, :class:`Ridge`,
  :class:`PoissonRegressor`, :class:`TweedieRegressor`, :class:`GradientBoosting`,
  :class:`RandomForest`) are trained once across all series on the lag, calendar and
  exogenous features configured on the forecaster (``lags=``, ``lag_transforms=``,
  ``date_features=``, ...; see :mod:`shelfcast.features`) and forecast recursively.
  Hyperparameters are validated when the model is created.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .exceptions import InvalidParameterError, UnknownModelError

__all__ = [
    "ADIDA",
    "ARIMA",
    "IMAPA",
    "MSTL",
    "TSB",
    "AutoARIMA",
    "AutoETS",
    "AutoTheta",
    "CrostonClassic",
    "CrostonOptimized",
    "CrostonSBA",
    "DynamicOptimizedTheta",
    "DynamicTheta",
    "GlobalModel",
    "GradientBoosting",
    "HistoricAverage",
    "Holt",
    "HoltWinters",
    "LinearRegression",
    "Model",
    "Naive",
    "OptimizedTheta",
    "PoissonRegressor",
    "RandomForest",
    "Ridge",
    "SeasonalNaive",
    "SeasonalWindowAverage",
    "SimpleExponentialSmoothing",
    "SimpleExponentialSmoothingOptimized",
    "Theta",
    "TweedieRegressor",
    "WindowAverage",
    "WithRegressors",
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
    #: Whether the model is a global (machine-learning) model.
    is_global: bool = False
    #: Whether the (per-series) model uses the exogenous regressors of the training frame.
    uses_exog: bool = False

    def __init__(self, *, alias: str | None = None) -> None:
        if alias is not None and (not isinstance(alias, str) or not alias):
            raise InvalidParameterError(f"alias must be a non-empty string, got {alias!r}")
        self.alias = alias or type(self).__name__

    def _params(self) -> dict[str, Any]:
        return {}

    def _native_params(self) -> dict[str, Any]:
        """The native model's parameters (the constructor's, unless a subclass maps them)."""
        return self._params()

    def _native(self, default_season_length: int) -> tuple[str, dict[str, float], dict[str, str]]:
        """The (name, numeric params, text params) triple the native core takes."""
        num: dict[str, float] = {}
        text: dict[str, str] = {}
        for k, v in self._native_params().items():
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
            and other._params() == self._params()
            and other.alias == self.alias
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self._params().items())), self.alias))


class Naive(Model):
    """Repeats the last observation. ``ŷ_{T+k} = y_T``.

    Fitted values ``ŷ_t = y_{t−1}`` (NaN at the first period), as statsforecast's.
    ``DemandForecaster.update`` recomputes everything: nothing is estimated.
    """

    name = "Naive"


class HistoricAverage(Model):
    """The mean of the whole history. ``ŷ_{T+k} = mean(y_1..y_T)``.

    Fitted values: the mean of the whole history at every period (statsforecast's
    definition; not a one-step forecast). ``DemandForecaster.update``: the mean of the
    longer history (nothing is estimated).
    """

    name = "HistoricAverage"


class SeasonalNaive(Model):
    """Repeats the last season: ``ŷ_{T+k} = y_{T+k-m⌈k/m⌉}``.

    Deliberate difference from statsforecast: a series shorter than one season falls back
    to :class:`Naive` (recorded in ``DemandForecaster.fallbacks_``) instead of forecasting NaN.

    Fitted values ``ŷ_t = y_{t−m}`` (NaN in the first season), as statsforecast's.
    ``DemandForecaster.update``: the last season of the longer history (nothing is
    estimated); a series that fell back to :class:`Naive` stays :class:`Naive` (the fallback
    is frozen; refit to re-decide it).

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

    Fitted values: the forecast ``z / p`` made before each period; NaN until the first
    demand (deliberate difference: statsforecast reports 0 from the second period up to the
    first demand). ``DemandForecaster.update``: nothing is estimated, so the update is a
    refit on the longer history (a series that fell back stays :class:`Naive`).
    """

    name = "CrostonClassic"


class CrostonSBA(Model):
    """Syntetos–Boylan approximation: Croston's forecast times ``1 - α/2 = 0.95``.

    Fitted values and ``DemandForecaster.update``: those of :class:`CrostonClassic`, times
    0.95.
    """

    name = "CrostonSBA"


class WindowAverage(Model):
    """The mean of the last ``window_size`` observations (flat forecast).

    Deliberate difference from statsforecast: a series shorter than the window averages
    all its observations (recorded in ``fallbacks_``) instead of forecasting NaN.

    Fitted values: the mean of the ``window_size`` observations before each period, NaN
    for the first ``window_size`` (statsforecast has none for this model).
    ``DemandForecaster.update``: recomputed (nothing is estimated); a series that was
    shorter than the window keeps averaging all its observations (the fallback is frozen).

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

    Fitted values: the mean of ``y_{t−m}, …, y_{t−window_size·m}``, NaN before
    ``window_size`` seasons (statsforecast has none for this model).
    ``DemandForecaster.update``: recomputed (nothing is estimated); a series that fell back
    keeps its fallback.

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

    Fitted values: the level before each period (NaN at the first), as statsforecast's.
    ``DemandForecaster.update``: nothing is estimated (``alpha`` is given): a refit on the
    longer history.

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

    Fitted values: probability × size before each period; NaN until the first demand
    (deliberate difference: statsforecast reports 0 there). ``DemandForecaster.update``:
    nothing is estimated (both constants are given): a refit on the longer history; a
    series without demand at fit time keeps forecasting 0 (the fallback is frozen).

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

    Fitted values ``f_t`` (NaN at the first period), as statsforecast's.
    ``DemandForecaster.update``: ``α`` is frozen; the recursion is re-run from ``y_1`` over
    the longer history (statsforecast's ``forward``).

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

    Fitted values: Croston's forecast before each period at the fitted alphas (NaN until
    the first demand). ``DemandForecaster.update``: both alphas are frozen; sizes,
    intervals and their levels are recomputed over the longer history.

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

    Fitted values: those per-period bucket forecasts (NaN in the first bucket).
    Deliberate difference: statsforecast's fitted values re-derive the aggregation level
    from the intervals seen so far and refit at every period (shelfcast's are the fitted
    model's, the filter an update runs). ``DemandForecaster.update``: ``k`` and ``α`` are
    frozen; the longer series is re-bucketed (the incomplete bucket again at the start) and
    smoothed with ``α``.

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

    Fitted values: that per-period mean (deliberate difference as for :class:`ADIDA`).
    ``DemandForecaster.update``: ``K`` and the ``α`` of every level are frozen; each level
    is re-bucketed and smoothed over the longer history.

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

    Intervals and quantiles are conformal (from the errors of ``conformal_windows``
    rolling-origin refits), sample paths a residual-trajectory bootstrap. statsforecast
    2.1 instead simulates its fitted theta state-space model with normal errors (σ = the
    sample standard deviation of the in-sample residuals after a 3-step burn-in) and takes
    quantiles of the paths: a model-based method. shelfcast does not match it yet, so
    theta intervals differ from statsforecast's; the conformal ones are calibrated on each
    series' own out-of-sample errors (coverage tested in
    ``tests/test_forecaster_probabilistic.py``).

    Deliberate differences from statsforecast: fewer than 4 observations fall back to
    :class:`Naive`, as does a series whose objective is not finite (statsforecast raises;
    both recorded in ``fallbacks_``); with an additive seasonal adjustment statsforecast's
    in-sample residuals add the seasonal indices back on, ours (``residual_std``) do not.

    Fitted values: ``μ_t`` re-seasonalised (``μ_t·s_t`` or ``μ_t + s_t``) from the first
    period on; deliberate difference: statsforecast leaves the additive seasonal index out
    of its fitted values. ``DemandForecaster.update`` freezes the model (AutoTheta's
    choice), ``ℓ_0``, ``α``, ``θ`` and the seasonal-adjustment decision (none, additive or
    multiplicative), and recomputes the seasonal indices (classical decomposition of the
    longer series in the frozen mode; additive when a multiplicative one no longer fits),
    the line ``A + B·t`` of the standard models and every state. statsforecast's
    ``forward`` re-tests the seasonality instead, so it may switch the adjustment on or off.

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


class AutoETS(Model):
    r"""Exponential smoothing state-space models (ETS), selected by AICc.

    ETS(E, T, S) describes a series by a level ``ℓ``, optionally a trend (growth) ``b``
    and ``m`` seasonal states ``s``; each component is none (N), additive (A) or
    multiplicative (M), and the trend may be damped (Ad, Md). With additive components
    and errors, ETS(A,Ad,A) reads::

        ŷ_t = ℓ_{t-1} + φ·b_{t-1} + s_{t-m}          e_t = y_t − ŷ_t
        ℓ_t = ℓ_{t-1} + φ·b_{t-1} + α·e_t
        b_t = φ·b_{t-1} + β·e_t
        s_t = s_{t-m} + γ·e_t
        ŷ_{T+h} = ℓ_T + (φ + φ² + … + φ^h)·b_T + s_{T+h-m⌈h/m⌉}

    Multiplicative components multiply instead of add (``ŷ_t = ℓ_{t-1}·b_{t-1}^φ·s_{t-m}``
    for M trend and M season), and a multiplicative error is relative,
    ``e_t = (y_t − ŷ_t) / ŷ_t`` (Hyndman et al. 2008, tables 2.2-2.3).

    Every candidate model is estimated by maximum likelihood (Nelder–Mead over α, β, γ, φ
    and the initial states, from statsforecast's starting values and within its bounds:
    α, β, γ ∈ [1e-4, 0.9999], φ ∈ [0.8, 0.98]) and the smallest AICc wins. The model space
    is statsforecast's ``AutoETS``: ``Z`` lets the error be A or M, the trend N or A (a
    multiplicative trend only when asked for with ``M``) and the season N, A or M;
    multiplicative parts are tried only on strictly positive series, seasonal ones only
    with enough data, and ETS(A,·,M), ETS(A,M,·) and ETS(M,M,A) are never fitted. The
    chosen model and parameters per series are exposed natively by
    ``_core.DemandForecaster.ets_components(i)`` and ``.ets_params(i)``.

    A fully specified model string with ``damped=True/False`` fits exactly that model.

    Deliberate differences from statsforecast 2.1:

    * damped-trend forecasts use the textbook ``φ + … + φ^h`` (statsforecast 2.1 adds φ
      twice from the second step on; fixed upstream later);
    * degenerate series do not raise: a constant series is forecast flat (as statsforecast
      does), a series too short for the seasonal model gets the non-seasonal one,
      multiplicative parts requested on data with zeros become additive, and a series too
      short for any ETS model gets :class:`Naive`; ``DemandForecaster.fallbacks_`` lists
      them.

    As in statsforecast, a multiplicative trend whose growth state ends negative forecasts
    NaN (only reachable with an explicit ``M`` trend).

    Prediction intervals, quantiles and sample paths come from the fitted state-space model
    (Hyndman et al. 2008, ch. 6), not from refits: additive error and components (ANN, AAN,
    AAdN, ANA, AAA, AAdA) have the exact normal forecast variance
    ``σ²(1 + Σ_{j<h} c_j²)``, ``c_j = α + β·φ_j + γ·[j ≡ 0 mod m]``; multiplicative error
    with additive components uses the exact class-2 moments; a multiplicative season or
    trend uses 5,000 paths simulated from the model (fixed seed) and their quantiles.
    ``sample_paths`` simulates the model with ``N(0, σ²)`` errors. Lower bounds, quantiles
    and paths are clipped at 0. Differences from statsforecast 2.1's intervals: for seasonal
    models statsforecast counts the seasonal terms of the variance for the whole requested
    horizon at every step (its early steps are too wide when ``h > m``); for
    multiplicative seasons its approximation does not scale with the seasonal index.
    ``tests/test_forecaster_ets_intervals.py`` documents both.

    Fitted values: the one-step forecasts ``ŷ_t`` from the first period on, as
    statsforecast's. ``DemandForecaster.update`` freezes the selected model, ``α, β, γ, φ``
    and the estimated initial states, and re-runs the recursion over the longer history:
    the states, ``σ²`` (same divisor ``n − k − 1`` with the new ``n``) and ``residual_std``
    are recomputed (statsforecast's ``forward``). Deliberate difference: a constant series'
    ETS(A,N,N) stays that model (statsforecast's ``forward`` refits a constant new series).

    Args:
        season_length: m; defaults to the forecaster's ``season_length``.
        model: three letters error/trend/season: error A, M or Z; trend and season N, A, M
            or Z (Z = choose by AICc).
        damped: True or False to fix the damping of the trend, None to try both.
        alias: output column name.

    Raises:
        InvalidParameterError: an argument has the wrong type or value, or the model string
            allows no model (e.g. "AAM", or ``damped=True`` without a trend).
    """

    name = "AutoETS"
    seasonal = True

    def __init__(
        self,
        season_length: int | None = None,
        model: str = "ZZZ",
        damped: bool | None = None,
        *,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        self.season_length = _opt_int("season_length", season_length)
        self.model = _ets_model(model, damped, self.season_length)
        self.damped = damped

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "model": self.model, "damped": self.damped}


class Holt(AutoETS):
    """Holt's linear trend method as statsforecast defines it: ETS(E,A,N) or ETS(E,Ad,N).

    :class:`AutoETS` with ``model = error_type + "AN"`` and ``damped=None``, so the damped
    and the undamped trend are both estimated and AICc picks one.

    Fitted values and ``DemandForecaster.update``: as :class:`AutoETS` (the selected
    damping and every parameter frozen).

    Args:
        season_length: accepted for compatibility with statsforecast; the model has no
            season, so it changes nothing.
        error_type: "A" (additive) or "M" (multiplicative) errors.
        alias: output column name.

    Raises:
        InvalidParameterError: error_type is not "A" or "M", or season_length is invalid.
    """

    def __init__(
        self, season_length: int | None = None, error_type: str = "A", *, alias: str | None = None
    ) -> None:
        super().__init__(season_length, _error_type(error_type) + "AN", alias=alias)
        self.error_type = error_type

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "error_type": self.error_type}

    def _native_params(self) -> dict[str, Any]:
        return super()._params()


class HoltWinters(AutoETS):
    """Holt-Winters' method as statsforecast defines it: ETS(A,A,A) or ETS(M,A,M).

    :class:`AutoETS` with ``model = "AAA"`` (``error_type="A"``) or ``"MAM"`` and
    ``damped=None`` (damped and undamped trend both estimated, AICc picks one).

    Fitted values and ``DemandForecaster.update``: as :class:`AutoETS` (the selected
    damping and every parameter frozen).

    Args:
        season_length: m; defaults to the forecaster's ``season_length``.
        error_type: "A" (additive error and season) or "M" (multiplicative error and season).
        alias: output column name.

    Raises:
        InvalidParameterError: error_type is not "A" or "M", or season_length is invalid.
    """

    def __init__(
        self, season_length: int | None = None, error_type: str = "A", *, alias: str | None = None
    ) -> None:
        e = _error_type(error_type)
        super().__init__(season_length, e + "A" + e, alias=alias)
        self.error_type = error_type

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "error_type": self.error_type}

    def _native_params(self) -> dict[str, Any]:
        return super()._params()


def _ets_model(model: object, damped: object, season_length: int | None) -> str:
    if not isinstance(model, str):
        raise InvalidParameterError(f"model must be a string, got {type(model).__name__}")
    if len(model) != 3 or model[0] not in "AMZ" or model[1] not in "NAMZ" or model[2] not in "NAMZ":
        raise InvalidParameterError(
            "model must be three letters: error in A/M/Z, trend in N/A/M/Z, season in N/A/M/Z "
            f"(Z = choose), got {model!r}"
        )
    if damped is not None and not isinstance(damped, (bool, np.bool_)):
        raise InvalidParameterError(f"damped must be True, False or None, got {damped!r}")
    error, trend, season = model[0], model[1], model[2]
    if damped and trend == "N":
        raise InvalidParameterError(f"damped=True needs a trend, but model {model!r} has none")
    if season_length == 1 and season in "AM":
        raise InvalidParameterError(f"a seasonal model ({model!r}) needs season_length >= 2")
    combos = [
        (e, t, s)
        for e in ("AM" if error == "Z" else error)
        for t in ("NA" if trend == "Z" else trend)
        for s in ("NAM" if season == "Z" else season)
    ]
    if all((e == "A" and "M" in (t, s)) or (e, t, s) == ("M", "M", "A") for e, t, s in combos):
        raise InvalidParameterError(
            f"model {model!r} is excluded: additive errors combine only with additive "
            "components, and ETS(M,M,A) is unstable (as in statsforecast)"
        )
    return model


def _error_type(error_type: object) -> str:
    if error_type not in ("A", "M"):
        raise InvalidParameterError(f"error_type must be 'A' or 'M', got {error_type!r}")
    return str(error_type)


class WithRegressors(Model):
    r"""Exogenous regressors for a per-series model without native support for them:
    regress, then model what the regressors leave.

    Per series, ordinary least squares of ``y`` on an intercept and the regressors (every
    extra numeric column of the training frame that is not a static feature: price,
    promotion flags, holiday dummies...) gives ``y_t = ȳ + (x_t − x̄)·β + η_t``. The wrapped
    model is fitted on the adjusted series ``y_t − (x_t − x̄)·β`` (centred, so it stays on the
    scale of the demand and intermittent or multiplicative models still apply), and the
    forecast is its forecast plus ``(x_{T+k} − x̄)·β`` with each step's own row of
    ``predict(h, X_df=...)``. Columns constant within a series (a price that never changed)
    or collinear with earlier ones get β = 0 for that series.

    The two stages are estimated one after the other; ARIMA and AutoARIMA instead estimate
    the regression jointly with their error model (regression with ARIMA errors). Intervals,
    quantiles and sample paths are the wrapped model's (model-based for ETS, conformal
    otherwise, from refits of both stages at each window), shifted by the regressors' effect.

    Fitted values: the wrapped model's on the adjusted series plus ``(x_t − x̄)·β``.
    ``DemandForecaster.update`` freezes ``x̄`` and ``β`` (no new regression) and updates the
    wrapped model on ``y − (x − x̄)·β`` of the longer history (``new_df`` carries the new
    rows' regressors).

    Args:
        model: the per-series model to wrap (not a global ML model, not a model that uses
            regressors itself).
        alias: output column name (default: the wrapped model's alias + ``"_X"``).

    Raises:
        InvalidParameterError: ``model`` is not a per-series model, or already uses
            regressors.
    """

    name = "WithRegressors"
    uses_exog = True

    def __init__(self, model: Model, *, alias: str | None = None) -> None:
        if not isinstance(model, Model) or model.is_global:
            raise InvalidParameterError(
                f"WithRegressors wraps a per-series statistical model, got {model!r}"
            )
        if model.uses_exog:
            raise InvalidParameterError(
                f"{model!r} uses the regressors itself: it cannot be wrapped in WithRegressors"
            )
        super().__init__(alias=alias or f"{model.alias}_X")
        self.model = model

    def _params(self) -> dict[str, Any]:
        return {"model": self.model}

    def _native(self, default_season_length: int) -> tuple[str, dict[str, float], dict[str, str]]:
        from . import _core

        inner = _core.nested_model(*self.model._native(default_season_length))
        return (self.name, {}, {"model": inner})

    def __repr__(self) -> str:
        alias = "" if self.alias == f"{self.model.alias}_X" else f", alias={self.alias!r}"
        return f"WithRegressors({self.model!r}{alias})"


def model_to_json(model: Model) -> dict[str, Any]:
    """A JSON-ready description of ``model`` (nested models included).

    Args:
        model: any model.

    Returns:
        ``{"class", "params", "alias"}``, nested models as the same kind of dict.
    """
    params = {
        k: {"__model__": model_to_json(v)} if isinstance(v, Model) else v
        for k, v in model._params().items()
    }
    return {"class": type(model).__name__, "params": params, "alias": model.alias}


def model_from_json(spec: dict[str, Any]) -> Model:
    """Rebuild a model from :func:`model_to_json`'s output.

    Args:
        spec: the description.

    Returns:
        The model.

    Raises:
        KeyError: an unknown class or a missing key.
        InvalidParameterError: invalid parameters.
    """
    cls = _BY_NAME[spec["class"]]
    params = {
        k: model_from_json(v["__model__"]) if isinstance(v, dict) and "__model__" in v else v
        for k, v in spec["params"].items()
    }
    return cls(**params, alias=spec["alias"])


class GlobalModel(Model):
    """Base class of the global machine-learning models (validated natively on creation).

    Fitted values (``DemandForecaster.forecast_fitted_values``): the prediction of each
    training row from its actual lags (teacher forcing), inverted through the target
    transforms (a difference adds back the actual earlier value), NaN for rows the model
    could not score, as mlforecast's ``fit(fitted=True)``. ``DemandForecaster.update``
    keeps the trained model (no retraining) and appends the history, so recursive forecasts
    start from the new last observations; ``Standardize``'s per-series mean and scale stay
    those of the training data and ``Differences`` use the new last values (as mlforecast's
    ``update``).

    Raises:
        InvalidParameterError: a hyperparameter is out of range.
    """

    is_global = True

    def _validate(self) -> None:
        from . import _core

        _core.GlobalForecaster([self._native(1)], [1], [], [], [], [], [], [], True)

    def _params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "alias"}


class LinearRegression(GlobalModel):
    """Ordinary least squares on the features (linfa-linear), like scikit-learn's.

    Rows with a missing feature (e.g. a lag before the series starts) are not trained on;
    at prediction a missing feature takes its training mean. A feature that is a linear
    combination of the intercept and the features before it (a constant column, an exact
    copy) gets weight 0 and the rest are fitted without it.

    Fitted values and ``DemandForecaster.update``: see :class:`GlobalModel`.

    Args:
        fit_intercept: fit an intercept.
        alias: output column name.
    """

    name = "LinearRegression"

    def __init__(self, *, fit_intercept: bool = True, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.fit_intercept = _bool("fit_intercept", fit_intercept)
        self._validate()


class Ridge(GlobalModel):
    """L2-penalised least squares ``‖y − Xw − b‖² + alpha·‖w‖²`` (scikit-learn's Ridge).

    Fitted values and ``DemandForecaster.update``: see :class:`GlobalModel`.

    Args:
        alpha: penalty (>= 0).
        fit_intercept: fit an (unpenalised) intercept.
        alias: output column name.

    Raises:
        InvalidParameterError: alpha < 0.
    """

    name = "Ridge"

    def __init__(
        self, alpha: float = 1.0, *, fit_intercept: bool = True, alias: str | None = None
    ) -> None:
        super().__init__(alias=alias)
        self.alpha = _num("alpha", alpha)
        self.fit_intercept = _bool("fit_intercept", fit_intercept)
        self._validate()


class TweedieRegressor(GlobalModel):
    """Tweedie GLM with log link for count demand (scikit-learn's objective:
    ``1/(2n)·Σ deviance + alpha/2·‖w‖²``), fitted by Fisher scoring.

    Fitted values and ``DemandForecaster.update``: see :class:`GlobalModel`.

    Args:
        power: Tweedie power (1 = Poisson, 1 < p < 2 compound Poisson–gamma, 2 = gamma).
        alpha: L2 penalty (>= 0).
        max_iter: maximum Newton iterations.
        tol: stop when the largest parameter step is below this.
        alias: output column name.

    Raises:
        InvalidParameterError: an argument is out of range, or (at fit) the target is negative.
    """

    name = "TweedieRegressor"

    def __init__(
        self,
        power: float = 1.5,
        alpha: float = 0.0,
        *,
        max_iter: int = 100,
        tol: float = 1e-4,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        self.power = _num("power", power)
        self.alpha = _num("alpha", alpha)
        self.max_iter = _int("max_iter", max_iter)
        self.tol = _num("tol", tol)
        self._validate()


class PoissonRegressor(TweedieRegressor):
    """Poisson GLM with log link (:class:`TweedieRegressor` with ``power=1``).

    Fitted values and ``DemandForecaster.update``: see :class:`GlobalModel`.

    Args:
        alpha: L2 penalty (>= 0).
        max_iter: maximum Newton iterations.
        tol: convergence tolerance.
        alias: output column name.
    """

    name = "PoissonRegressor"

    def __init__(
        self,
        alpha: float = 0.0,
        *,
        max_iter: int = 100,
        tol: float = 1e-4,
        alias: str | None = None,
    ) -> None:
        super().__init__(1.0, alpha, max_iter=max_iter, tol=tol, alias=alias)

    def _params(self) -> dict[str, Any]:
        return {k: v for k, v in super()._params().items() if k != "power"}

    def _native(self, default_season_length: int) -> tuple[str, dict[str, float], dict[str, str]]:
        return (self.name, {k: float(v) for k, v in self._params().items()}, {})


class GradientBoosting(GlobalModel):
    """Histogram gradient-boosted trees (LightGBM-style, native): leaf-wise trees on binned
    features, missing values sent to the better side of every split.

    Fitted values and ``DemandForecaster.update``: see :class:`GlobalModel`.

    Args:
        n_estimators: boosting rounds.
        learning_rate: shrinkage in (0, 1].
        num_leaves: maximum leaves per tree.
        max_depth: maximum depth (None: unlimited).
        min_samples_leaf: minimum rows per leaf.
        l2_regularization: L2 penalty on leaf values.
        feature_fraction: fraction of features drawn for each tree.
        bagging_fraction: fraction of rows drawn for each tree.
        max_bins: bins per feature (<= 255).
        objective: "squared_error", "poisson", "tweedie" or "quantile".
        tweedie_power: Tweedie power in (1, 2) (objective "tweedie"; default 1.5).
        alpha: quantile level in (0, 1) (objective "quantile"; default 0.5).
        early_stopping_rounds: stop when the loss on the last ``validation_size`` periods of
            every series has not improved for this many rounds (None: off).
        validation_size: periods held out per series for early stopping.
        seed: random seed (row/feature sampling); the same seed gives the same model.
        alias: output column name.

    Raises:
        InvalidParameterError: a hyperparameter is out of range.
    """

    name = "GradientBoosting"

    def __init__(
        self,
        *,
        n_estimators: int = 100,
        learning_rate: float = 0.1,
        num_leaves: int = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        feature_fraction: float = 1.0,
        bagging_fraction: float = 1.0,
        max_bins: int = 255,
        objective: str = "squared_error",
        tweedie_power: float | None = None,
        alpha: float | None = None,
        early_stopping_rounds: int | None = None,
        validation_size: int | None = None,
        seed: int = 0,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        self.n_estimators = _int("n_estimators", n_estimators)
        self.learning_rate = _num("learning_rate", learning_rate)
        self.num_leaves = _int("num_leaves", num_leaves)
        self.max_depth = None if max_depth is None else _int("max_depth", max_depth)
        self.min_samples_leaf = _int("min_samples_leaf", min_samples_leaf)
        self.l2_regularization = _num("l2_regularization", l2_regularization)
        self.feature_fraction = _num("feature_fraction", feature_fraction)
        self.bagging_fraction = _num("bagging_fraction", bagging_fraction)
        self.max_bins = _int("max_bins", max_bins)
        if not isinstance(objective, str):
            raise InvalidParameterError(f"objective must be a string, got {objective!r}")
        self.objective = objective
        self.tweedie_power = None if tweedie_power is None else _num("tweedie_power", tweedie_power)
        self.alpha = None if alpha is None else _num("alpha", alpha)
        self.early_stopping_rounds = (
            None
            if early_stopping_rounds is None
            else _int("early_stopping_rounds", early_stopping_rounds)
        )
        self.validation_size = (
            None if validation_size is None else _int("validation_size", validation_size)
        )
        self.seed = _seed(seed)
        self._validate()


class RandomForest(GlobalModel):
    """Random forest regression: bootstrap samples, a random subset of features at every
    split, fully grown CART trees with exact thresholds (halfway between a node's adjacent
    values, as scikit-learn's), the mean of the trees (native; rayon across trees).

    Fitted values and ``DemandForecaster.update``: see :class:`GlobalModel`.

    Args:
        n_estimators: trees.
        max_depth: maximum depth (None: unlimited).
        min_samples_leaf: minimum rows per leaf.
        max_features: fraction of the features tried at each split, in (0, 1].
        bootstrap: draw a bootstrap sample per tree.
        max_samples: bootstrap sample size as a fraction of the rows (None: 1.0).
        max_bins: bins per feature (<= 65535); a feature with at most this many distinct
            values is split exactly, one with more is binned into this many quantiles.
        seed: random seed; the same seed gives the same forest.
        alias: output column name.

    Raises:
        InvalidParameterError: a hyperparameter is out of range.
    """

    name = "RandomForest"

    def __init__(
        self,
        *,
        n_estimators: int = 100,
        max_depth: int | None = None,
        min_samples_leaf: int = 1,
        max_features: float = 1.0,
        bootstrap: bool = True,
        max_samples: float | None = None,
        max_bins: int = 65535,
        seed: int = 0,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        self.n_estimators = _int("n_estimators", n_estimators)
        self.max_depth = None if max_depth is None else _int("max_depth", max_depth)
        self.min_samples_leaf = _int("min_samples_leaf", min_samples_leaf)
        self.max_features = _num("max_features", max_features)
        self.bootstrap = _bool("bootstrap", bootstrap)
        self.max_samples = None if max_samples is None else _num("max_samples", max_samples)
        self.max_bins = _int("max_bins", max_bins)
        self.seed = _seed(seed)
        self._validate()


def _bool(name: str, v: object) -> bool:
    if not isinstance(v, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be a bool, got {v!r}")
    return bool(v)


def _num(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        raise InvalidParameterError(f"{name} must be a number, got {v!r}")
    return float(v)


def _seed(v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**53:
        raise InvalidParameterError(f"seed must be an integer in [0, 2**53), got {v!r}")
    return int(v)


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


from ._models_arima import ARIMA, MSTL, AutoARIMA  # noqa: E402 (they subclass Model)

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
        AutoETS,
        Holt,
        HoltWinters,
        ARIMA,
        AutoARIMA,
        MSTL,
        WithRegressors,
        LinearRegression,
        Ridge,
        PoissonRegressor,
        TweedieRegressor,
        GradientBoosting,
        RandomForest,
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
