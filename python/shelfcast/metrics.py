"""Forecast accuracy and sales summaries, computed natively per series.

Definitions (``y`` actuals, ``ŷ`` forecasts over the evaluation window of one series,
``x`` its training history, ``m`` the seasonality):

* ``mae``   = mean |y − ŷ|
* ``mse``   = mean (y − ŷ)²;   ``rmse`` = √mse
* ``bias``  = mean (ŷ − y)  (positive means over-forecasting)
* ``mase``  = mae / mean_{t>m} |x_t − x_{t−m}|  (Hyndman & Koehler 2006; utilsforecast's ``mase``)
* ``rmsse`` = √( mse / mean_{t>m} (x_t − x_{t−m})² )  (M5's RMSSE with the plain scale over
  the whole training series, as utilsforecast's ``rmsse``)

A scaled metric whose scale is 0 (a constant training series) is ``inf`` when the error is
positive and ``NaN`` when it is 0 too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import _core
from ._frame import parse_freq, require_columns, to_panel
from .exceptions import (
    InvalidInputError,
    InvalidParameterError,
    InvalidSeriesError,
    ShapeError,
    _rename_culprit,
)

__all__ = ["SalesMetrics", "bias", "mae", "mase", "mse", "rmse", "rmsse"]

_SCALED = {"mase", "rmsse"}
_KNOWN = ("mae", "mse", "rmse", "bias", "mase", "rmsse")


def _one(
    metric: str, y: object, y_hat: object, y_train: object = None, seasonality: int = 1
) -> float:
    a = np.asarray(y, dtype=np.float64).ravel()
    f = np.asarray(y_hat, dtype=np.float64).ravel()
    if a.shape != f.shape:
        raise ShapeError(f"y has {a.size} values but y_hat has {f.size}")
    if a.size == 0:
        raise InvalidInputError("y is empty")
    kwargs = {}
    if y_train is not None:
        t = np.asarray(y_train, dtype=np.float64).ravel()
        kwargs = {"train_y": t, "train_offsets": np.array([0, t.size], dtype=np.int64)}
    out = _core.SalesMetrics.evaluate(
        a, np.array([0, a.size], dtype=np.int64), f, [metric], seasonality=seasonality, **kwargs
    )
    return float(out[metric][0])


def mae(y: object, y_hat: object) -> float:
    """Mean absolute error of one series.

    Args:
        y: actual values; y_hat: forecasts (same length).

    Returns:
        mean |y − ŷ|.

    Raises:
        ShapeError: lengths differ. InvalidSeriesError: a value is not finite.
    """
    return _one("mae", y, y_hat)


def mse(y: object, y_hat: object) -> float:
    """Mean squared error of one series (Args/Raises as :func:`mae`)."""
    return _one("mse", y, y_hat)


def rmse(y: object, y_hat: object) -> float:
    """Root mean squared error of one series (Args/Raises as :func:`mae`)."""
    return _one("rmse", y, y_hat)


def bias(y: object, y_hat: object) -> float:
    """Mean signed error ŷ − y of one series (Args/Raises as :func:`mae`)."""
    return _one("bias", y, y_hat)


def mase(y: object, y_hat: object, y_train: object, seasonality: int = 1) -> float:
    """Mean absolute scaled error of one series.

    Args:
        y: actuals; y_hat: forecasts; y_train: the training history; seasonality: m.

    Returns:
        mae / mean |x_t − x_{t−m}| over the training history.

    Raises:
        ShapeError: lengths differ. InvalidParameterError: seasonality < 1.
    """
    return _one("mase", y, y_hat, y_train, seasonality)


def rmsse(y: object, y_hat: object, y_train: object, seasonality: int = 1) -> float:
    """Root mean squared scaled error of one series (Args/Raises as :func:`mase`)."""
    return _one("rmsse", y, y_hat, y_train, seasonality)


class SalesMetrics:
    """Sales analytics over a long-format sales history, and forecast accuracy.

    Args:
        df: sales history with ``unique_id``, ``ds``, ``y`` (one row per item and period).
        freq: the frequency of the history; series must be regular at it (fill zero-sale
            periods with 0 first). Pass ``None`` to skip the regularity check.

    Raises:
        MissingColumnError, ColumnTypeError, DuplicateRowError, InvalidSeriesError:
            invalid input, naming the column, series and date.
    """

    def __init__(self, df: pd.DataFrame, *, freq: str | None = "D") -> None:
        offset = parse_freq(freq) if freq is not None else parse_freq("D")
        self.freq = freq
        self._panel = to_panel(df, offset, what="sales_df", check_regular=freq is not None)

    def summary(self) -> pd.DataFrame:
        """Per-item summary of the history.

        Returns:
            DataFrame ``unique_id, n_periods, total, mean, std, zero_share,
            selling_periods, first_sale, last_sale`` where ``std`` is the sample standard
            deviation (ddof=1, as pandas), ``zero_share`` the fraction of periods with 0
            units, and ``first_sale``/``last_sale`` the dates of the first and last positive
            sale (NaT when none).
        """
        p = self._panel
        raw = _core.SalesMetrics.summary(p.y, p.offsets)
        starts = p.offsets[:-1]

        def date_of(pos: np.ndarray) -> np.ndarray:
            out = np.full(len(pos), np.datetime64("NaT"), dtype="datetime64[ns]")
            ok = pos >= 0
            out[ok] = p.ds[starts[ok] + pos[ok]]
            return out

        return pd.DataFrame(
            {
                "unique_id": p.ids,
                "n_periods": raw["n_periods"].astype(np.int64),
                "total": raw["total"],
                "mean": raw["mean"],
                "std": raw["std"],
                "zero_share": raw["zero_share"],
                "selling_periods": raw["selling_periods"].astype(np.int64),
                "first_sale": date_of(raw["first_sale"]),
                "last_sale": date_of(raw["last_sale"]),
            }
        )

    @staticmethod
    def evaluate(
        df: pd.DataFrame,
        metrics: Sequence[str] = ("mae", "rmse"),
        *,
        models: Sequence[str] | None = None,
        train_df: pd.DataFrame | None = None,
        seasonality: int = 1,
        aggregate: bool = False,
    ) -> pd.DataFrame:
        """Accuracy of forecast columns against actuals, per series (utilsforecast layout).

        Args:
            df: ``unique_id, ds, y`` plus one column per model (e.g. the output of
                :meth:`DemandForecaster.predict` merged with actuals).
            metrics: names among mae, mse, rmse, bias, mase, rmsse (see the module docs).
            models: the model columns; default: every column except unique_id, ds, y,
                cutoff and interval columns (``-lo-``/``-hi-``).
            train_df: the training history (``unique_id, ds, y``) for mase / rmsse.
            seasonality: m for the scaled metrics.
            aggregate: return the mean over series per metric instead of per series.

        Returns:
            DataFrame ``unique_id, metric, <model>...`` (or ``metric, <model>...`` when
            aggregated), sorted by unique_id then metric order.

        Raises:
            InvalidParameterError: unknown metric, no model column, or a scaled metric
                without ``train_df``.
            InvalidInputError: a series in ``df`` is absent from ``train_df``.
        """
        metrics = list(metrics)
        unknown = [m for m in metrics if m not in _KNOWN]
        if unknown:
            raise InvalidParameterError(f"unknown metric(s) {unknown}; known: {list(_KNOWN)}")
        if not metrics:
            raise InvalidParameterError("metrics must name at least one metric")
        require_columns(df, ["unique_id", "ds", "y"], "df")
        if models is None:
            models = [
                c
                for c in df.columns
                if c not in ("unique_id", "ds", "y", "cutoff")
                and "-lo-" not in c
                and "-hi-" not in c
            ]
        models = list(models)
        if not models:
            raise InvalidParameterError("df has no model column to evaluate")
        require_columns(df, models, "df")
        day = parse_freq("D")
        panel = to_panel(df, day, check_regular=False)
        train_kw = {}
        if any(m in _SCALED for m in metrics):
            if train_df is None:
                raise InvalidParameterError("train_df is required for mase and rmsse")
            train = to_panel(train_df, day, what="train_df", check_regular=False)
            pos = pd.Index(train.ids).get_indexer(panel.ids)
            if (pos < 0).any():
                missing = panel.ids[pos < 0][0]
                raise InvalidInputError(f"series {missing!r} is in df but not in train_df")
            starts, ends = train.offsets[:-1][pos], train.offsets[1:][pos]
            lengths = ends - starts
            new_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            idx = np.arange(lengths.sum()) + np.repeat(starts - new_starts, lengths)
            train_kw = {
                "train_y": train.y[idx],
                "train_offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            }
        per_model = {}
        for m in models:
            f = panel.take(_numeric_column(df, m))
            try:
                per_model[m] = _core.SalesMetrics.evaluate(
                    panel.y, panel.offsets, f, metrics, seasonality=seasonality, **train_kw
                )
            except InvalidSeriesError as e:
                raise _rename_culprit(e, panel.ids, f"model {m!r}, series") from None
        n = panel.n_series
        out = pd.DataFrame(
            {
                "unique_id": np.repeat(panel.ids, len(metrics)),
                "metric": np.tile(np.array(metrics, dtype=object), n),
            }
        )
        for m in models:
            out[m] = np.stack([per_model[m][k] for k in metrics], axis=1).reshape(-1)
        if aggregate:
            return out.drop(columns="unique_id").groupby("metric", sort=False).mean().reset_index()
        return out

    def __repr__(self) -> str:
        return f"SalesMetrics(n_series={self._panel.n_series}, n_rows={len(self._panel.y)})"


def _numeric_column(df: pd.DataFrame, col: str) -> np.ndarray:
    from .exceptions import ColumnTypeError

    s = df[col]
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise ColumnTypeError(f"df column {col!r} must be numeric, got dtype {s.dtype}")
    return s.to_numpy(dtype=np.float64, na_value=np.nan)
