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
    "TSB",
    "CrostonClassic",
    "CrostonSBA",
    "HistoricAverage",
    "Model",
    "Naive",
    "SeasonalNaive",
    "SeasonalWindowAverage",
    "SimpleExponentialSmoothing",
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
