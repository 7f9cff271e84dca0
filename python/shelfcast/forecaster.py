"""`DemandForecaster`: many per-series models on many series, fitted natively."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import _core
from ._frame import Panel, future_dates, parse_freq, to_panel
from ._progress import Progress
from .exceptions import InvalidParameterError, NotFittedError
from .models import Model, resolve_models

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
        verbose: bool = False,
    ) -> None:
        self.models = resolve_models(models)
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
        self._lengths = panel.lengths

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
    def predict(self, h: int) -> pd.DataFrame:
        """Forecast ``h`` periods past each series' last date.

        Args:
            h: horizon in periods (>= 1).

        Returns:
            DataFrame ``unique_id, ds, <model alias>...`` with ``h`` rows per series.

        Raises:
            NotFittedError: called before :meth:`fit`.
            InvalidParameterError: ``h`` is not a positive integer.
        """
        ids, last = self._require_fitted()
        h = _check_horizon(h)
        values = self._core.predict(h)
        out = pd.DataFrame(
            {"unique_id": np.repeat(ids, h), "ds": future_dates(last, h, self._offset)}
        )
        for j, name in enumerate(self.model_names):
            out[name] = values[:, j]
        return out

    def forecast(self, df: pd.DataFrame, h: int) -> pd.DataFrame:
        """Fit on ``df`` and forecast ``h`` periods in one call.

        Args:
            df: long-format frame with ``unique_id``, ``ds``, ``y``.
            h: horizon in periods.

        Returns:
            Same as :meth:`predict`.

        Raises:
            Same as :meth:`fit` and :meth:`predict`.
        """
        _check_horizon(h)
        return self.fit(df).predict(h)

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


def _check_horizon(h: object) -> int:
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
        raise InvalidParameterError(f"h must be a positive integer, got {h!r}")
    return int(h)
