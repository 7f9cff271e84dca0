#!/usr/bin/env python
"""Benchmark shelfcast's global ML models against mlforecast + LightGBM / scikit-learn.

Same data, same features, one run each, every run in its own fresh process (so each one's
peak memory is its own):

* data: the bundled Online Retail panel (``shelfcast.datasets.load_online_retail``), SKUs
  with at least ``--min-days`` (365) days before the 28-day holdout, trained on their last
  ``--history-days`` (280) days: 4,016 series, about 1.12 M training rows;
* features: lags 1/7/14/28, rolling means 7 and 28 of lag 1, day of week / month / day;
* models: gradient boosting (tweedie, 200 trees, 63 leaves, learning rate 0.1, 20 rows
  per leaf), random forest (100 trees, min leaf 5, max_features 0.5), linear regression.

Time is end to end: construction + fit + 28-day recursive forecast, DataFrame in, forecast
DataFrame out (the data loading is not timed). Accuracy: MAE and RMSSE (seasonality 1,
scaled over each series' whole pre-holdout history, mean over series) on the holdout with
``shelfcast.SalesMetrics.evaluate``; the linear models' coefficients are compared too. Peak
memory: the kernel's peak-RSS counter is reset after loading (``/proc/self/clear_refs``,
after ``malloc_trim``), and the table shows the peak during the call minus the RSS before.

Run ``python benchmarks/bench_ml.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

HORIZON = 28
RUNS = {
    "gbm": ("shelfcast", "mlforecast+lightgbm"),
    "rf": ("shelfcast", "mlforecast+sklearn"),
    "linear": ("shelfcast", "mlforecast+sklearn"),
}


def load(min_days: int, history_days: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train, test, history): ``history`` is each kept series' whole pre-holdout history
    (RMSSE's scale; the last ``history_days`` of it are the training rows)."""
    from shelfcast.datasets import load_online_retail

    df = load_online_retail()[["unique_id", "ds", "y"]]
    cutoff = df["ds"].max() - pd.Timedelta(days=HORIZON)
    train, test = df[df["ds"] <= cutoff], df[df["ds"] > cutoff]
    n = train.groupby("unique_id").size()
    keep = n.index[n >= min_days]
    history = train[train["unique_id"].isin(keep)]
    train = history[history["ds"] > cutoff - pd.Timedelta(days=history_days)]
    test = test[test["unique_id"].isin(keep)]
    return train.reset_index(drop=True), test.reset_index(drop=True), history.reset_index(drop=True)


