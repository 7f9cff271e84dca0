#!/usr/bin/env python
"""Per-model table: every shelfcast statistical model vs its statsforecast twin, one run.

For each model that both libraries have (naive family, SES, Holt, Holt-Winters, AutoETS, the
theta family, the Croston family, TSB, ADIDA, IMAPA) this times the end-to-end call, pandas
DataFrame in -> forecast DataFrame out,

* shelfcast:      ``DemandForecaster([model], freq="D").forecast(train, h=28)``
* statsforecast:  ``StatsForecast([model], freq="D", n_jobs=1).forecast(df=train, h=28)``
* statsforecast:  the same with ``n_jobs=2``

on the bundled Online Retail panel (SKUs with >= 365 training days, last 28 days held out),
and scores both forecasts on the holdout with the same code (MAE and RMSSE, seasonality 1,
mean over the series both libraries forecast finitely; ``shelfcast.SalesMetrics``).

statsforecast's optimised models (Holt, HoltWinters, AutoETS and the theta family) take
minutes per thousand series, so by default they run on a fixed random sample of
``--slow-sample`` series (seed ``--seed``); ``--slow-sample 0`` runs them on the whole panel.
The output says which rows are sampled.

Targets (issue #3): AutoETS >= 5x faster than statsforecast with mean RMSSE within 1 %, every
other model >= 2x faster. "Faster" is checked against the *faster* of the two statsforecast
runs (n_jobs=1 or n_jobs=2), per model.

Run ``python benchmarks/bench_models.py --help``; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_forecast import (
    Data,
    accuracy,
    finite_series,
    forecast_diff,
    load_data,
    print_table,
    versions,
)

warnings.filterwarnings("ignore", message="Historical data .* shorter than season_length")

HORIZON = 28
SEASON = 7
WARMUP_SERIES = 20


@dataclass(frozen=True)
class Spec:
    """One model in both libraries; ``slow`` models run on the sample by default."""

    name: str
    shelfcast: Callable[[], Any]
    statsforecast: Callable[[], Any]
    slow: bool = False
    speed_target: float = 2.0
    rmsse_tolerance: float | None = None  # relative, e.g. 0.01 for AutoETS


def specs() -> list[Spec]:
    from shelfcast import models as s
    from statsforecast import models as f

    m = SEASON
    return [
        Spec("Naive", lambda: s.Naive(alias="Naive"), lambda: f.Naive(alias="Naive")),
        Spec(
            "SeasonalNaive",
            lambda: s.SeasonalNaive(m, alias="SeasonalNaive"),
            lambda: f.SeasonalNaive(season_length=m, alias="SeasonalNaive"),
        ),
        Spec(
            "WindowAverage",
            lambda: s.WindowAverage(28, alias="WindowAverage"),
            lambda: f.WindowAverage(window_size=28, alias="WindowAverage"),
        ),
        Spec(
            "SeasonalWindowAverage",
            lambda: s.SeasonalWindowAverage(4, m, alias="SeasonalWindowAverage"),
            lambda: f.SeasonalWindowAverage(
                season_length=m, window_size=4, alias="SeasonalWindowAverage"
            ),
        ),
        Spec(
            "HistoricAverage",
            lambda: s.HistoricAverage(alias="HistoricAverage"),
            lambda: f.HistoricAverage(alias="HistoricAverage"),
        ),
        Spec(
            "SES",
            lambda: s.SimpleExponentialSmoothing(0.1, alias="SES"),
            lambda: f.SimpleExponentialSmoothing(alpha=0.1, alias="SES"),
        ),
        Spec(
            "SESOpt",
            lambda: s.SimpleExponentialSmoothingOptimized(alias="SESOpt"),
            lambda: f.SimpleExponentialSmoothingOptimized(alias="SESOpt"),
        ),
        Spec(
            "Holt",
            lambda: s.Holt(m, alias="Holt"),
            lambda: f.Holt(season_length=m, alias="Holt"),
            slow=True,
        ),
        Spec(
            "HoltWinters",
            lambda: s.HoltWinters(m, alias="HoltWinters"),
            lambda: f.HoltWinters(season_length=m, alias="HoltWinters"),
            slow=True,
        ),
        Spec(
            "AutoETS",
            lambda: s.AutoETS(m, alias="AutoETS"),
            lambda: f.AutoETS(season_length=m, alias="AutoETS"),
            slow=True,
            speed_target=5.0,
            rmsse_tolerance=0.01,
        ),
        Spec(
            "Theta",
            lambda: s.Theta(m, alias="Theta"),
            lambda: f.Theta(season_length=m, alias="Theta"),
            slow=True,
        ),
        Spec(
            "OptimizedTheta",
            lambda: s.OptimizedTheta(m, alias="OptimizedTheta"),
            lambda: f.OptimizedTheta(season_length=m, alias="OptimizedTheta"),
            slow=True,
        ),
        Spec(
            "AutoTheta",
            lambda: s.AutoTheta(m, alias="AutoTheta"),
            lambda: f.AutoTheta(season_length=m, alias="AutoTheta"),
            slow=True,
        ),
        Spec(
            "CrostonClassic",
            lambda: s.CrostonClassic(alias="CrostonClassic"),
            lambda: f.CrostonClassic(alias="CrostonClassic"),
        ),
        Spec(
            "CrostonSBA",
            lambda: s.CrostonSBA(alias="CrostonSBA"),
            lambda: f.CrostonSBA(alias="CrostonSBA"),
        ),
        Spec(
            "CrostonOptimized",
            lambda: s.CrostonOptimized(alias="CrostonOptimized"),
            lambda: f.CrostonOptimized(alias="CrostonOptimized"),
        ),
        Spec(
            "TSB",
            lambda: s.TSB(0.2, 0.2, alias="TSB"),
            lambda: f.TSB(alpha_d=0.2, alpha_p=0.2, alias="TSB"),
        ),
        Spec("ADIDA", lambda: s.ADIDA(alias="ADIDA"), lambda: f.ADIDA(alias="ADIDA")),
        Spec("IMAPA", lambda: s.IMAPA(alias="IMAPA"), lambda: f.IMAPA(alias="IMAPA")),
    ]


# ----------------------------------------------------------------------------- data
def subset(data: Data, ids: np.ndarray) -> Data:
    """The same split restricted to the series ``ids``."""
    keep = set(ids.tolist())
    train = data.train.loc[data.train["unique_id"].isin(keep)].reset_index(drop=True)
    test = data.test.loc[data.test["unique_id"].isin(keep)].reset_index(drop=True)
    return Data(
        train=train,
        test=test,
        cutoff=data.cutoff,
        n_series=len(keep),
        n_train_rows=len(train),
        n_panel_series=data.n_panel_series,
        load_seconds=0.0,
    )


def sample_ids(data: Data, n: int, seed: int) -> np.ndarray:
    ids = np.sort(data.train["unique_id"].unique())
    if n <= 0 or n >= len(ids):
        return ids
    return np.sort(np.random.default_rng(seed).choice(ids, n, replace=False))


# --------------------------------------------------------------------------- timing
def run_shelfcast(train: pd.DataFrame, spec: Spec, h: int) -> pd.DataFrame:
    from shelfcast import DemandForecaster

    return DemandForecaster([spec.shelfcast()], freq="D").forecast(train, h=h)


def run_statsforecast(train: pd.DataFrame, spec: Spec, h: int, n_jobs: int) -> pd.DataFrame:
    from statsforecast import StatsForecast

    return StatsForecast([spec.statsforecast()], freq="D", n_jobs=n_jobs).forecast(df=train, h=h)


def timed(fn: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_model(
    spec: Spec, data: Data, h: int, repeats: int, sf_jobs: int
) -> dict[str, tuple[float, pd.DataFrame]]:
    """Best-of-``repeats`` times (runs interleaved) and the last output of each runner."""
    warm = data.train.loc[
        data.train["unique_id"].isin(data.train["unique_id"].unique()[:WARMUP_SERIES])
    ]
    runners: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
        "shelfcast": lambda df: run_shelfcast(df, spec, h),
        "sf_1": lambda df: run_statsforecast(df, spec, h, 1),
        "sf_n": lambda df: run_statsforecast(df, spec, h, sf_jobs),
    }
    for fn in runners.values():
        fn(warm)
    best: dict[str, tuple[float, pd.DataFrame]] = {}
    for _ in range(repeats):
        for key, fn in runners.items():
            secs, out = timed(lambda fn=fn: fn(data.train))
            if key not in best or secs < best[key][0]:
                best[key] = (secs, out)
    return best


# ------------------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Every shared model, shelfcast vs statsforecast, on the bundled panel.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--min-days", type=int, default=365, help="minimum training days per SKU")
    p.add_argument("--horizon", type=int, default=HORIZON, help="holdout / forecast days")
    p.add_argument("--repeats", type=int, default=3, help="timed runs of the fast models")
    p.add_argument(
        "--slow-repeats", type=int, default=1, help="timed runs of the slow (optimised) models"
    )
    p.add_argument(
        "--slow-sample",
        type=int,
        default=200,
        help="series in the fixed sample for the slow models (0 = whole panel)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the slow-model sample")
    p.add_argument("--sf-jobs", type=int, default=2, help="n_jobs of the second statsforecast run")
    p.add_argument(
        "--models", nargs="+", default=None, help="run only these models (names as printed)"
    )
    p.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t_start = time.perf_counter()
    import shelfcast
    import statsforecast.core  # noqa: F401

    all_specs = specs()
    if args.models:
        wanted = {m.lower() for m in args.models}
        unknown = wanted - {s.name.lower() for s in all_specs}
        if unknown:
            raise SystemExit(
                f"unknown model(s) {sorted(unknown)}; choose from "
                + ", ".join(s.name for s in all_specs)
            )
        all_specs = [s for s in all_specs if s.name.lower() in wanted]

    h = args.horizon
    load_start = os.getloadavg()
    ver = versions()
    print("shelfcast vs statsforecast, every shared model, end to end (DataFrame in -> out)")
    print("  " + ", ".join(f"{k} {v}" for k, v in ver.items()))
    print(
        f"  cores: {os.cpu_count()}; shelfcast threads: {shelfcast.num_threads()}; "
        f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}"
    )
    full = load_data(args.min_days, h)
    sample = subset(full, sample_ids(full, args.slow_sample, args.seed))
    print(
        f"  panel: bundled Online Retail, {full.n_series} SKUs with >= {args.min_days} training "
        f"days, {full.n_train_rows:,} training rows, holdout {h} days after "
        f"{full.cutoff.date()}"
    )
    if sample.n_series < full.n_series:
        print(
            f"  slow models (*): fixed random sample of {sample.n_series} series (seed "
            f"{args.seed}), {sample.n_train_rows:,} training rows, best of {args.slow_repeats}"
        )
    print(
        f"  fast models: whole panel, best of {args.repeats} interleaved runs; statsforecast "
        f"n_jobs=1 and n_jobs={args.sf_jobs}; {WARMUP_SERIES}-series warm-up per runner"
    )

    rows: list[list[str]] = []
    results: dict[str, dict[str, Any]] = {}
    for spec in all_specs:
        data = sample if spec.slow else full
        reps = args.slow_repeats if spec.slow else args.repeats
        t0 = time.perf_counter()
        best = bench_model(spec, data, h, reps, args.sf_jobs)
        out_sc, out_sf = best["shelfcast"][1], best["sf_1"][1]
        n = spec.name
        scored = {n: finite_series(out_sc, n) & finite_series(out_sf, n)}
        acc_sc = accuracy(out_sc, data, [n], scored)[n]
        acc_sf = accuracy(out_sf, data, [n], scored)[n]
        diff = forecast_diff(out_sc, out_sf, [n])[n]
        sc, s1, sn = (best[k][0] for k in ("shelfcast", "sf_1", "sf_n"))
        ratio = min(s1, sn) / sc
        rmsse_rel = acc_sc["rmsse"] / acc_sf["rmsse"] - 1.0
        ok = ratio >= spec.speed_target
        if spec.rmsse_tolerance is not None:
            ok = ok and abs(rmsse_rel) <= spec.rmsse_tolerance
        results[n] = {
            "series": data.n_series,
            "sampled": data.n_series < full.n_series,
            "shelfcast_s": sc,
            "sf_n_jobs_1_s": s1,
            f"sf_n_jobs_{args.sf_jobs}_s": sn,
            "ratio_vs_faster_sf": ratio,
            "target": spec.speed_target,
            "rmsse_tolerance": spec.rmsse_tolerance,
            "met": ok,
            "series_scored": len(scored[n]),
            "accuracy_shelfcast": acc_sc,
            "accuracy_statsforecast": acc_sf,
            "forecast_diff": diff,
            "wall_s": time.perf_counter() - t0,
        }
        rows.append(
            [
                n + (" *" if data.n_series < full.n_series else ""),
                str(data.n_series),
                f"{sc:.3f}",
                f"{s1:.3f}",
                f"{s1 / sc:.1f}x",
                f"{sn:.3f}",
                f"{sn / sc:.1f}x",
                f">={spec.speed_target:g}x" + (" +RMSSE 1%" if spec.rmsse_tolerance else ""),
                "yes" if ok else "NO",
                f"{acc_sc['mae']:.4f}",
                f"{acc_sf['mae']:.4f}",
                f"{acc_sc['rmsse']:.4f}",
                f"{acc_sf['rmsse']:.4f}",
                f"{100 * rmsse_rel:+.2f}%",
                f"{diff['max_abs_diff']:.1e}",
            ]
        )
        print(
            f"  {n}: shelfcast {sc:.3f} s, sf1 {s1:.3f} s, sf{args.sf_jobs} {sn:.3f} s "
            f"({time.perf_counter() - t0:.0f} s; load {os.getloadavg()[0]:.2f})",
            flush=True,
        )

    j = args.sf_jobs
    load_end = os.getloadavg()
    print()
    print(
        f"Forecast h={h}; seconds = best end-to-end time; ratio = statsforecast / shelfcast "
        "(> 1: shelfcast faster); target checked against the faster statsforecast run"
    )
    print_table(
        [
            "model",
            "series",
            "shelfcast s",
            "sf n_jobs=1 s",
            "ratio",
            f"sf n_jobs={j} s",
            "ratio",
            "target",
            "met",
            "MAE sc",
            "MAE sf",
            "RMSSE sc",
            "RMSSE sf",
            "RMSSE sc/sf-1",
            "max|sc-sf|",
        ],
        rows,
    )
    print(
        "  MAE / RMSSE: mean over the series both libraries forecast finitely, holdout of "
        f"{h} days, RMSSE scaled by the in-sample one-step naive MSE (seasonality 1)."
    )
    if any(r["sampled"] for r in results.values()):
        print(f"  * on the fixed {sample.n_series}-series sample (seed {args.seed})")
    missed = [n for n, r in results.items() if not r["met"]]
    print(f"  targets missed: {', '.join(missed) if missed else 'none'}")
    elapsed = time.perf_counter() - t_start
    print(
        f"  load average at end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}; "
        f"total wall time {elapsed:.0f} s"
    )
    if args.json:
        payload = {
            "versions": ver,
            "load_average_start": load_start,
            "load_average_end": load_end,
            "args": vars(args),
            "panel": {"series": full.n_series, "train_rows": full.n_train_rows},
            "sample": {"series": sample.n_series, "train_rows": sample.n_train_rows},
            "models": results,
            "wall_s": elapsed,
        }
        with open(args.json, "w") as fh:
            json.dump(payload, fh, indent=2, default=float)
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
