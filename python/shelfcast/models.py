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
    "TSB",
    "CrostonClassic",
    "CrostonSBA",
    "GlobalModel",
    "GradientBoosting",
    "HistoricAverage",
    "LinearRegression",
    "Model",
    "Naive",
    "PoissonRegressor",
    "RandomForest",
    "Ridge",
    "SeasonalNaive",
    "SeasonalWindowAverage",
    "SimpleExponentialSmoothing",
    "TweedieRegressor",
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
    #: Whether the model is a global (machine-learning) model.
    is_global: bool = False

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


class GlobalModel(Model):
    """Base class of the global machine-learning models (validated natively on creation).

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
    at prediction a missing feature takes its training mean.

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
    split, fully grown histogram CART trees, the mean of the trees (native; rayon across
    trees).

    Args:
        n_estimators: trees.
        max_depth: maximum depth (None: unlimited).
        min_samples_leaf: minimum rows per leaf.
        max_features: fraction of the features tried at each split, in (0, 1].
        bootstrap: draw a bootstrap sample per tree.
        max_samples: bootstrap sample size as a fraction of the rows (None: 1.0).
        max_bins: bins per feature (<= 255).
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
        max_bins: int = 255,
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
