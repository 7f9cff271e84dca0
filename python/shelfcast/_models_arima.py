"""The ARIMA family and MSTL as model descriptions (imported into :mod:`shelfcast.models`,
which is where users find them). The fitting is native: ``src/forecast/models/arima/`` and
``src/forecast/models/decompose/``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .exceptions import InvalidParameterError
from .models import AutoETS, Model, _bool, _int, _opt_int

__all__ = ["ARIMA", "MSTL", "AutoARIMA"]

_METHODS = ("CSS-ML", "ML", "CSS")
_ICS = ("aicc", "aic", "bic")
_SEASONAL_TESTS = ("seas", "ocsb")
_LIKELIHOODS = ("exact", "statsforecast")

_LIKELIHOOD_DOC = """likelihood: ``"exact"`` (default): the exact Gaussian likelihood, with a
            diffuse prior on the differencing states (R's ``stats::arima``);
            ``"statsforecast"``: the function statsforecast 2.1.1 maximises, which for
            integrated models (d + D > 0) keeps the previous evaluation's covariance for
            the differencing states instead of restarting them diffuse, to reproduce its
            estimates (slower). For d + D = 0 the two are the same."""


def _triple(name: str, v: object) -> tuple[int, int, int]:
    if (
        not isinstance(v, (tuple, list))
        or len(v) != 3
        or any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 0 for x in v)
    ):
        raise InvalidParameterError(f"{name} must be three non-negative integers, got {v!r}")
    return (int(v[0]), int(v[1]), int(v[2]))


def _nonneg(name: str, v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
        raise InvalidParameterError(f"{name} must be a non-negative integer, got {v!r}")
    return int(v)


def _opt_nonneg(name: str, v: object) -> int | None:
    return None if v is None else _nonneg(name, v)


def _choice(name: str, v: object, options: tuple[str, ...]) -> str:
    if v not in options:
        raise InvalidParameterError(f"{name} must be one of {list(options)}, got {v!r}")
    return str(v)


def _fixed(v: object) -> dict[str, float] | None:
    if v is None:
        return None
    if not isinstance(v, Mapping) or not all(isinstance(k, str) for k in v):
        raise InvalidParameterError(
            f"fixed must be a dict {{coefficient name: value}}, e.g. {{'ar1': 0.5}}, got {v!r}"
        )
    out = {}
    for k, x in v.items():
        if isinstance(x, bool) or not isinstance(x, (int, float, np.number)):
            raise InvalidParameterError(f"fixed[{k!r}] must be a number, got {x!r}")
        if "=" in k or "," in k:
            raise InvalidParameterError(f"fixed has an invalid coefficient name {k!r}")
        out[k] = float(x)
    return out


class ARIMA(Model):
    r"""ARIMA(p, d, q)(P, D, Q)ₘ, optionally a regression with ARIMA errors (statsforecast's
    ``ARIMA``, itself R's ``forecast::Arima``).

    With regressors ``x_t`` (every extra numeric column of the training frame that is not a
    static feature), the model is ``y_t = c + δ·t + x_t·β + η_t`` where ``η_t`` follows the
    seasonal ARIMA ``φ(B)Φ(Bᵐ)(1 − B)ᵈ(1 − Bᵐ)ᴰ η_t = θ(B)Θ(Bᵐ) ε_t``, ``ε_t ~ N(0, σ²)``:
    the regression coefficients are estimated jointly with the ARMA ones by maximising the
    exact Gaussian likelihood (Kalman filter, Gardner et al. 1980 initial state covariance,
    a diffuse prior for the differenced states), started from conditional sum of squares
    (``method="CSS-ML"``, the default), or by CSS or ML alone. Forecasts use each step's own
    future regressors from ``predict(h, X_df=...)``; intervals and quantiles are the exact
    normal forecast distribution (the Kalman filter's forecast variances) and sample paths
    are simulated from the fitted model. Regressors constant within a series (a price that
    never changed) are left out of that series' model.

    Args:
        order: (p, d, q).
        season_length: m; defaults to the forecaster's ``season_length`` (only used with a
            seasonal order).
        seasonal_order: (P, D, Q).
        include_mean: estimate a mean (only when d + D = 0).
        include_drift: estimate a linear drift (only when d + D ≤ 1).
        include_constant: when not None, overrides both: True means a mean if d + D = 0 and a
            drift if d + D = 1; False means neither.
        method: ``"CSS-ML"``, ``"ML"`` or ``"CSS"``.
        fixed: coefficients held at given values, by name: ``ar1``…, ``ma1``…, ``sar1``…,
            ``sma1``…, ``intercept``, ``drift``, a regressor column's name or ``ex_<j>`` for
            the j-th regressor (statsforecast's names).
        {likelihood}
        alias: output column name.

    Raises:
        InvalidParameterError: an argument has the wrong type or value.
    """

    name = "ARIMA"
    seasonal = True
    uses_exog = True

    def __init__(
        self,
        order: Sequence[int] = (0, 0, 0),
        season_length: int | None = None,
        seasonal_order: Sequence[int] = (0, 0, 0),
        include_mean: bool = True,
        include_drift: bool = False,
        include_constant: bool | None = None,
        method: str = "CSS-ML",
        fixed: Mapping[str, float] | None = None,
        likelihood: str = "exact",
        *,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        self.order = _triple("order", order)
        self.season_length = _opt_int("season_length", season_length)
        self.seasonal_order = _triple("seasonal_order", seasonal_order)
        self.include_mean = _bool("include_mean", include_mean)
        self.include_drift = _bool("include_drift", include_drift)
        self.include_constant = (
            None if include_constant is None else _bool("include_constant", include_constant)
        )
        self.method = _choice("method", method, _METHODS)
        self.fixed = _fixed(fixed)
        self.likelihood = _choice("likelihood", likelihood, _LIKELIHOODS)
        if self.season_length == 1 and any(self.seasonal_order):
            raise InvalidParameterError(
                f"a seasonal order {self.seasonal_order} needs season_length >= 2"
            )

    def _params(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "season_length": self.season_length,
            "seasonal_order": self.seasonal_order,
            "include_mean": self.include_mean,
            "include_drift": self.include_drift,
            "include_constant": self.include_constant,
            "method": self.method,
            "fixed": self.fixed,
            "likelihood": self.likelihood,
        }

    def _native_params(self) -> dict[str, Any]:
        (p, d, q), (sp, sd, sq) = self.order, self.seasonal_order
        mean, drift = self.include_mean, self.include_drift
        if self.include_constant is not None:
            mean = self.include_constant
            drift = self.include_constant and d + sd == 1
        out: dict[str, Any] = {
            "p": p,
            "d": d,
            "q": q,
            "P": sp,
            "D": sd,
            "Q": sq,
            # a non-seasonal model does not need the forecaster's season length
            "season_length": self.season_length if sp + sd + sq else 1,
            "include_mean": mean,
            "include_drift": drift,
            "method": self.method,
            "likelihood": self.likelihood,
        }
        if self.fixed:
            out["fixed"] = ",".join(f"{k}={v!r}" for k, v in self.fixed.items())
        return out

    def __repr__(self) -> str:
        defaults = ARIMA()._params()
        args = [f"{k}={v!r}" for k, v in self._params().items() if v != defaults[k]]
        if self.alias != type(self).__name__:
            args.append(f"alias={self.alias!r}")
        return f"ARIMA({', '.join(args)})"


class AutoARIMA(Model):
    r"""Automatic ARIMA: Hyndman & Khandakar's (2008) search, as R's ``forecast::auto.arima``
    and statsforecast's ``AutoARIMA`` (same defaults, same selection).

    Per series: the number of seasonal differences ``D`` from a seasonal test
    (``seasonal_test="seas"``: the seasonal strength of an STL decomposition above 0.64, as
    statsforecast; ``"ocsb"``: the Osborn–Chui–Smith–Birchenhall test, as R), the number of
    first differences ``d`` from repeated KPSS tests at 5 % (on the regression residuals
    when there are regressors), then a stepwise search over p, q, P, Q (or the full grid up
    to ``max_order`` with ``stepwise=False``), with and without a constant, minimising
    ``ic``; every candidate is estimated as :class:`ARIMA` does, the regressors jointly. A
    series too short or constant gets the simpler model R and statsforecast would give.

    Args:
        season_length: m; defaults to the forecaster's ``season_length`` (1: non-seasonal).
        d, D: fix the differencing orders instead of testing.
        max_p, max_q, max_P, max_Q: largest orders searched.
        max_order: largest p + q + P + Q of the non-stepwise grid.
        max_d, max_D: largest differencing orders the tests may choose.
        start_p, start_q, start_P, start_Q: orders of the stepwise search's first model.
        stationary: search only stationary models (d = D = 0).
        seasonal: allow seasonal terms.
        ic: ``"aicc"``, ``"aic"`` or ``"bic"``.
        stepwise: stepwise search (default) or the full grid.
        nmodels: most models the stepwise search fits.
        approximation: select by conditional sum of squares, then refit the winner by
            maximum likelihood (statsforecast's default: False).
        method: estimation method of the candidates (None: ``"CSS-ML"``, or ``"CSS"`` when
            approximating).
        test: unit-root test for ``d`` (``"kpss"``).
        seasonal_test: ``"seas"`` or ``"ocsb"``.
        allowdrift: consider a drift when d + D = 1.
        allowmean: consider a mean when d + D = 0.
        {likelihood}
        alias: output column name.

    Raises:
        InvalidParameterError: an argument has the wrong type or value.
    """

    name = "AutoARIMA"
    seasonal = True
    uses_exog = True

    def __init__(
        self,
        season_length: int | None = None,
        *,
        d: int | None = None,
        D: int | None = None,
        max_p: int = 5,
        max_q: int = 5,
        max_P: int = 2,
        max_Q: int = 2,
        max_order: int = 5,
        max_d: int = 2,
        max_D: int = 1,
        start_p: int = 2,
        start_q: int = 2,
        start_P: int = 1,
        start_Q: int = 1,
        stationary: bool = False,
        seasonal: bool = True,
        ic: str = "aicc",
        stepwise: bool = True,
        nmodels: int = 94,
        approximation: bool = False,
        method: str | None = None,
        test: str = "kpss",
        seasonal_test: str = "seas",
        allowdrift: bool = True,
        allowmean: bool = True,
        likelihood: str = "exact",
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        self.season_length = _opt_int("season_length", season_length)
        self.d = _opt_nonneg("d", d)
        self.D = _opt_nonneg("D", D)
        for name, v in (
            ("max_p", max_p),
            ("max_q", max_q),
            ("max_P", max_P),
            ("max_Q", max_Q),
            ("max_order", max_order),
            ("max_d", max_d),
            ("max_D", max_D),
            ("start_p", start_p),
            ("start_q", start_q),
            ("start_P", start_P),
            ("start_Q", start_Q),
        ):
            setattr(self, name, _nonneg(name, v))
        self.stationary = _bool("stationary", stationary)
        self.allow_seasonal = _bool("seasonal", seasonal)
        self.ic = _choice("ic", ic, _ICS)
        self.stepwise = _bool("stepwise", stepwise)
        self.nmodels = _int("nmodels", nmodels)
        self.approximation = _bool("approximation", approximation)
        self.method = None if method is None else _choice("method", method, _METHODS)
        self.test = _choice("test", test, ("kpss",))
        self.seasonal_test = _choice("seasonal_test", seasonal_test, _SEASONAL_TESTS)
        self.allowdrift = _bool("allowdrift", allowdrift)
        self.allowmean = _bool("allowmean", allowmean)
        self.likelihood = _choice("likelihood", likelihood, _LIKELIHOODS)

    _INTS = (
        "max_p",
        "max_q",
        "max_P",
        "max_Q",
        "max_order",
        "max_d",
        "max_D",
        "start_p",
        "start_q",
        "start_P",
        "start_Q",
    )

    def _params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"season_length": self.season_length, "d": self.d, "D": self.D}
        out.update({k: getattr(self, k) for k in self._INTS})
        out.update(
            stationary=self.stationary,
            seasonal=self.allow_seasonal,
            ic=self.ic,
            stepwise=self.stepwise,
            nmodels=self.nmodels,
            approximation=self.approximation,
            method=self.method,
            test=self.test,
            seasonal_test=self.seasonal_test,
            allowdrift=self.allowdrift,
            allowmean=self.allowmean,
            likelihood=self.likelihood,
        )
        return out

    def _native_params(self) -> dict[str, Any]:
        # None entries (d, D, method) are left out: the native side tests / picks them
        return self._params()

    def __repr__(self) -> str:
        defaults = AutoARIMA()._params()
        args = [f"{k}={v!r}" for k, v in self._params().items() if v != defaults[k]]
        if self.alias != type(self).__name__:
            args.append(f"alias={self.alias!r}")
        return f"AutoARIMA({', '.join(args)})"


ARIMA.__doc__ = (ARIMA.__doc__ or "").replace("{likelihood}", _LIKELIHOOD_DOC)
AutoARIMA.__doc__ = (AutoARIMA.__doc__ or "").replace("{likelihood}", _LIKELIHOOD_DOC)


class MSTL(Model):
    r"""MSTL: multiple seasonal decomposition by LOESS (Bandara, Hyndman & Bergmeir 2021),
    then a non-seasonal model of the seasonally adjusted series (statsforecast's ``MSTL``).

    The series is decomposed into a trend, one seasonal component per period in
    ``season_length`` (e.g. ``[7, 365]`` for daily retail data: weekly and yearly) and a
    remainder by iterated STL (statsmodels' STL: seasonal windows 11, 15, 19, ...; seasonal
    degree 0; two iterations with several periods). ``trend_forecaster`` (default
    ``AutoETS(model="ZZN")``, non-seasonal) is fitted on trend + remainder; the forecast is
    its forecast plus each seasonal component's last cycle repeated. Intervals, quantiles and
    sample paths are the trend forecaster's (model-based for ETS and ARIMA, conformal
    otherwise) shifted by the seasonal part. A trend forecaster that uses regressors
    (``ARIMA``, ``AutoARIMA``, ``WithRegressors(...)``) gets them.

    Deliberate difference from statsforecast: a period the series is too short for (fewer
    than two full cycles) is left out for that series (recorded in ``fallbacks_``), where
    statsforecast raises; a series shorter than two cycles of every period gets the trend
    forecaster alone.

    Fitted values: the trend forecaster's (on the adjusted series) plus the seasonal
    components. ``DemandForecaster.update`` keeps the periods the fit decomposed (a period
    dropped as too long stays dropped), recomputes the decomposition (a smoother: nothing is
    estimated) on the longer series and updates the trend forecaster with its frozen
    parameters on the new adjusted series, as statsforecast's ``forward``.

    Args:
        season_length: one period or a list of periods (each >= 2); defaults to the
            forecaster's ``season_length``.
        trend_forecaster: a non-seasonal per-series model (default
            ``AutoETS(season_length=1, model="ZZN")``).
        alias: output column name.

    Raises:
        InvalidParameterError: a period is invalid, or the trend forecaster is seasonal or
            not a per-series model.
    """

    name = "MSTL"
    seasonal = True

    def __init__(
        self,
        season_length: int | Sequence[int] | None = None,
        trend_forecaster: Model | None = None,
        *,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias=alias)
        if season_length is None:
            self.season_length: list[int] | None = None
        else:
            periods = (
                [season_length] if not isinstance(season_length, (list, tuple)) else season_length
            )
            if not periods:
                raise InvalidParameterError("season_length must hold at least one period")
            checked = sorted({_int("season_length", p) for p in periods})
            if checked[0] < 2:
                raise InvalidParameterError(
                    f"MSTL periods must be >= 2, got {list(periods)} (use the trend "
                    "forecaster alone for non-seasonal data)"
                )
            self.season_length = checked
        trend = AutoETS(1, model="ZZN") if trend_forecaster is None else trend_forecaster
        if not isinstance(trend, Model) or trend.is_global:
            raise InvalidParameterError(
                f"trend_forecaster must be a per-series statistical model, got {trend!r}"
            )
        _check_non_seasonal(trend)
        self.trend_forecaster = trend
        self.uses_exog = trend.uses_exog

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "trend_forecaster": self.trend_forecaster}

    def _native(self, default_season_length: int) -> tuple[str, dict[str, float], dict[str, str]]:
        from . import _core

        periods = self.season_length or [default_season_length]
        if min(periods) < 2:
            raise InvalidParameterError(
                "MSTL needs periods >= 2: set season_length=[7, ...] on the model or the forecaster"
            )
        trend = _core.nested_model(*self.trend_forecaster._native(1))
        text = {"season_length": ",".join(str(p) for p in periods), "trend_forecaster": trend}
        return (self.name, {}, text)

    def __repr__(self) -> str:
        args = []
        if self.season_length is not None:
            args.append(f"season_length={self.season_length!r}")
        if self.trend_forecaster != AutoETS(1, model="ZZN"):
            args.append(f"trend_forecaster={self.trend_forecaster!r}")
        if self.alias != type(self).__name__:
            args.append(f"alias={self.alias!r}")
        return f"MSTL({', '.join(args)})"


def _check_non_seasonal(model: Model) -> None:
    """MSTL's trend forecaster must not model a season itself."""
    msg = (
        f"MSTL's trend_forecaster must be non-seasonal (season_length=1 or no seasonal "
        f"component), got {model!r}"
    )
    inner = getattr(model, "model", None)
    if isinstance(inner, Model):  # WithRegressors
        _check_non_seasonal(inner)
        return
    if isinstance(model, AutoETS):
        season = model.model[2]
        if season in "AM" or (season == "Z" and (model.season_length or 1) != 1):
            raise InvalidParameterError(msg)
        return
    if isinstance(model, ARIMA):
        if any(model.seasonal_order):
            raise InvalidParameterError(msg)
        return
    if isinstance(model, AutoARIMA):
        if model.allow_seasonal and (model.season_length or 1) != 1:
            raise InvalidParameterError(msg)
        return
    if model.seasonal and getattr(model, "season_length", 1) not in (None, 1):
        raise InvalidParameterError(msg)
