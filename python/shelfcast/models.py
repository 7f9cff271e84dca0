"""Forecasting models usable in :class:`shelfcast.DemandForecaster`.

Each model is a small, picklable description (name, hyperparameters, output alias); the
fitting happens natively, in parallel across series, inside the forecaster. Definitions
match statsforecast's models of the same name (verified in the test-suite) except where a
docstring says otherwise.
"""

from __future__ import annotations

from typing import Any

from .exceptions import InvalidParameterError, UnknownModelError

__all__ = [
    "CrostonClassic",
    "CrostonSBA",
    "HistoricAverage",
    "Model",
    "Naive",
    "SeasonalNaive",
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

    def _native(self, default_season_length: int) -> tuple[str, int | None]:
        return (self.name, None)

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
        if season_length is not None:
            if isinstance(season_length, bool) or not isinstance(season_length, int):
                raise InvalidParameterError(
                    f"season_length must be an int, got {type(season_length).__name__}"
                )
            if season_length < 1:
                raise InvalidParameterError(f"season_length must be >= 1, got {season_length}")
        self.season_length = season_length

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length}

    def _native(self, default_season_length: int) -> tuple[str, int | None]:
        return (self.name, self.season_length or default_season_length)


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


_BY_NAME: dict[str, type[Model]] = {
    cls.__name__: cls for cls in (Naive, HistoricAverage, SeasonalNaive, CrostonClassic, CrostonSBA)
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
            out.append(cls())
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
