"""Probabilistic output for models without a likelihood: conformal intervals, quantiles
and sample paths from rolling-origin forecast errors (computed natively).

Definitions (per series, model and horizon step ``k``; ``f_k`` is the point forecast and
``e_{w,k} = y − ŷ`` the error of rolling-origin window ``w``, refitted at each cutoff):

* **Pooled conformal** (``conformal="pooled"``, the default): the scores are the absolute
  errors ``|e_{w,k}|`` of *all* windows and steps of the series (``n = W·h`` of them). The
  level-``L`` interval is ``f_k ± s_(r)`` with ``s_(r)`` the ``r``-th smallest score and
  ``r = ⌈(n + 1)·L/100⌉`` (split-conformal's finite-sample rank; capped at ``n``);
  quantile ``p`` is ``f_k + sign(p − ½)·s_(r)`` with ``r`` for the level ``|2p − 1|``, so
  quantiles and intervals are one distribution. Pooling the steps gives enough scores
  for a 95 % interval; its price is that the width does not grow with the step, so
  early steps over-cover and late steps under-cover where errors grow with the horizon.
* **Per-step conformal** (``conformal="per_step"``, statsforecast's
  ``ConformalIntervals``): the 2·W values ``f_k ± |e_{w,k}|`` for each step ``k``. The
  level-``L`` interval is its ``(1 − L/100)/2`` and ``1 − (1 − L/100)/2`` quantiles
  (linear interpolation); quantile ``q`` is its ``q``-quantile. With W = 5 windows no
  interval can cover more than about W/(W + 1) ≈ 83 % of new values (measured on the
  bundled panel: 0.85–0.90 at a nominal 95 %), hence the pooled default.
* Windows are ``h`` periods apart (non-overlapping).
* **Fallback** for a series too short for any window: a normal distribution with the
  in-sample one-step RMSE ``σ`` growing like a random walk, ``f_k ± z·σ·√k``.
* **Sample paths**: ``max(0, f_k + e_{w,k})`` for a window ``w`` drawn at random among the
  series' valid windows, keeping each window's whole error trajectory so that demand over
  a lead time keeps its serial dependence. Path windows are 1 period apart.

Demand is never negative: every lower bound, quantile and path is clipped at 0.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

__all__ = ["conformal_quantiles", "level_cuts", "sample_paths"]


def level_cuts(levels: list[float]) -> list[float]:
    """Quantile levels of the lower and upper bounds, lows (widest first) then highs."""
    lows = [(1 - lv / 100) / 2 for lv in sorted(levels, reverse=True)]
    highs = [1 - (1 - lv / 100) / 2 for lv in sorted(levels)]
    return lows + highs


def conformal_quantiles(
    mean: np.ndarray,
    errors: np.ndarray,
    sigma: np.ndarray,
    probs: list[float],
    method: str = "pooled",
) -> np.ndarray:
    """Quantiles of the conformal distribution, clipped at 0.

    Args:
        mean: (n_series, h) point forecasts.
        errors: (n_series, n_windows, h) rolling-origin errors, NaN for invalid windows.
        sigma: (n_series,) in-sample one-step RMSE, for series without a valid window.
        probs: quantile levels in (0, 1).
        method: ``"pooled"`` or ``"per_step"`` (see the module docs).

    Returns:
        (len(probs), n_series, h) array.
    """
    n, h = mean.shape
    out = np.empty((len(probs), n, h))
    valid = ~np.isnan(errors).all(axis=(1, 2))
    if valid.any() and method == "pooled":
        scores = np.sort(np.abs(errors[valid]).reshape(int(valid.sum()), -1), axis=1)
        count = (~np.isnan(scores)).sum(axis=1)  # NaN sorts last
        rows = np.arange(len(count))
        m = mean[valid]
        rms = np.sqrt(np.nanmean(scores**2, axis=1))
        for j, p in enumerate(probs):
            rank = np.ceil((count + 1) * abs(2 * p - 1)).astype(np.int64)
            s = scores[rows, np.clip(rank, 1, count) - 1]
            s = np.where(rank == 0, 0.0, s)  # p = 0.5: the point forecast
            normal = abs(NormalDist().inv_cdf(p)) * rms
            s = np.where(rank > count, normal, s)  # too few scores for this level
            out[j, valid, :] = m + np.sign(p - 0.5) * s[:, None]
    elif valid.any():
        scores = np.abs(errors[valid])  # (nv, W, h)
        m = mean[valid][:, None, :]
        dist = np.concatenate([m - scores, m + scores], axis=1)  # (nv, 2W, h)
        out[:, valid, :] = np.nanquantile(dist, probs, axis=1)
    if (~valid).any():
        steps = np.sqrt(np.arange(1, h + 1))
        for j, p in enumerate(probs):
            z = NormalDist().inv_cdf(p)
            out[j, ~valid, :] = mean[~valid] + z * sigma[~valid, None] * steps
    return np.maximum(out, 0.0)


def sample_paths(
    mean: np.ndarray, errors: np.ndarray, n_paths: int, rng: np.random.Generator, sigma: np.ndarray
) -> np.ndarray:
    """Residual-trajectory bootstrap paths, clipped at 0.

    Args:
        mean: (n_series, h) point forecasts.
        errors: (n_series, n_windows, h) rolling-origin errors, NaN for invalid windows.
        n_paths: paths per series.
        rng: random generator.
        sigma: (n_series,) fallback one-step RMSE for series without a valid window
            (then paths are normal with a random-walk-like accumulating error).

    Returns:
        (n_series, n_paths, h) array.
    """
    n, h = mean.shape
    valid = ~np.isnan(errors).any(axis=2)  # (n, W)
    counts = valid.sum(axis=1)
    # Order each series' windows valid-first, then draw among the first `count`.
    order = np.argsort(~valid, axis=1, kind="stable")
    draws = (rng.random((n, n_paths)) * np.maximum(counts, 1)[:, None]).astype(np.int64)
    chosen = np.take_along_axis(order, draws, axis=1)  # (n, n_paths)
    paths = mean[:, None, :] + errors[np.arange(n)[:, None], chosen, :]
    none = counts == 0
    if none.any():
        shocks = rng.standard_normal((int(none.sum()), n_paths, h))
        walk = np.cumsum(shocks, axis=2) * sigma[none, None, None]
        paths[none] = mean[none][:, None, :] + walk
    return np.maximum(paths, 0.0)
