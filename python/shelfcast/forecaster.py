"""`DemandForecaster`: per-series statistical models and global machine-learning models on
many series, fitted natively."""

from __future__ import annotations

import logging
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _core, _persist, _polars, _uncertainty, _update
from ._frame import Panel, future_dates, parse_freq, to_panel
from ._global import Exog, FeatureConfig, days_of, future_dynamic, panel_exog
from ._progress import Progress
from .exceptions import (
    ExogenousWarning,
    InvalidInputError,
    InvalidParameterError,
    InvalidSeriesError,
    NotFittedError,
    _rename_culprit,
)
from .models import Model, resolve_models

log = logging.getLogger(__name__)

__all__ = ["DemandForecaster"]

_FALLBACK_REASONS = dict(_core.fallback_reasons())
CONFORMAL_METHODS = ("pooled", "per_step")


class DemandForecaster:
    """Fit demand models on many series at once (native, parallel, GIL released).

    Input is long format like statsforecast's and mlforecast's: one row per series and period
    with columns ``unique_id`` (str or int), ``ds`` (datetime64) and ``y`` (numeric). Every
    series must be regular at ``freq`` (fill periods without sales with 0 first).

    Per-series statistical models (e.g. ``SeasonalNaive``) and global machine-learning models
    (``LinearRegression``, ``Ridge``, ``PoissonRegressor``, ``TweedieRegressor``,
    ``GradientBoosting``, ``RandomForest``) can be mixed; the output has one column per model
    alias. The global models share the feature configuration below (mlforecast's layout):
    they are trained once across all series and forecast recursively, each step from its
    own lags, calendar and exogenous row.

    Exogenous regressors: any extra numeric column of the training frame (price, promotion
    flags, holiday dummies, ...) that is not listed in ``static_features`` is a regressor
    whose future values ``predict`` needs in ``X_df``, one row per series and future date.
    They are used by the global ML models (as dynamic features), by ``ARIMA`` and
    ``AutoARIMA`` (regression with ARIMA errors), by ``MSTL`` with such a trend forecaster,
    and by any model wrapped in :class:`~shelfcast.models.WithRegressors` (regress, then
    model the residuals). The other statistical models (ETS, theta, Croston, naive, ...)
    do not use them: ``fit`` says so in an :class:`~shelfcast.exceptions.ExogenousWarning`
    naming the columns and the models that ignore them.

    Args:
        models: list of :mod:`shelfcast.models` objects or model names.
        freq: pandas frequency of the series ("D", "W-SUN", "MS", ...).
        season_length: default season length for seasonal models that do not set one.
        conformal_windows: rolling-origin windows (``h`` periods apart) whose errors give
            the conformal intervals and quantiles of :meth:`predict` (models without a
            likelihood; ETS models use their fitted state-space model instead).
        conformal: ``"pooled"`` (default): one split-conformal score distribution per
            series from the errors of all windows and steps, which reaches a nominal 95 %;
            ``"per_step"``: statsforecast's ``ConformalIntervals`` (a quantile of the
            ``2·conformal_windows`` values per step, which cannot cover more than about
            ``W/(W+1)``). Definitions in :mod:`shelfcast._uncertainty`.
        path_windows: rolling-origin windows (1 period apart) whose error trajectories
            :meth:`sample_paths` resamples (models without a likelihood).
        verbose: show a progress bar on stderr while fitting.
        lags: target lags of the global models (see :mod:`shelfcast.features`). When
            ``lags``, ``lag_transforms`` and ``date_features`` are all None the default is
            ``lags=[1, 7, 14, 28]`` and ``date_features=["dayofweek", "month", "day"]``.
        lag_transforms: ``{lag: [RollingMean(7), ...]}`` statistics of lagged targets.
        date_features: calendar features of ``ds`` ("dayofweek", "day", "week", "month",
            "quarter", "year", "dayofyear").
        holidays: ``{name: [dates]}`` event sets, each a 0/1 feature ``holiday_<name>``.
        static_features: extra columns constant within each series (e.g. store,
            department; strings are encoded as integer codes).
        target_transforms: ``[Log1p(), Standardize(), Differences([7])]``, applied per
            series before the features are built and inverted on the forecasts.
        dropna: drop training rows whose lag features are missing (mlforecast's default);
            with False the tree models learn where missing lags go.

    polars: ``fit``, ``forecast``, ``cross_validation`` and ``feature_matrix`` accept a
    ``polars.DataFrame`` (``ds`` of dtype Date or Datetime, ``unique_id`` String,
    Categorical or integer), read natively into numpy; every frame the forecaster then
    returns (``predict``, ``residual_std``, ``fallbacks_``, ...) is a ``polars.DataFrame``
    built from numpy, with ``ds`` in the input's dtype and ``unique_id`` in its id dtype.
    Exogenous columns of the global models (and a polars ``X_df``) are converted to pandas
    at one boundary (:func:`shelfcast._polars.to_pandas`).

    Raises:
        UnknownModelError: a model name is unknown.
        InvalidParameterError: another argument is invalid.

    Example:
        >>> from shelfcast import DemandForecaster
        >>> from shelfcast.models import SeasonalNaive, CrostonClassic
        >>> fc = DemandForecaster([SeasonalNaive(7), CrostonClassic()], freq="D")
        >>> fc.forecast(df, h=14)  # doctest: +SKIP
    """

    def __init__(
        self,
        models: Sequence[Model | str],
        *,
        freq: str | pd.DateOffset = "D",
        season_length: int = 7,
        conformal_windows: int = 5,
        conformal: str = "pooled",
        path_windows: int = 50,
        verbose: bool = False,
        lags: Sequence[int] | None = None,
        lag_transforms: Mapping[int, Sequence[Any]] | None = None,
        date_features: Sequence[str] | None = None,
        holidays: Mapping[str, Sequence[Any]] | None = None,
        static_features: Sequence[str] | None = None,
        target_transforms: Sequence[Any] | None = None,
        dropna: bool = True,
    ) -> None:
        self.models = resolve_models(models)
        self._stat_idx = [j for j, m in enumerate(self.models) if not m.is_global]
        self._ml_idx = [j for j, m in enumerate(self.models) if m.is_global]
        self._stat_exog = any(self.models[j].uses_exog for j in self._stat_idx)
        self._features = FeatureConfig.build(
            lags, lag_transforms, date_features, holidays, target_transforms, dropna
        )
        if static_features is not None and (
            isinstance(static_features, str) or not all(isinstance(c, str) for c in static_features)
        ):
            raise InvalidParameterError(
                f"static_features must be a list of column names, got {static_features!r}"
            )
        self.static_features = list(static_features or [])
        if self._ml_idx:  # validate the feature configuration natively, now
            self._features.core([self.models[j]._native(7) for j in self._ml_idx])
        self.conformal_windows = _positive_int("conformal_windows", conformal_windows)
        if conformal not in CONFORMAL_METHODS:
            raise InvalidParameterError(
                f"conformal must be one of {CONFORMAL_METHODS}, got {conformal!r}"
            )
        self.conformal = conformal
        self.path_windows = _positive_int("path_windows", path_windows)
        if isinstance(season_length, bool) or not isinstance(season_length, (int, np.integer)):
            raise InvalidParameterError(
                f"season_length must be an int, got {type(season_length).__name__}"
            )
        if season_length < 1:
            raise InvalidParameterError(f"season_length must be >= 1, got {season_length}")
        self.freq = freq
        self._offset = parse_freq(freq)
        self.season_length = int(season_length)
        self.verbose = bool(verbose)
        self._core = self._new_stat_core()
        self._ml: Any = None
        self._ml_sigma: np.ndarray | None = None
        self._exog: Exog | None = None
        self._ids: np.ndarray | None = None
        self._last_ds: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._offsets: np.ndarray | None = None
        self._errors: dict[tuple[int, int, int], np.ndarray] = {}
        self._frame_style = _polars.PANDAS
        self._keep_fitted = False
        self._fitted_cache: np.ndarray | None = None

    # ------------------------------------------------------------------ fitting
    def fit(self, df: pd.DataFrame, fitted: bool = False) -> DemandForecaster:
        """Fit every model on every series of ``df``.

        Args:
            df: long-format frame with ``unique_id``, ``ds``, ``y`` and, for the global
                models, any exogenous columns.
            fitted: also compute the in-sample fitted values now and keep them (and
                recompute them at every :meth:`update`) for
                :meth:`forecast_fitted_values`, which otherwise computes them when called
                (the same numbers).

        Returns:
            self (fitted).

        Raises:
            MissingColumnError: a required column is absent.
            ColumnTypeError: ``ds`` is not datetime, ``y`` or an exogenous column is not
                numeric.
            InvalidSeriesError: NaN/inf in ``y`` or a gap in a series' calendar (names the
                series and date).
            DuplicateRowError: a (unique_id, ds) pair appears twice.
            InvalidInputError: a static feature varies within a series.
            InvalidParameterError: the global models have no training row (lags longer
                than every series).
        """
        panel = to_panel(df, self._offset)
        exog = self._read_exog(df, panel)
        self._fit_panel(panel, exog)
        self._frame_style = _polars.style_of(df)
        self._keep_fitted = bool(fitted)
        if self._keep_fitted:
            self._fitted_cache = self._fitted_values()
        log.debug("fitted %d models on %d series", len(self.models), panel.n_series)
        return self

    @property
    def _uses_exog(self) -> bool:
        """Whether any model reads the exogenous columns (global ML models or regressors)."""
        return bool(self._ml_idx) or self._stat_exog

    def _read_exog(self, df: Any, panel: Panel, what: str = "df") -> Exog | None:
        """The exogenous columns of ``df`` in panel order (None when no model uses them), and
        the warning about statistical models that ignore them."""
        extra = [c for c in _columns(df) if c not in ("unique_id", "ds", "y")]
        regressors = [c for c in extra if c not in self.static_features]
        ignoring = [self.models[j].alias for j in self._stat_idx if not self.models[j].uses_exog]
        if regressors and ignoring:
            users = [m.alias for m in self.models if m.is_global or m.uses_exog]
            warnings.warn(
                f"{what} has the exogenous column(s) {regressors}: "
                + (f"used by {users}, " if users else "")
                + f"ignored by {ignoring} (wrap a model in WithRegressors(...) or use "
                "ARIMA/AutoARIMA to use them)",
                ExogenousWarning,
                stacklevel=_caller_stacklevel(),
            )
        if not self._uses_exog:
            return None
        exog, static, dynamic = panel_exog(_pandas(df), panel, self.static_features, what)
        self._features = self._features.with_exog(static, dynamic)
        if self._stat_exog:
            _require_finite_regressors(exog.dynamic, dynamic, panel, what)
        return exog

    def _new_stat_core(self) -> Any:
        names = self._features.dynamic_names
        natives = [
            _native_with_regressors(self.models[j], self.season_length, names)
            for j in self._stat_idx
        ]
        return _core.DemandForecaster(natives) if natives else None

    def _new_ml_core(self) -> Any:
        return self._features.core([self.models[j]._native(7) for j in self._ml_idx])

    def _fit_panel(self, panel: Panel, exog: Exog | None) -> None:
        core = self._new_stat_core()
        if core is not None:
            with Progress(
                "fitting",
                panel.n_series,
                lambda: core.progress,
                self.verbose and panel.n_series > 1,
            ):
                core.fit(panel.y, panel.offsets, self._stat_x(exog))
        ml = None
        if self._ml_idx:
            assert exog is not None
            ml = self._new_ml_core()
            with Progress("training", ml.total_work, lambda: ml.progress, self.verbose):
                try:
                    ml.fit(panel.y, panel.offsets, exog.days, exog.dynamic, exog.statics)
                except InvalidSeriesError as e:
                    raise _rename_culprit(e, panel.ids, "series") from None
        self._core = core
        self._ml = ml
        self._ml_sigma = None
        self._exog = exog
        self._ids = panel.ids
        self._last_ds = panel.last_ds
        self._y = panel.y
        self._offsets = panel.offsets
        self._errors = {}
        self._fitted_cache = None

    def _stat_x(self, exog: Exog | None) -> np.ndarray | None:
        """The regressors the statistical models take (None when none uses them)."""
        return exog.dynamic if exog is not None and self._stat_exog else None

    def _require_fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if self._ids is None or self._last_ds is None:
            raise NotFittedError("this DemandForecaster is not fitted yet: call fit(df) first")
        return self._ids, self._last_ds

    @property
    def is_fitted(self) -> bool:
        """Whether :meth:`fit` has been called."""
        return self._ids is not None

    @property
    def model_names(self) -> list[str]:
        """The output column of each model."""
        return [m.alias for m in self.models]

    # --------------------------------------------------------------- predicting
    def predict(
        self,
        h: int,
        level: Sequence[float] | None = None,
        quantiles: Sequence[float] | None = None,
        X_df: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Forecast ``h`` periods past each series' last date.

        Args:
            h: horizon in periods (>= 1).
            level: interval levels in (0, 100), e.g. ``[80, 95]``: adds
                ``<model>-lo-<level>`` and ``<model>-hi-<level>`` columns. ETS models
                (``AutoETS``, ``Holt``, ``HoltWinters``) take them from their fitted
                state-space model: exact normal moments for additive components (classes 1
                and 2 of Hyndman et al. 2008), quantiles of 5,000 seeded simulated paths
                for a multiplicative season or trend, and a random walk ``±z·σ·√k`` for
                series that fell back to ``Naive``. Every other model gets conformal
                intervals from rolling-origin errors (see :mod:`shelfcast._uncertainty`),
                refitting it at ``conformal_windows`` cutoffs.
            quantiles: quantile levels in (0, 1), e.g. ``[0.5, 0.9]``: adds
                ``<model>-q-<100·q>`` columns (e.g. ``CrostonSBA-q-90``), from the same
                distribution as the intervals.
            X_df: future values of the exogenous columns: ``unique_id``, ``ds`` and every
                regressor (the training frame's extra numeric columns, for ``ARIMA``,
                ``AutoARIMA`` and ``WithRegressors(...)``) or dynamic feature (global
                models), one row per series and future date (step ``k`` uses its own row).
                Required when a model uses regressors or dynamic features, ignored
                otherwise.

        Returns:
            DataFrame ``unique_id, ds, <model alias>..., [intervals], [quantiles]`` with ``h``
            rows per series. Lower bounds and quantiles are clipped at 0.

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: ``h``, a level or a quantile is out of range, or ``X_df``
                is missing although needed.
            InvalidInputError: ``X_df`` lacks rows for a series (names it and the dates).
        """
        return self._predict_as(self._frame_style, h, level, quantiles, X_df)

    def _predict_as(
        self,
        style: _polars.FrameStyle,
        h: int,
        level: Sequence[float] | None = None,
        quantiles: Sequence[float] | None = None,
        X_df: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """:meth:`predict` returning frames of ``style`` (ReorderPlanner asks for pandas)."""
        ids, last = self._require_fitted()
        h = _check_horizon(h)
        levels = _check_levels(level)
        probs = _check_quantiles(quantiles)
        future_ds = future_dates(last, h, self._offset)
        dyn = self._future_exog(X_df, ids, future_ds, h)
        cols = self._predict_columns(h, levels, probs, future_ds, dyn)
        return _polars.build(cols, style)

    def _future_exog(
        self, X_df: Any, ids: np.ndarray, future_ds: np.ndarray, h: int
    ) -> np.ndarray | None:
        """The (n_series * h, n_regressors) future exogenous rows (None when unused)."""
        if not self._uses_exog:
            return None
        names = self._features.dynamic_names
        dyn = future_dynamic(_pandas(X_df, "X_df"), ids, future_ds, h, names)
        if self._stat_exog:
            _require_finite_future(dyn, names, ids, future_ds, h)
        return dyn

    def _point(self, h: int, future_ds: np.ndarray, dyn: np.ndarray | None) -> np.ndarray:
        """(n_series * h, n_models) point forecasts, in model order."""
        assert self._ids is not None
        x_future = dyn if self._stat_exog else None
        if self._ml is None and self._core is not None:  # only statistical models, in order
            return np.asarray(self._core.predict(h, x_future))
        values = np.empty((len(self._ids) * h, len(self.models)))
        if self._core is not None:
            values[:, self._stat_idx] = self._core.predict(h, x_future)
        if self._ml is not None:
            assert dyn is not None
            try:
                values[:, self._ml_idx] = self._ml.predict(h, days_of(future_ds), dyn)
            except InvalidSeriesError as e:
                raise _rename_culprit(e, self._ids, "series") from None
        return values

    def _sigmas(self) -> np.ndarray:
        """(n_series, n_models) in-sample one-step RMSE."""
        assert self._ids is not None
        sig = np.empty((len(self._ids), len(self.models)))
        if self._core is not None:
            sig[:, self._stat_idx] = self._core.sigmas()
        if self._ml is not None:
            if self._ml_sigma is None:
                assert self._exog is not None
                e = self._exog
                self._ml_sigma = self._ml.sigmas(
                    self._y, self._offsets, e.days, e.dynamic, e.statics
                )
            sig[:, self._ml_idx] = self._ml_sigma
        return sig

    def _predict_columns(
        self,
        h: int,
        levels: list[float],
        probs: list[float],
        future_ds: np.ndarray,
        dyn: np.ndarray | None,
    ) -> dict[str, np.ndarray]:
        ids, _ = self._require_fitted()
        values = self._point(h, future_ds, dyn)
        out: dict[str, np.ndarray] = {"unique_id": np.repeat(ids, h), "ds": future_ds}
        for j, name in enumerate(self.model_names):
            out[name] = values[:, j]
        if levels or probs:
            n = len(ids)
            cuts = _uncertainty.level_cuts(levels) if levels else []
            dist = self._distribution_models()
            conformal = [j for j in range(len(self.models)) if j not in dist]
            errors = self._rolling_errors(h, self.conformal_windows, h) if conformal else None
            sigma = self._sigmas()
            for j, name in enumerate(self.model_names):
                if j in dist:
                    qs = self._model_quantiles(j, h, cuts + probs, dyn)
                else:
                    assert errors is not None
                    mean = values[:, j].reshape(n, h)
                    qs = _uncertainty.conformal_quantiles(
                        mean, errors[j], sigma[:, j], cuts + probs, self.conformal
                    )
                lows = sorted(levels, reverse=True)
                for c, lv in enumerate(lows):
                    out[f"{name}-lo-{_fmt(lv)}"] = qs[c].reshape(-1)
                for c, lv in enumerate(sorted(levels)):
                    out[f"{name}-hi-{_fmt(lv)}"] = qs[len(lows) + c].reshape(-1)
                for c, p in enumerate(probs):
                    out[f"{name}-q-{_fmt(100 * p)}"] = qs[len(cuts) + c].reshape(-1)
        return out

    def _distribution_models(self) -> list[int]:
        """Indices of the models with a model-based forecast distribution (ETS)."""
        if self._core is None:
            return []
        flags = self._core.has_distribution()
        return [j for j, has in zip(self._stat_idx, flags, strict=True) if has]

    def _model_quantiles(
        self, j: int, h: int, probs: list[float], dyn: np.ndarray | None = None
    ) -> np.ndarray:
        """(len(probs), n_series, h) quantiles of model ``j``'s own forecast distribution
        (ETS: analytic or simulated with a fixed seed), clipped at 0; ``dyn``: the future
        regressors."""
        raw = self._raw_model_quantiles(j, h, probs, dyn)
        return np.asarray(np.maximum(raw, 0.0))

    def _raw_model_quantiles(
        self, j: int, h: int, probs: list[float], dyn: np.ndarray | None = None
    ) -> np.ndarray:
        """As :meth:`_model_quantiles`, not clipped (negative demand possible)."""
        k = self._stat_idx.index(j)
        x_future = dyn if self._stat_exog else None
        flat = np.asarray(
            self._core.model_quantiles(k, h, list(probs), _DISTRIBUTION_SEED, x_future)
        )
        return flat.reshape(-1, len(probs), h).transpose(1, 0, 2)

    def _rolling_errors(self, h: int, n_windows: int, step: int) -> np.ndarray:
        """(n_models, n_series, n_windows, h) rolling-origin errors, cached per setting.

        Models with their own forecast distribution (ETS) are not refitted: NaN rows."""
        key = (h, n_windows, step)
        if key not in self._errors:
            assert self._y is not None and self._offsets is not None
            n = len(self._offsets) - 1
            errors = np.full((len(self.models), n, n_windows, h), np.nan)
            dist = set(self._distribution_models())
            refit = [k for k, j in enumerate(self._stat_idx) if j not in dist]
            if refit:
                # one native call without a counter: the bar shows it runs, then its time
                with Progress("rolling-origin refits", 1, lambda: 0, self.verbose and n > 1):
                    flat = self._core.rolling_errors(
                        self._y, self._offsets, h, n_windows, step, refit, self._stat_x(self._exog)
                    )
                rows = [self._stat_idx[k] for k in refit]
                errors[rows] = flat.reshape(len(refit), n, n_windows, h)
            if self._ml is not None:
                errors[self._ml_idx] = self._ml_rolling_errors(h, n_windows, step)
            self._errors[key] = errors
        return self._errors[key]

    def _ml_rolling_errors(self, h: int, n_windows: int, step: int) -> np.ndarray:
        """Errors of the global models, refitted at each cutoff (series too short: NaN)."""
        assert self._y is not None and self._offsets is not None and self._exog is not None
        assert self._ids is not None
        lengths = np.diff(self._offsets)
        n = len(lengths)
        out = np.full((len(self._ml_idx), n, n_windows, h), np.nan)
        panel = Panel(
            ids=self._ids,
            offsets=self._offsets,
            y=self._y,
            ds=self._exog.days.astype("datetime64[D]").astype("datetime64[ns]"),
            order=None,
        )
        done = [0]
        progress = Progress("conformal windows", n_windows, lambda: done[0], self.verbose)
        with progress:
            for w in range(n_windows):
                self._ml_window(panel, w, n_windows, h, step, out)
                done[0] += 1
        return out

    def _ml_window(
        self, panel: Panel, w: int, n_windows: int, h: int, step: int, out: np.ndarray
    ) -> None:
        """Refit the global models at conformal window ``w``; write its errors to ``out``."""
        assert self._y is not None and self._offsets is not None and self._exog is not None
        lengths = np.diff(self._offsets)
        back = h + (n_windows - 1 - w) * step
        keep = lengths > back
        if not keep.any():
            return
        starts = self._offsets[:-1][keep]
        train_len = lengths[keep] - back
        sub = _slice_panel(panel, keep, starts, train_len)
        test_idx = ((starts + train_len)[:, None] + np.arange(h)[None, :]).reshape(-1)
        assert sub.order is not None
        sub_exog = self._exog.rows(sub.order, keep)
        ml = self._new_ml_core()
        try:
            ml.fit(sub.y, sub.offsets, sub_exog.days, sub_exog.dynamic, sub_exog.statics)
        except InvalidParameterError:
            log.info("conformal window %d: too little history for the global models", w)
            return
        try:
            pred = ml.predict(h, self._exog.days[test_idx], self._exog.dynamic[test_idx])
        except InvalidSeriesError as e:
            raise _rename_culprit(e, sub.ids, f"conformal window {w}, series") from None
        actual = self._y[test_idx]
        err = actual[:, None] - pred  # (n_kept * h, n_ml)
        out[:, keep, w, :] = err.T.reshape(len(self._ml_idx), int(keep.sum()), h)

    def sample_paths(
        self,
        h: int,
        n_paths: int = 1000,
        seed: int | None = 0,
        model: str | None = None,
        X_df: pd.DataFrame | None = None,
    ) -> np.ndarray:
        """Simulated future demand paths per series.

        ETS models (``AutoETS``, ``Holt``, ``HoltWinters``) simulate their fitted
        state-space model forward: each step draws an error ``ε ~ N(0, σ²)`` (relative for
        multiplicative errors) and updates the level, trend and seasonal states with the
        model's own equations (series that fell back to ``Naive``: a normal random walk with
        their one-step RMSE). For every other model each path is the point forecast plus the
        error trajectory of a randomly drawn rolling-origin window (``path_windows``
        cutoffs, 1 period apart; for global models, which are refitted at every cutoff, the
        ``conformal_windows`` cutoffs ``h`` apart); series too short for any window get
        normal random-walk errors with their one-step RMSE. Paths are clipped at 0, and keep
        their serial dependence, so the sum over a lead time has a realistic distribution
        (no sum of per-step quantiles). Models that use exogenous regressors need their
        future values in ``X_df``; a regressor shifts every path of a step by its effect.

        Args:
            h: horizon in periods.
            n_paths: paths per series.
            seed: random seed (a non-negative integer, reproducible); None for fresh
                entropy.
            model: model alias (default: the first model).
            X_df: future regressors, as in :meth:`predict` (needed when the models use
                regressors).

        Returns:
            float64 array of shape (n_series, n_paths, h), series in ``unique_ids`` order.

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: invalid ``h``, ``n_paths``, ``seed`` or ``model``, or
                ``X_df`` missing although needed.
            InvalidInputError: ``X_df`` lacks rows or values (names the series and dates).
        """
        ids, last = self._require_fitted()
        h = _check_horizon(h)
        n_paths = _positive_int("n_paths", n_paths)
        if seed is not None:
            seed = _seed_u64(seed)
        j = self._model_index(model)
        future_ds = future_dates(last, h, self._offset)
        dyn = self._future_exog(X_df, ids, future_ds, h)
        if self.models[j].is_global:
            mean = self._point(h, future_ds, dyn)[:, j].reshape(len(ids), h)
            errors = self._rolling_errors(h, self.conformal_windows, h)[j]
        elif j in self._distribution_models():
            k = self._stat_idx.index(j)
            if seed is None:
                seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
            x_future = dyn if self._stat_exog else None
            flat = np.asarray(self._core.model_paths(k, h, n_paths, seed, x_future))
            return np.asarray(np.maximum(flat.reshape(len(ids), n_paths, h), 0.0))
        else:
            k = self._stat_idx.index(j)
            x_future = dyn if self._stat_exog else None
            mean = self._core.predict(h, x_future)[:, k].reshape(len(ids), h)
            errors = self._rolling_errors(h, self.path_windows, 1)[j]
        rng = np.random.default_rng(seed)
        return _uncertainty.sample_paths(mean, errors, n_paths, rng, self._sigmas()[:, j])

    @property
    def unique_ids(self) -> np.ndarray:
        """The fitted series ids, in the order of every per-series output.

        Raises:
            NotFittedError: called before :meth:`fit`.
        """
        ids, _ = self._require_fitted()
        return ids

    def _model_index(self, model: str | None) -> int:
        if model is None:
            return 0
        if model not in self.model_names:
            raise InvalidParameterError(
                f"model {model!r} is not in this forecaster; it has {self.model_names}"
            )
        return self.model_names.index(model)

    def forecast(
        self,
        df: pd.DataFrame,
        h: int,
        level: Sequence[float] | None = None,
        quantiles: Sequence[float] | None = None,
        X_df: pd.DataFrame | None = None,
        fitted: bool = False,
    ) -> pd.DataFrame:
        """Fit on ``df`` and forecast ``h`` periods in one call.

        Args:
            df: long-format frame with ``unique_id``, ``ds``, ``y`` (and exogenous columns).
            h: horizon in periods.
            level, quantiles, X_df: as in :meth:`predict`.
            fitted: keep the in-sample fitted values for :meth:`forecast_fitted_values`
                (as in :meth:`fit`).

        Returns:
            Same as :meth:`predict`.

        Raises:
            Same as :meth:`fit` and :meth:`predict`.
        """
        _check_horizon(h)
        _check_levels(level)
        _check_quantiles(quantiles)
        return self.fit(df, fitted=fitted).predict(h, level=level, quantiles=quantiles, X_df=X_df)

    # ------------------------------------------------- fitted values and update
    def forecast_fitted_values(self, level: Sequence[float] | None = None) -> pd.DataFrame:
        """In-sample one-step-ahead fitted values of every model, one row per observation
        of the history (the training frame, plus what :meth:`update` appended).

        Each statistical model's fitted value at ``t`` is its forecast of ``y_t`` made
        from ``y_1..y_{t-1}`` with the fitted parameters (the model's filter re-run with
        them, the same filter :meth:`update` runs; definitions and the deliberate
        differences from statsforecast in each model's docstring); NaN where the model has
        no such forecast (the first observation of ``Naive``, the first season of
        ``SeasonalNaive``, before the first demand of Croston and TSB, ...). Global models
        give their prediction of each training row from its actual lags (teacher forcing),
        inverted through the target transforms; NaN for rows they could not score (lags
        reaching before the series start, with ``dropna``).

        Computed when called, unless :meth:`fit` or :meth:`forecast` got ``fitted=True``
        (then computed once at fit and at every :meth:`update`); the numbers are the same.

        Args:
            level: interval levels in (0, 100): adds ``<model>-lo-<level>`` and
                ``<model>-hi-<level>``, ``fitted ∓ z·σ`` with ``z`` the standard normal
                ``0.5 + level/200`` quantile and ``σ`` the model's in-sample one-step RMSE on
                the series (:meth:`residual_std`); lower bounds clipped at 0.

        Returns:
            DataFrame ``unique_id, ds, y, <model alias>..., [intervals]`` sorted by series
            and date: the fitted values in model order, then per model its lower bounds
            (widest first) and upper bounds (narrowest first).

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: a level is out of range.
            ModelFormatError: the forecaster was saved by an older shelfcast (model
                format 2), whose state has no frozen parameters: refit it.
        """
        ids, last = self._require_fitted()
        levels = _check_levels(level)
        assert self._y is not None and self._offsets is not None
        values = self._fitted_cache if self._fitted_cache is not None else self._fitted_values()
        lengths = np.diff(self._offsets)
        cols: dict[str, np.ndarray] = {
            "unique_id": np.repeat(ids, lengths),
            "ds": _update.history_dates(last, lengths, self._offset),
            "y": self._y,
        }
        cols.update(
            _update.fitted_columns(self.model_names, values, self._sigmas(), lengths, levels, _fmt)
        )
        return _polars.build(cols, self._frame_style)

    def _fitted_values(self) -> np.ndarray:
        """(n_observations, n_models) in-sample fitted values, in model order."""
        assert self._y is not None and self._offsets is not None and self._ids is not None
        values = np.empty((len(self._y), len(self.models)))
        if self._core is not None:
            values[:, self._stat_idx] = self._core.fitted_values(
                self._y, self._offsets, self._stat_x(self._exog)
            )
        if self._ml is not None:
            assert self._exog is not None
            e = self._exog
            try:
                values[:, self._ml_idx] = self._ml.fitted_values(
                    self._y, self._offsets, e.days, e.dynamic, e.statics
                )
            except InvalidSeriesError as err:
                raise _rename_culprit(err, self._ids, "series") from None
        return values

    def update(self, new_df: pd.DataFrame) -> DemandForecaster:
        """Append new observations to the fitted series and update every model's state
        without re-estimating any parameter.

        Each model keeps what its fit estimated or selected (smoothing constants, initial
        states, theta, the ETS model, the aggregation level, the seasonal-adjustment
        decision, a fallback, the trained global models...) and re-runs its filter over the
        longer history, recomputing what it computes from the data (levels, means, the last
        season, seasonal indices, residual variances): the forecasts are those of a refit
        with frozen parameters (for models without parameters, those of a plain refit).
        Each model's docstring says what it freezes. Global models keep their trained models
        and append the history, so the recursive forecasts start from the new last
        observations; ``Standardize``'s per-series mean and scale stay those of the training
        data, ``Differences`` use the new last values.

        Afterwards :meth:`predict`, intervals, :meth:`sample_paths`,
        :meth:`forecast_fitted_values`, :meth:`residual_std` and :meth:`save` reflect the
        longer history; the cached rolling-origin errors behind conformal intervals are
        discarded (recomputed, by refitting at the new cutoffs, when next needed).

        Args:
            new_df: long-format frame with the training frame's columns (``unique_id``,
                ``ds``, ``y`` and the exogenous columns the models use): for each series it
                names, the observations right after its last date, without gaps. Series not
                in ``new_df`` keep their state.

        Returns:
            self (updated).

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidInputError: ``new_df`` names a series the forecaster was not fitted on
                (refit to add series), or has exogenous columns it was not fitted with.
            InvalidSeriesError: a series' new rows do not start one period after its last
                date (overlap or gap; names the series and dates), are irregular, or hold
                NaN/inf.
            MissingColumnError, ColumnTypeError, DuplicateRowError: as in :meth:`fit`.
            ModelFormatError: the forecaster was saved by an older shelfcast (model
                format 2), whose state has no frozen parameters: refit it.
        """
        ids, last = self._require_fitted()
        assert self._y is not None and self._offsets is not None
        panel = to_panel(new_df, self._offset, what="new_df")
        pos = _update.series_positions(ids, panel.ids)
        _update.check_continuity(panel, pos, last, self._offset)
        new_exog = None
        if self._uses_exog:
            assert self._exog is not None
            names = self._features.dynamic_names
            new_exog = _update.new_dynamic(
                _pandas(new_df, "new_df"), panel, self.static_features, names
            )
            if self._stat_exog:
                _require_finite_regressors(new_exog[1], names, panel, "new_df")
        full = _update.append(self._y, self._offsets, last, self._exog, panel, pos, new_exog)
        exog = self._exog
        if exog is not None and full.days is not None and full.dynamic is not None:
            exog = Exog(days=full.days, dynamic=full.dynamic, statics=exog.statics)
        core = ml = None
        if self._core is not None:
            x = exog.dynamic if exog is not None and self._stat_exog else None
            core = self._core.updated(full.y, full.offsets, x, full.changed.tolist())
        if self._ml is not None:
            try:
                ml = self._ml.updated(full.y, full.offsets)
            except InvalidSeriesError as e:
                raise _rename_culprit(e, ids, "series") from None
        self._core, self._ml, self._exog = core, ml, exog
        self._y, self._offsets, self._last_ds = full.y, full.offsets, full.last_ds
        self._ml_sigma = None
        self._errors = {}
        self._fitted_cache = self._fitted_values() if self._keep_fitted else None
        log.debug("updated %d series with %d observations", int(full.changed.sum()), len(panel.y))
        return self

    def cross_validation(
        self,
        df: pd.DataFrame,
        h: int,
        n_windows: int = 1,
        step_size: int | None = None,
        level: Sequence[float] | None = None,
    ) -> pd.DataFrame:
        """Rolling-origin evaluation: refit at ``n_windows`` cutoffs and forecast ``h``.

        Window ``w`` (0 = earliest) of a series of length ``n`` trains on its first
        ``n − h − (n_windows − 1 − w)·step_size`` observations, so the last window ends at
        the series' end (statsforecast's layout). Series too short for a window are left out
        of that window (logged at INFO on the ``shelfcast`` logger).

        Args:
            df: long-format frame with ``unique_id``, ``ds``, ``y``.
            h: horizon of each window.
            n_windows: number of windows.
            step_size: periods between cutoffs (default ``h``).
            level: interval levels, computed within each window from its own training data.

        Returns:
            DataFrame ``unique_id, ds, cutoff, y, <model>..., [intervals]``.

        Raises:
            Same as :meth:`fit`; InvalidParameterError for invalid ``h``, ``n_windows``,
            ``step_size``.
        """
        h = _check_horizon(h)
        n_windows = _positive_int("n_windows", n_windows)
        step = h if step_size is None else _positive_int("step_size", step_size)
        levels = _check_levels(level)
        panel = to_panel(df, self._offset)
        clone = self._clone()
        exog = clone._read_exog(df, panel)
        frames: list[dict[str, np.ndarray]] = []
        done = [0]
        progress = Progress("cross-validation", n_windows, lambda: done[0], self.verbose)
        with progress:
            for w in range(n_windows):
                self._cv_window(clone, panel, exog, w, n_windows, h, step, levels, frames)
                done[0] += 1
        if not frames:
            raise InvalidParameterError(
                f"no series is longer than h + (n_windows - 1) * step_size = "
                f"{h + (n_windows - 1) * step} periods"
            )
        cols = {k: np.concatenate([f[k] for f in frames]) for k in frames[0]}
        return _polars.build(cols, _polars.style_of(df))

    def _cv_window(
        self,
        clone: DemandForecaster,
        panel: Panel,
        exog: Exog | None,
        w: int,
        n_windows: int,
        h: int,
        step: int,
        levels: list[float],
        frames: list[dict[str, np.ndarray]],
    ) -> None:
        """Fit and forecast cross-validation window ``w``; append its columns to ``frames``."""
        lengths = panel.lengths
        back = h + (n_windows - 1 - w) * step
        keep = lengths > back
        if not keep.all():
            log.info(
                "cross_validation window %d: %d series shorter than %d periods left out",
                w,
                int((~keep).sum()),
                back + 1,
            )
        if not keep.any():
            return
        starts = panel.offsets[:-1][keep]
        train_len = lengths[keep] - back
        sub = _slice_panel(panel, keep, starts, train_len)
        test_idx = ((starts + train_len)[:, None] + np.arange(h)[None, :]).reshape(-1)
        sub_exog = dyn = None
        if exog is not None:
            assert sub.order is not None
            sub_exog = exog.rows(sub.order, keep)
            dyn = exog.dynamic[test_idx]
        clone._fit_panel(sub, sub_exog)
        fc = clone._predict_columns(h, levels, [], panel.ds[test_idx], dyn)
        cols = {"unique_id": fc.pop("unique_id"), "ds": fc.pop("ds")}
        cols["cutoff"] = np.repeat(sub.last_ds, h)
        cols["y"] = panel.y[test_idx]
        frames.append({**cols, **fc})

    def _clone(self) -> DemandForecaster:
        clone = DemandForecaster(
            self.models,
            freq=self.freq,
            season_length=self.season_length,
            conformal_windows=self.conformal_windows,
            conformal=self.conformal,
            path_windows=self.path_windows,
            verbose=False,
            lags=[1],
        )
        clone._features = self._features
        clone.static_features = list(self.static_features)
        return clone

    def save(self, path: str | Path) -> None:
        """Save the fitted forecaster to ``path`` in shelfcast's versioned format.

        The file is a numpy ``.npz`` archive (no pickle inside: loading executes no code)
        holding a JSON header (format version, shelfcast version, models, settings), the
        series ids and last dates, the training values and the native fitted state.

        Args:
            path: destination file.

        Raises:
            NotFittedError: called before :meth:`fit`.
        """
        self._require_fitted()
        _persist.save(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> DemandForecaster:
        """Load a forecaster written by :meth:`save`.

        Args:
            path: the file.

        Returns:
            The fitted forecaster.

        Raises:
            ModelFormatError: the file is not a shelfcast model, is truncated or corrupt, or
                was written by a newer shelfcast.
            FileNotFoundError: the file does not exist.
        """
        return _persist.load(cls, Path(path))

    def residual_std(self) -> pd.DataFrame:
        """In-sample one-step-ahead forecast error (RMSE) per series and model.

        Used by :class:`shelfcast.ReorderPlanner` as the per-period demand uncertainty.

        Returns:
            DataFrame ``unique_id, <model alias>...``.

        Raises:
            NotFittedError: called before :meth:`fit`.
        """
        return self._residual_std_as(self._frame_style)

    def _residual_std_as(self, style: _polars.FrameStyle) -> pd.DataFrame:
        """:meth:`residual_std` returning a frame of ``style``."""
        ids, _ = self._require_fitted()
        sig = self._sigmas()
        out = {"unique_id": ids, **{name: sig[:, j] for j, name in enumerate(self.model_names)}}
        return _polars.build(out, style)

    @property
    def fallbacks_(self) -> pd.DataFrame:
        """Series that could not use a model and got a simpler one, and why.

        Returns:
            DataFrame ``unique_id, model, reason`` (empty when nothing fell back).

        Raises:
            NotFittedError: called before :meth:`fit`.
        """
        ids, _ = self._require_fitted()
        codes = np.zeros((len(ids), len(self.models)), dtype=np.int64)
        if self._core is not None:
            codes[:, self._stat_idx] = self._core.fallbacks().astype(np.int64)
        rows_i, rows_m = np.nonzero(codes)
        names = np.array(self.model_names, dtype=object)
        reasons = [_FALLBACK_REASONS[c] for c in codes[rows_i, rows_m]]
        return _polars.build(
            {
                "unique_id": ids[rows_i],
                "model": names[rows_m],
                "reason": np.array(reasons, dtype=object),
            },
            self._frame_style,
        )

    def arima_models(self, model: str | None = None) -> pd.DataFrame:
        """The ARIMA model each series uses under an ``ARIMA`` or ``AutoARIMA`` model.

        Args:
            model: alias of the model (default: the first ARIMA or AutoARIMA model).

        Returns:
            DataFrame ``unique_id, arima, p, d, q, P, D, Q, season_length, intercept, drift,
            aicc, sigma2, loglik, coefficients`` (one row per series; ``arima`` reads like
            ``"ARIMA(1,1,1)(0,1,1)[7] with drift"``; ``coefficients`` is a dict by name, the
            regressors under their column names). Series that fell back to another model
            (see ``fallbacks_``) have ``arima`` empty and NaN elsewhere.

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: ``model`` is not an ARIMA or AutoARIMA model of this
                forecaster (or there is none).
        """
        ids, _ = self._require_fitted()
        arimas = [j for j in self._stat_idx if self.models[j].name in ("ARIMA", "AutoARIMA")]
        if model is None:
            if not arimas:
                raise InvalidParameterError("this forecaster has no ARIMA or AutoARIMA model")
            j = arimas[0]
        else:
            j = self._model_index(model)
            if j not in arimas:
                raise InvalidParameterError(
                    f"model {model!r} is not an ARIMA or AutoARIMA model of this forecaster"
                )
        info, coefs = self._core.arima_models(self._stat_idx.index(j))
        names = self._features.dynamic_names
        cols = ["p", "d", "q", "P", "D", "Q", "season_length", "intercept", "drift"]
        regressed = [d is not None and any(k.startswith("ex_") for k in d) for d in coefs]
        out: dict[str, Any] = {
            "unique_id": ids,
            "arima": [_arima_string(r, x) for r, x in zip(info, regressed, strict=True)],
        }
        for c, name in enumerate(cols):
            out[name] = info[:, c]
        for c, name in enumerate(["aicc", "sigma2", "loglik"], start=len(cols)):
            out[name] = info[:, c]
        out["coefficients"] = np.array(
            [None if d is None else {_coef_name(k, names): v for k, v in d.items()} for d in coefs],
            dtype=object,
        )
        frame = pd.DataFrame(out)
        for name in cols:
            frame[name] = frame[name].astype("Int64" if frame[name].isna().any() else np.int64)
        for name in ("intercept", "drift"):
            frame[name] = frame[name].astype("boolean" if frame[name].isna().any() else bool)
        return _polars.to_polars(frame, self._frame_style) if self._frame_style.polars else frame

    def feature_importances(self) -> pd.DataFrame:
        """Feature importances of the global models (normalised to sum to 1 per model).

        Split gain for the tree models, ``|coefficient| × feature std`` for linear models.

        Returns:
            DataFrame indexed by feature name with one column per global model alias.

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: the forecaster has no global model.
        """
        self._require_fitted()
        if self._ml is None:
            raise InvalidParameterError("feature_importances needs a global (ML) model")
        imp = self._ml.feature_importances()
        names = [self.model_names[j] for j in self._ml_idx]
        out = pd.DataFrame(
            imp.T, index=pd.Index(self._ml.feature_names, name="feature"), columns=names
        )
        # polars has no index: there the feature names are the first column, ``feature``
        return _polars.to_polars(out, self._frame_style) if self._frame_style.polars else out

    @property
    def feature_names(self) -> list[str]:
        """Feature names of the global models, in column order (exogenous ones after fit)."""
        if self._ml is not None:
            return list(self._ml.feature_names)
        return list(self._new_ml_core().feature_names) if self._ml_idx else []

    def feature_matrix(self, df: pd.DataFrame) -> pd.DataFrame:
        """The global models' full feature matrix of ``df`` (every row; NaN where a lag
        reaches before the series starts), on the transformed target.

        Args:
            df: long-format training frame (with its exogenous columns).

        Returns:
            DataFrame ``unique_id, ds, y, <features>...`` sorted by series and date; ``y``
            is the transformed target.

        Raises:
            InvalidParameterError: the forecaster has no global model.
            Same as :meth:`fit` for invalid frames.
        """
        if not self._ml_idx:
            raise InvalidParameterError("feature_matrix needs a global (ML) model")
        panel = to_panel(df, self._offset)
        exog, static, dynamic = panel_exog(_pandas(df), panel, self.static_features)
        core = self._features.with_exog(static, dynamic).core(
            [self.models[j]._native(7) for j in self._ml_idx]
        )
        try:
            x, z, series, pos = core.feature_matrix(
                panel.y, panel.offsets, exog.days, exog.dynamic, exog.statics
            )
        except InvalidSeriesError as e:
            raise _rename_culprit(e, panel.ids, "series") from None
        rows = panel.offsets[:-1][series] + pos
        out = {"unique_id": panel.ids[series], "ds": panel.ds[rows], "y": z}
        for j, name in enumerate(core.feature_names):
            out[name] = x[:, j]
        return _polars.build(out, _polars.style_of(df))

    def __repr__(self) -> str:
        fitted = "" if self._ids is None else f", fitted on {len(self._ids)} series"
        conformal = "" if self.conformal == "pooled" else f", conformal={self.conformal!r}"
        feats = ""
        if self._ml_idx:
            f = self._features
            feats = f", lags={f.lags}, date_features={f.date_features}"
        return (
            f"DemandForecaster(models={self.models!r}, freq={self.freq!r}, "
            f"season_length={self.season_length}{conformal}{feats}{fitted})"
        )


def _native_with_regressors(
    model: Any, season_length: int, regressors: list[str]
) -> tuple[str, dict[str, float], dict[str, str]]:
    """``model``'s native triple; ARIMA's ``fixed`` regressor names become ``ex_<j>``."""
    native: tuple[str, dict[str, float], dict[str, str]] = model._native(season_length)
    fixed = native[2].get("fixed")
    if model.name != "ARIMA" or not fixed:
        return native
    parts = []
    for part in fixed.split(","):
        name, value = part.split("=", 1)
        if name in regressors:
            name = f"ex_{regressors.index(name) + 1}"
        elif not _is_arma_coefficient(name):
            if not regressors:  # validated again at fit, once the columns are known
                continue
            raise InvalidParameterError(
                f"fixed coefficient {name!r} is neither an ARIMA coefficient nor a regressor "
                f"column (the regressors are {regressors})"
            )
        parts.append(f"{name}={value}")
    text = dict(native[2])
    if parts:
        text["fixed"] = ",".join(parts)
    else:
        text.pop("fixed")
    return (native[0], native[1], text)


def _is_arma_coefficient(name: str) -> bool:
    return (
        name in ("intercept", "drift")
        or re.fullmatch(r"(ar|ma|sar|sma|ex_)[1-9]\d*", name) is not None
    )


def _coef_name(name: str, regressors: list[str]) -> str:
    if name.startswith("ex_") and name[3:].isdigit() and int(name[3:]) <= len(regressors):
        return regressors[int(name[3:]) - 1]
    return name


def _arima_string(row: np.ndarray, regressed: bool = False) -> str:
    """statsforecast's / R's model string, e.g. ``ARIMA(1,1,1)(0,1,1)[7] with drift`` or
    ``Regression with ARIMA(1,0,1) errors`` (a series whose regressors were used)."""
    if np.isnan(row[0]):
        return ""
    p, d, q, sp, sd, sq, m = (int(v) for v in row[:7])
    text = f"ARIMA({p},{d},{q})"
    if sp + sd + sq:
        text += f"({sp},{sd},{sq})[{m}]"
    if regressed:
        return f"Regression with {text} errors"
    if row[8]:
        text += " with drift"
    elif row[7]:
        text += " with non-zero mean"
    elif d + sd == 0:
        text += " with zero mean"
    return text


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside shelfcast (so a warning points at the
    user's call, however deep inside the package it is raised)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("shelfcast"):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _columns(df: Any) -> list[str]:
    """Column names of a pandas or polars frame (empty for anything else)."""
    return [str(c) for c in getattr(df, "columns", [])]


def _require_finite_regressors(x: np.ndarray, names: list[str], panel: Panel, what: str) -> None:
    """Regressors of the statistical models must be finite (names column, series, date)."""
    bad = ~np.isfinite(x)
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        sid = panel.ids[np.searchsorted(panel.offsets, row, side="right") - 1]
        raise InvalidInputError(
            f"{what} column {names[col]!r} is missing or not finite for series {sid!r} at "
            f"{pd.Timestamp(panel.ds[row])}: the statistical models that use regressors "
            "need every value"
        )


def _require_finite_future(
    x: np.ndarray, names: list[str], ids: np.ndarray, future_ds: np.ndarray, h: int
) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        raise InvalidInputError(
            f"X_df column {names[col]!r} is missing or not finite for series {ids[row // h]!r} "
            f"at {pd.Timestamp(future_ds[row])}"
        )


def _pandas(df: Any, what: str = "df") -> Any:
    """``df`` itself, or a polars frame converted to pandas (for the exogenous columns)."""
    return _polars.to_pandas(df, what) if _polars.is_polars(df) else df


_DISTRIBUTION_SEED = 0
"""Seed of the simulated ETS distributions behind ``predict``'s intervals (reproducible)."""


