"""Feature configuration of the global (machine-learning) models of
:class:`shelfcast.DemandForecaster`.

The features themselves are built natively (``src/ml/``), in parallel across series, with
the definitions of mlforecast (coreforecast) so the feature matrices agree:

* ``lags=[1, 7]`` gives ``lag1``, ``lag7``: the target ``k`` periods before.
* ``lag_transforms={7: [RollingMean(28)]}`` gives ``rolling_mean_lag7_window_size28``: a
  statistic of the target shifted by the key (the lag). Rolling statistics are NaN until
  ``min_samples`` (default: the window size) values are available; ``RollingStd`` is the
  sample standard deviation (ddof 1); ``ExponentiallyWeightedMean`` starts at the first
  value and updates ``s = α·x + (1 − α)·s``.
* ``date_features=["dayofweek", "month"]``: pandas' attributes of ``ds`` (``dayofweek``
  0 = Monday, ``day``, ``week`` (ISO), ``month``, ``quarter``, ``year``, ``dayofyear``).
* ``holidays={"black_friday": [...dates...]}``: a 0/1 column ``holiday_black_friday``.
* Target transforms (:class:`Log1p`, :class:`Standardize`, :class:`Differences`) apply to
  each series before the features are built and are inverted on the forecasts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .exceptions import InvalidParameterError

__all__ = [
    "Differences",
    "ExpandingMean",
    "ExponentiallyWeightedMean",
    "LagTransform",
    "Log1p",
    "RollingMax",
    "RollingMean",
    "RollingMin",
    "RollingStd",
    "Standardize",
    "TargetTransform",
]


class LagTransform:
    """Base class of the statistics of a lagged target."""

    kind = ""

    def _native(self, lag: int) -> tuple[str, int, int, int | None, float]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if v is not None)
        return f"{type(self).__name__}({args})"


class _Rolling(LagTransform):
    def __init__(self, window_size: int, min_samples: int | None = None) -> None:
        self.window_size = _int("window_size", window_size, 1)
        self.min_samples = None if min_samples is None else _int("min_samples", min_samples, 1)
        if self.min_samples is not None and self.min_samples > self.window_size:
            raise InvalidParameterError(
                f"min_samples ({min_samples}) must be <= window_size ({window_size})"
            )

    def _native(self, lag: int) -> tuple[str, int, int, int | None, float]:
        return (self.kind, lag, self.window_size, self.min_samples, 0.0)


class RollingMean(_Rolling):
    """Mean of the last ``window_size`` lagged values.

    Args:
        window_size: number of values.
        min_samples: fewest values giving a result (default ``window_size``).

    Raises:
        InvalidParameterError: a size is not a positive integer or min_samples > window_size.
    """

    kind = "rolling_mean"


class RollingStd(_Rolling):
    """Sample standard deviation (ddof 1) of the last ``window_size`` lagged values.

    Args:
        window_size: number of values (>= 2).
        min_samples: fewest values giving a result (default ``window_size``).

    Raises:
        InvalidParameterError: invalid sizes.
    """

    kind = "rolling_std"

    def __init__(self, window_size: int, min_samples: int | None = None) -> None:
        super().__init__(window_size, min_samples)
        if self.window_size < 2:
            raise InvalidParameterError("RollingStd needs window_size >= 2")


class RollingMin(_Rolling):
    """Minimum of the last ``window_size`` lagged values (args as :class:`RollingMean`)."""

    kind = "rolling_min"


class RollingMax(_Rolling):
    """Maximum of the last ``window_size`` lagged values (args as :class:`RollingMean`)."""

    kind = "rolling_max"


class ExpandingMean(LagTransform):
    """Mean of every lagged value so far."""

    kind = "expanding_mean"

    def _native(self, lag: int) -> tuple[str, int, int, int | None, float]:
        return (self.kind, lag, 0, None, 0.0)


class ExponentiallyWeightedMean(LagTransform):
    """Exponentially weighted mean of the lagged values, ``s = α·x + (1 − α)·s``.

    Args:
        alpha: smoothing constant in (0, 1].

    Raises:
        InvalidParameterError: alpha outside (0, 1].
    """

    kind = "exponentially_weighted_mean"

    def __init__(self, alpha: float) -> None:
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
            raise InvalidParameterError(f"alpha must be a number, got {alpha!r}")
        if not 0 < float(alpha) <= 1:
            raise InvalidParameterError(f"alpha must be in (0, 1], got {alpha}")
        self.alpha = float(alpha)

    def _native(self, lag: int) -> tuple[str, int, int, int | None, float]:
        return (self.kind, lag, 0, None, self.alpha)


class TargetTransform:
    """Base class of the target transforms."""

    def _native(self) -> list[tuple[str, int]]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Log1p(TargetTransform):
    """``log(1 + y)`` (needs ``y > −1``), inverted with ``exp(z) − 1``."""

    def _native(self) -> list[tuple[str, int]]:
        return [("log1p", 0)]


class Standardize(TargetTransform):
    """Per-series ``(y − mean) / std`` (population std of the training series)."""

    def _native(self) -> list[tuple[str, int]]:
        return [("standardize", 0)]


class Differences(TargetTransform):
    """Differences ``y_t − y_{t−d}`` for each ``d`` in ``lags``, in order.

    Args:
        lags: the differencing lags, e.g. ``[1]`` or ``[7]``.

    Raises:
        InvalidParameterError: a lag is not a positive integer.
    """

    def __init__(self, lags: Sequence[int]) -> None:
        if isinstance(lags, (int, np.integer)):
            lags = [int(lags)]
        self.lags = [_int("lags", d, 1) for d in lags]
        if not self.lags:
            raise InvalidParameterError("Differences needs at least one lag")

    def _native(self) -> list[tuple[str, int]]:
        return [("diff", d) for d in self.lags]


def native_lag_transforms(
    lag_transforms: Mapping[int, Iterable[LagTransform]] | None,
) -> list[tuple[str, int, int, int | None, float]]:
    """``{lag: [transforms]}`` to the native tuples."""
    if lag_transforms is None:
        return []
    if not isinstance(lag_transforms, Mapping):
        raise InvalidParameterError(
            "lag_transforms must be a dict {lag: [RollingMean(7), ...]}, "
            f"got {type(lag_transforms).__name__}"
        )
    out = []
    for lag, transforms in lag_transforms.items():
        lag = _int("lag_transforms key", lag, 1)
        for t in transforms:
            if not isinstance(t, LagTransform):
                raise InvalidParameterError(
                    f"lag_transforms[{lag}] entries must be shelfcast.features objects, got {t!r}"
                )
            out.append(t._native(lag))
    return out


def native_target_transforms(
    transforms: Sequence[TargetTransform | str] | None,
) -> list[tuple[str, int]]:
    """Target transforms (objects or "log1p"/"standardize") to the native pairs."""
    out: list[tuple[str, int]] = []
    for t in transforms or []:
        if t == "log1p":
            t = Log1p()
        elif t == "standardize":
            t = Standardize()
        if not isinstance(t, TargetTransform):
            raise InvalidParameterError(
                f"target_transforms entries must be Log1p(), Standardize() or "
                f"Differences([...]), got {t!r}"
            )
        out.extend(t._native())
    return out


def _int(name: str, v: object, low: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
        raise InvalidParameterError(f"{name} must be an integer >= {low}, got {v!r}")
    return int(v)
