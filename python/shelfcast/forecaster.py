"""`DemandForecaster`: many per-series models on many series, fitted natively."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import _core, _persist, _uncertainty
from ._frame import Panel, future_dates, parse_freq, to_panel
from ._progress import Progress
from .exceptions import InvalidParameterError, NotFittedError
from .models import Model, resolve_models

log = logging.getLogger("shelfcast")

__all__ = ["DemandForecaster"]

_FALLBACK_REASONS = dict(_core.fallback_reasons())


class DemandForecaster:
    """Fit statistical demand models on many series at once (native, parallel, GIL released).

    Input is long format like statsforecast's: one row per series and period with columns
    ``unique_id`` (str or int), ``ds`` (datetime64) and ``y`` (numeric). Every series must be
    regular at ``freq`` (fill periods without sales with 0 first).

    Args:
        models: list of :mod:`shelfcast.models` objects or model names.
        freq: pandas frequency of the series ("D", "W-SUN", "MS", ...).
        season_length: default season length for seasonal models that do not set one.
        conformal_windows: rolling-origin windows (``h`` periods apart) whose errors give
            the conformal intervals and quantiles of :meth:`predict`.
        path_windows: rolling-origin windows (1 period apart) whose error trajectories
            :meth:`sample_paths` resamples.
        verbose: show a progress bar on stderr while fitting.

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
        path_windows: int = 50,
        verbose: bool = False,
    ) -> None:
        self.models = resolve_models(models)
        self.conformal_windows = _positive_int("conformal_windows", conformal_windows)
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
        self._core = _core.DemandForecaster([m._native(self.season_length) for m in self.models])
        self._ids: np.ndarray | None = None
        self._last_ds: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._offsets: np.ndarray | None = None
        self._errors: dict[tuple[int, int, int], np.ndarray] = {}

    # ------------------------------------------------------------------ fitting
    def fit(self, df: pd.DataFrame) -> DemandForecaster:
        """Fit every model on every series of ``df``.

        Args:
            df: long-format frame with ``unique_id``, ``ds``, ``y``.

        Returns:
            self (fitted).

        Raises:
            MissingColumnError: a required column is absent.
            ColumnTypeError: ``ds`` is not datetime or ``y`` is not numeric.
            InvalidSeriesError: NaN/inf in ``y`` or a gap in a series' calendar (names the
                series and date).
            DuplicateRowError: a (unique_id, ds) pair appears twice.
        """
        panel = to_panel(df, self._offset)
        self._fit_panel(panel)
        return self

    def _fit_panel(self, panel: Panel) -> None:
        core = _core.DemandForecaster([m._native(self.season_length) for m in self.models])
        with Progress(
            "fitting", panel.n_series, lambda: core.progress, self.verbose and panel.n_series > 1
        ):
            core.fit(panel.y, panel.offsets)
        self._core = core
        self._ids = panel.ids
        self._last_ds = panel.last_ds
        self._y = panel.y
        self._offsets = panel.offsets
        self._errors = {}

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
    ) -> pd.DataFrame:
        """Forecast ``h`` periods past each series' last date.

        Args:
            h: horizon in periods (>= 1).
            level: interval levels in (0, 100), e.g. ``[80, 95]``: adds
                ``<model>-lo-<level>`` and ``<model>-hi-<level>`` columns (conformal
                intervals from rolling-origin errors; see :mod:`shelfcast._uncertainty`).
            quantiles: quantile levels in (0, 1), e.g. ``[0.5, 0.9]``: adds
                ``<model>-q-<100·q>`` columns (e.g. ``CrostonSBA-q-90``).

        Returns:
            DataFrame ``unique_id, ds, <model alias>..., [intervals], [quantiles]`` with ``h``
            rows per series. Lower bounds and quantiles are clipped at 0.

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: ``h``, a level or a quantile is out of range.
        """
        ids, last = self._require_fitted()
        h = _check_horizon(h)
        levels = _check_levels(level)
        probs = _check_quantiles(quantiles)
        values = self._core.predict(h)
        out = pd.DataFrame(
            {"unique_id": np.repeat(ids, h), "ds": future_dates(last, h, self._offset)}
        )
        for j, name in enumerate(self.model_names):
            out[name] = values[:, j]
        if levels or probs:
            n = len(ids)
            cuts = _uncertainty.level_cuts(levels) if levels else []
            errors = self._rolling_errors(h, self.conformal_windows, h)
            sigma = self._core.sigmas()
            for j, name in enumerate(self.model_names):
                mean = values[:, j].reshape(n, h)
                qs = _uncertainty.conformal_quantiles(mean, errors[j], sigma[:, j], cuts + probs)
                lows = sorted(levels, reverse=True)
                for c, lv in enumerate(lows):
                    out[f"{name}-lo-{_fmt(lv)}"] = qs[c].reshape(-1)
                for c, lv in enumerate(sorted(levels)):
                    out[f"{name}-hi-{_fmt(lv)}"] = qs[len(lows) + c].reshape(-1)
                for c, p in enumerate(probs):
                    out[f"{name}-q-{_fmt(100 * p)}"] = qs[len(cuts) + c].reshape(-1)
        return out

    def _rolling_errors(self, h: int, n_windows: int, step: int) -> np.ndarray:
        """(n_models, n_series, n_windows, h) rolling-origin errors, cached per setting."""
        key = (h, n_windows, step)
        if key not in self._errors:
            assert self._y is not None and self._offsets is not None
            flat = self._core.rolling_errors(self._y, self._offsets, h, n_windows, step)
            n = len(self._offsets) - 1
            self._errors[key] = flat.reshape(len(self.models), n, n_windows, h)
        return self._errors[key]

    def sample_paths(
        self, h: int, n_paths: int = 1000, seed: int | None = 0, model: str | None = None
    ) -> np.ndarray:
        """Simulated future demand paths per series.

        Each path is the point forecast plus the error trajectory of a randomly drawn
        rolling-origin window (``path_windows`` cutoffs, 1 period apart), clipped at 0,
        so the sum over a lead time has a realistic distribution (no sum of per-step
        quantiles). Series too short for any window get normal random-walk errors with
        their one-step RMSE.

        Args:
            h: horizon in periods.
            n_paths: paths per series.
            seed: random seed (reproducible); None for fresh entropy.
            model: model alias (default: the first model).

        Returns:
            float64 array of shape (n_series, n_paths, h), series in ``unique_ids`` order.

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: invalid ``h``, ``n_paths`` or ``model``.
        """
        ids, _ = self._require_fitted()
        h = _check_horizon(h)
        n_paths = _positive_int("n_paths", n_paths)
        j = self._model_index(model)
        mean = self._core.predict(h)[:, j].reshape(len(ids), h)
        errors = self._rolling_errors(h, self.path_windows, 1)[j]
        rng = np.random.default_rng(seed)
        return _uncertainty.sample_paths(mean, errors, n_paths, rng, self._core.sigmas()[:, j])

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
    ) -> pd.DataFrame:
        """Fit on ``df`` and forecast ``h`` periods in one call.

        Args:
            df: long-format frame with ``unique_id``, ``ds``, ``y``.
            h: horizon in periods.
            level, quantiles: as in :meth:`predict`.

        Returns:
            Same as :meth:`predict`.

        Raises:
            Same as :meth:`fit` and :meth:`predict`.
        """
        _check_horizon(h)
        _check_levels(level)
        _check_quantiles(quantiles)
        return self.fit(df).predict(h, level=level, quantiles=quantiles)

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
        _check_levels(level)
        panel = to_panel(df, self._offset)
        lengths = panel.lengths
        frames = []
        for w in range(n_windows):
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
                continue
            starts = panel.offsets[:-1][keep]
            train_len = lengths[keep] - back
            sub = _slice_panel(panel, keep, starts, train_len)
            clone = self._clone()
            clone._fit_panel(sub)
            fc = clone.predict(h, level=level)
            test_idx = (starts + train_len)[:, None] + np.arange(h)[None, :]
            fc.insert(2, "cutoff", np.repeat(sub.last_ds, h))
            fc.insert(3, "y", panel.y[test_idx.reshape(-1)])
            frames.append(fc)
        if not frames:
            raise InvalidParameterError(
                f"no series is longer than h + (n_windows - 1) * step_size = "
                f"{h + (n_windows - 1) * step} periods"
            )
        return pd.concat(frames, ignore_index=True)

    def _clone(self) -> DemandForecaster:
        return DemandForecaster(
            self.models,
            freq=self.freq,
            season_length=self.season_length,
            conformal_windows=self.conformal_windows,
            path_windows=self.path_windows,
            verbose=False,
        )

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
        ids, _ = self._require_fitted()
        sig = self._core.sigmas()
        out = pd.DataFrame({"unique_id": ids})
        for j, name in enumerate(self.model_names):
            out[name] = sig[:, j]
        return out

    @property
    def fallbacks_(self) -> pd.DataFrame:
        """Series that could not use a model and got a simpler one, and why.

        Returns:
            DataFrame ``unique_id, model, reason`` (empty when nothing fell back).

        Raises:
            NotFittedError: called before :meth:`fit`.
        """
        ids, _ = self._require_fitted()
        codes = self._core.fallbacks().astype(np.int64)
        rows_i, rows_m = np.nonzero(codes)
        names = np.array(self.model_names, dtype=object)
        return pd.DataFrame(
            {
                "unique_id": ids[rows_i],
                "model": names[rows_m],
                "reason": [_FALLBACK_REASONS[c] for c in codes[rows_i, rows_m]],
            }
        )

    def __repr__(self) -> str:
        fitted = "" if self._ids is None else f", fitted on {len(self._ids)} series"
        return (
            f"DemandForecaster(models={self.models!r}, freq={self.freq!r}, "
            f"season_length={self.season_length}{fitted})"
        )


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