def status_mb(field: str) -> float:
    """A memory field of /proc/self/status ("VmRSS", "VmHWM") in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> float:
    """Return freed heap pages to the OS, reset the kernel's peak-RSS counter and return
    the current RSS (as bench_forecast.py's --memory does)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    return status_mb("VmRSS")


def run_shelfcast(
    kind: str, train: pd.DataFrame, a: argparse.Namespace
) -> tuple[pd.DataFrame, object]:
    import shelfcast
    from shelfcast import features as F
    from shelfcast import models as m

    model = {
        "gbm": lambda: m.GradientBoosting(
            objective="tweedie",
            n_estimators=a.trees,
            num_leaves=63,
            min_samples_leaf=20,
            alias="model",
        ),
        "rf": lambda: m.RandomForest(
            n_estimators=a.rf_trees,
            min_samples_leaf=5,
            max_features=0.5,
            seed=a.seed,
            alias="model",
        ),
        "linear": lambda: m.LinearRegression(alias="model"),
    }[kind]()
    fc = shelfcast.DemandForecaster(
        [model],
        freq="D",
        lags=[1, 7, 14, 28],
        lag_transforms={1: [F.RollingMean(7), F.RollingMean(28)]},
        date_features=["dayofweek", "month", "day"],
    )
    out = fc.forecast(train, h=HORIZON)
    extra = fc._ml.linear_coefficients(0) if kind == "linear" else None
    return out, extra


def run_mlforecast(
    kind: str, train: pd.DataFrame, a: argparse.Namespace
) -> tuple[pd.DataFrame, object]:
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean

    if kind == "gbm":
        import lightgbm as lgb

        model = lgb.LGBMRegressor(
            objective="tweedie",
            n_estimators=a.trees,
            num_leaves=63,
            min_child_samples=20,
            learning_rate=0.1,
            verbosity=-1,
            n_jobs=os.cpu_count(),
        )
    elif kind == "rf":
        from sklearn.ensemble import RandomForestRegressor

        model = RandomForestRegressor(
            n_estimators=a.rf_trees,
            min_samples_leaf=5,
            max_features=0.5,
            n_jobs=os.cpu_count(),
            random_state=a.seed,
        )
    else:
        from sklearn.linear_model import LinearRegression

        model = LinearRegression()
    mlf = MLForecast(
        models={"model": model},
        freq="D",
        lags=[1, 7, 14, 28],
        lag_transforms={1: [RollingMean(7), RollingMean(28)]},
        date_features=["dayofweek", "month", "day"],
    )
    mlf.fit(train, static_features=[])
    out = mlf.predict(HORIZON)
    extra = None
    if kind == "linear":
        lr = mlf.models_["model"]
        extra = (lr.coef_.tolist(), float(lr.intercept_))
    return out, extra


def child(kind: str, lib: str, a: argparse.Namespace) -> None:
    train, test, history = load(a.min_days, a.history_days)
    import shelfcast

    if lib != "shelfcast":
        import mlforecast  # noqa: F401  (import outside the timing, like shelfcast's)
    base = reset_peak()
    runner = run_shelfcast if lib == "shelfcast" else run_mlforecast
    t0 = time.perf_counter()
    fc, extra = runner(kind, train, a)
    seconds = time.perf_counter() - t0
    peak = status_mb("VmHWM")
    merged = test.merge(fc[["unique_id", "ds", "model"]], on=["unique_id", "ds"], how="left")
    scores = shelfcast.SalesMetrics.evaluate(
        merged, ["mae", "rmsse"], models=["model"], train_df=history, aggregate=True
    )
    row = scores.set_index("metric")["model"] if "metric" in scores else scores.iloc[0]
    print(
        json.dumps(
            {
                "kind": kind,
                "lib": lib,
                "seconds": seconds,
                "mae": float(row["mae"]),
                "rmsse": float(row["rmsse"]),
                "peak_mb": peak - base,
                "rows": len(train),
                "series": int(train["unique_id"].nunique()),
                "missing": int(merged["model"].isna().sum()),
                "extra": extra,
            }
        )
    )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--models", nargs="+", default=list(RUNS), choices=list(RUNS))
    p.add_argument("--min-days", type=int, default=365)
    p.add_argument("--history-days", type=int, default=280)
    p.add_argument("--trees", type=int, default=200, help="boosting rounds")
    p.add_argument("--rf-trees", type=int, default=100)
    p.add_argument("--seed", type=int, default=0, help="random forests' seed")
    p.add_argument("--only", choices=["shelfcast", "peers"], help="run one side only")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--child", nargs=2, metavar=("KIND", "LIB"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a.child[0], a.child[1], a)
        return
    results = []
    passthrough = [
        f"--min-days={a.min_days}",
        f"--history-days={a.history_days}",
        f"--trees={a.trees}",
        f"--rf-trees={a.rf_trees}",
        f"--seed={a.seed}",
    ]
    for kind in a.models:
        for lib in RUNS[kind]:
            if (a.only == "shelfcast" and lib != "shelfcast") or (
                a.only == "peers" and lib == "shelfcast"
            ):
                continue
            cmd = [sys.executable, __file__, "--child", kind, lib, *passthrough]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"{kind}/{lib} failed")
            r = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(r)
            print(
                f"{kind:7s} {lib:22s} {r['seconds']:8.2f} s  MAE {r['mae']:.3f}  "
                f"RMSSE {r['rmsse']:.3f}  peak +{r['peak_mb']:.0f} MB  "
                f"({r['series']} series, {r['rows']} rows)",
                flush=True,
            )
    print()
    print(
        f"{'model':8s} {'shelfcast s':>12s} {'peer s':>9s} {'speed-up':>9s} {'MAE sc':>8s} "
        f"{'MAE peer':>9s} {'RMSSE sc':>9s} {'RMSSE peer':>10s} {'mem sc MB':>10s} "
        f"{'mem peer MB':>11s}"
    )
    for kind in a.models:
        rs = {r["lib"] == "shelfcast": r for r in results if r["kind"] == kind}
        if len(rs) != 2:
            continue
        s, q = rs[True], rs[False]
        print(
            f"{kind:8s} {s['seconds']:12.2f} {q['seconds']:9.2f} "
            f"{q['seconds'] / s['seconds']:8.1f}x {s['mae']:8.3f} {q['mae']:9.3f} "
            f"{s['rmsse']:9.3f} {q['rmsse']:10.3f} "
            f"{s['peak_mb']:10.0f} {q['peak_mb']:11.0f}"
        )
        if kind == "linear" and s["extra"] and q["extra"]:
            diff = np.max(np.abs(np.array(s["extra"][0]) - np.array(q["extra"][0])))
            print(
                f"         linear coefficients: max |shelfcast - sklearn| = {diff:.2e}, "
                f"intercepts {s['extra'][1]:.6f} vs {q['extra'][1]:.6f}"
            )
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
