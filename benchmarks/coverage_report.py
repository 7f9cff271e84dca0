"""Empirical coverage of every model's prediction intervals on the bundled panel.

Cross-validation (``h`` = 28 days, ``--windows`` cutoffs 28 days apart) on a seeded sample of
the bundled Online Retail SKUs with at least a year of history; for each model and level the
share of actual values inside ``[lo, hi]``, the share below ``lo`` / above ``hi`` and the
mean width. Intervals are computed inside each window from that window's training data
only, exactly as a user would get them. With ``--peer``, statsforecast 2.1's intervals for
the same windows are reported beside them (its ``ConformalIntervals`` for the models
without a likelihood, its native intervals for AutoETS), so the two libraries' coverage is
compared on identical data.

Usage: ``python benchmarks/coverage_report.py [--skus 500] [--windows 3] [--peer]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from shelfcast import DemandForecaster
from shelfcast import models as m
from shelfcast.datasets import load_online_retail

LEVELS = [80, 95]


def zoo() -> list[m.Model]:
    """Every per-series model, with the settings of the other benchmarks."""
    return [
        m.Naive(),
        m.SeasonalNaive(7),
        m.HistoricAverage(),
        m.WindowAverage(28),
        m.SeasonalWindowAverage(7, 4),
        m.SimpleExponentialSmoothing(0.1),
        m.SimpleExponentialSmoothingOptimized(),
        m.CrostonClassic(),
        m.CrostonSBA(),
        m.CrostonOptimized(),
        m.TSB(0.1, 0.1),
        m.ADIDA(),
        m.IMAPA(),
        m.Theta(7),
        m.OptimizedTheta(7),
        m.AutoTheta(7),
        m.AutoETS(season_length=7),
    ]


def coverage(cv: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Coverage, misses below / above and mean width per model and level."""
    rows = []
    y = cv["y"].to_numpy(float)
    for name in names:
        for lv in LEVELS:
            lo_col, hi_col = f"{name}-lo-{lv}", f"{name}-hi-{lv}"
            if lo_col not in cv:
                continue
            lo, hi = cv[lo_col].to_numpy(float), cv[hi_col].to_numpy(float)
            ok = np.isfinite(lo) & np.isfinite(hi)
            rows.append(
                {
                    "model": name,
                    "level": lv,
                    "coverage": float(np.mean((y >= lo) & (y <= hi))),
                    "below": float(np.mean(y < lo)),
                    "above": float(np.mean(y > hi)),
                    "width": float(np.mean(hi[ok] - lo[ok])),
                }
            )
    return pd.DataFrame(rows)


def statsforecast_cv(train: pd.DataFrame, h: int, windows: int) -> pd.DataFrame:
    """statsforecast's cross-validation with intervals for the models it can give them."""
    from statsforecast import StatsForecast
    from statsforecast import models as sm
    from statsforecast.utils import ConformalIntervals

    ci = ConformalIntervals(h=h, n_windows=5)
    peers = [
        sm.Naive(alias="Naive"),
        sm.SeasonalNaive(7, alias="SeasonalNaive"),
        sm.HistoricAverage(alias="HistoricAverage"),
        sm.CrostonClassic(alias="CrostonClassic", prediction_intervals=ci),
        sm.CrostonSBA(alias="CrostonSBA", prediction_intervals=ci),
        sm.TSB(0.1, 0.1, alias="TSB", prediction_intervals=ci),
        sm.ADIDA(alias="ADIDA", prediction_intervals=ci),
        sm.IMAPA(alias="IMAPA", prediction_intervals=ci),
        sm.Theta(7, alias="Theta"),
        sm.AutoETS(season_length=7, alias="AutoETS"),
    ]
    sf = StatsForecast(models=peers, freq="D", n_jobs=1)
    out = sf.cross_validation(df=train, h=h, n_windows=windows, level=LEVELS)
    return out.reset_index() if "unique_id" not in out.columns else out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=500)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--h", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--peer", action="store_true", help="statsforecast beside shelfcast")
    a = ap.parse_args()
    df = load_online_retail(min_days=365)[["unique_id", "ds", "y"]]
    ids = df.unique_id.unique()
    pick = np.random.default_rng(a.seed).choice(ids, min(a.skus, len(ids)), replace=False)
    df = df[df.unique_id.isin(pick)].reset_index(drop=True)
    print(f"{len(pick)} SKUs, {len(df):,} rows, {a.windows} windows of {a.h} days")
    models = zoo()
    fc = DemandForecaster(models, freq="D", verbose=False)
    t0 = time.perf_counter()
    cv = fc.cross_validation(df, h=a.h, n_windows=a.windows, level=LEVELS)
    print(f"shelfcast cross_validation with intervals: {time.perf_counter() - t0:.1f} s")
    names = [x.alias for x in models]
    table = coverage(cv, names)
    if a.peer:
        t0 = time.perf_counter()
        peer = statsforecast_cv(df, a.h, a.windows)
        print(f"statsforecast cross_validation with intervals: {time.perf_counter() - t0:.1f} s")
        p = coverage(peer, names).rename(columns={"coverage": "sf_coverage", "width": "sf_width"})[
            ["model", "level", "sf_coverage", "sf_width"]
        ]
        table = table.merge(p, on=["model", "level"], how="left")
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