def _seed_u64(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidParameterError(f"seed must be a non-negative integer or None, got {seed!r}")
    return int(seed) % (1 << 64)


def _positive_int(name: str, v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise InvalidParameterError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def _check_levels(level: Sequence[float] | None) -> list[float]:
    if level is None:
        return []
    out = []
    for lv in level:
        if isinstance(lv, bool) or not isinstance(lv, (int, float, np.number)) or not 0 < lv < 100:
            raise InvalidParameterError(f"level values must be in (0, 100), got {lv!r}")
        out.append(float(lv))
    if len(set(out)) != len(out):
        raise InvalidParameterError(f"level has duplicates: {list(level)}")
    return out


def _check_quantiles(quantiles: Sequence[float] | None) -> list[float]:
    if quantiles is None:
        return []
    out = []
    for q in quantiles:
        if isinstance(q, bool) or not isinstance(q, (int, float, np.number)) or not 0 < q < 1:
            raise InvalidParameterError(f"quantiles must be in (0, 1), got {q!r}")
        out.append(float(q))
    if len(set(out)) != len(out):
        raise InvalidParameterError(f"quantiles has duplicates: {list(quantiles)}")
    return out


def _fmt(v: float) -> str:
    """80.0 -> '80', 97.5 -> '97.5' (column-name formatting)."""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _slice_panel(panel: Panel, keep: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> Panel:
    """The first ``lengths[i]`` observations of each kept series."""
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    idx = np.arange(offsets[-1]) + np.repeat(starts - offsets[:-1], lengths)
    return Panel(
        ids=panel.ids[keep],
        offsets=offsets,
        y=np.ascontiguousarray(panel.y[idx]),
        ds=panel.ds[idx],
        order=idx,
    )


def _check_horizon(h: object) -> int:
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
        raise InvalidParameterError(f"h must be a positive integer, got {h!r}")
    return int(h)
