#!/usr/bin/env python
"""Benchmark shelfcast's AutoARIMA and MSTL against statsforecast's, side by side.

Data: the bundled Online Retail panel (``shelfcast.datasets.load_online_retail``), SKUs with
at least ``--min-days`` (365) days, a fixed random sample of ``--n`` of them (``--seed``;
0 = all), the last 28 days held out. Runs, each in its own fresh process (so each one's
peak memory is its own):

* ``autoarima``: ``AutoARIMA(season_length=7)`` — shelfcast (Rust, rayon threads over
  series, all cores unless ``SHELFCAST_NUM_THREADS`` says otherwise) against statsforecast
  ``n_jobs=1`` (the issue's reference) and, with ``--sf-jobs -1``, one process per core;
* ``mstl``: ``MSTL(season_length=7)`` with the default ``AutoETS(model="ZZN")`` trend;
* ``mstl2``: ``MSTL(season_length=[7, 28])`` (two seasonal periods; the bundled panel's
  739 days leave no SKU two full years before the holdout, so a yearly period cannot be
  decomposed here).

Time is end to end: model construction, ``fit`` and a 28-day ``predict`` (DataFrame in,
forecast DataFrame out; loading the data is not timed). Accuracy: MAE and RMSSE
(seasonality 1, scaled over each series' pre-holdout history, mean over series) on the
holdout with ``shelfcast.SalesMetrics.evaluate``. For AutoARIMA the selected orders
(p, d, q)(P, D, Q) and constant are compared series by series. Peak memory: the peak RSS
during the call minus the RSS before it (``/proc/self/clear_refs`` resets the counter).

Run ``python benchmarks/bench_arima.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
from bench_ml import reset_peak, status_mb  # the same peak-memory measurement

HORIZON = 28
RUNS = ("autoarima", "mstl", "mstl2")


def load(n: int, seed: int, min_days: int, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from shelfcast.datasets import load_online_retail

    df = load_online_retail(min_days=min_days)[["unique_id", "ds", "y"]]
    ids = np.sort(df["unique_id"].unique())
    if 0 < n < len(ids):
        ids = np.random.default_rng(seed).choice(ids, n, replace=False)
        df = df[df["unique_id"].isin(ids)]
    df = df.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    cutoff = df.groupby("unique_id")["ds"].transform("max") - pd.Timedelta(days=HORIZON)
    keep = df["ds"] <= cutoff
    train, test = df[keep], df[~keep]
    return train.reset_index(drop=True), test.reset_index(drop=True)


def run_shelfcast(kind: str, train: pd.DataFrame) -> tuple[pd.DataFrame, list[str] | None]:
    from shelfcast import DemandForecaster
    from shelfcast.models import MSTL, AutoARIMA

    model = {"autoarima": AutoARIMA(7), "mstl": MSTL(7), "mstl2": MSTL([7, 28])}[kind]
    fc = DemandForecaster([model], freq="D").fit(train)
    out = fc.predict(HORIZON).rename(columns={model.alias: "model"})
    orders = None
    if kind == "autoarima":
        info = fc.arima_models()
        orders = [_order_key(r) for r in info.itertuples()]
    return out, orders


def _order_key(r: object) -> str:
    g = r.__getattribute__
    constant = bool(g("intercept")) or bool(g("drift"))
    return f"({g('p')},{g('d')},{g('q')})({g('P')},{g('D')},{g('Q')}){'c' if constant else ''}"


def run_statsforecast(
    kind: str, train: pd.DataFrame, n_jobs: int
) -> tuple[pd.DataFrame, list[str] | None]:
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoARIMA

    model = {
        "autoarima": AutoARIMA(season_length=7),
        "mstl": MSTL(season_length=7),
        "mstl2": MSTL(season_length=[7, 28]),
    }[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = StatsForecast([model], freq="D", n_jobs=n_jobs)
        sf.fit(df=train)
        out = sf.predict(h=HORIZON).reset_index()
    out = out.rename(columns={str(model): "model", type(model).__name__: "model"})
    orders = None
    if kind == "autoarima":
        orders = []
        for m in sf.fitted_[:, 0]:
            p, q, sp, sq, _, d, sd = m.model_["arma"]
            coef = m.model_["coef"]
            constant = "intercept" in coef or "drift" in coef
            orders.append(f"({p},{d},{q})({sp},{sd},{sq}){'c' if constant else ''}")
    return out, orders


def child(kind: str, lib: str, a: argparse.Namespace) -> None:
    train, test = load(a.n, a.seed, a.min_days, kind)
    import shelfcast

    if lib != "shelfcast":
        import statsforecast  # noqa: F401  (imported outside the timing, like shelfcast)
    base = reset_peak()
    t0 = time.perf_counter()
    if lib == "shelfcast":
        fc, orders = run_shelfcast(kind, train)
    else:
        fc, orders = run_statsforecast(kind, train, int(lib.split("=")[1]))
    seconds = time.perf_counter() - t0
    peak = status_mb("VmHWM")
    merged = test.merge(fc[["unique_id", "ds", "model"]], on=["unique_id", "ds"], how="left")
    scores = shelfcast.SalesMetrics.evaluate(
        merged, ["mae", "rmsse"], models=["model"], train_df=train, aggregate=True
    )
    row = scores.set_index("metric")["model"]
    print(
        json.dumps(
            {
                "kind": kind,
                "lib": lib,
                "seconds": seconds,
                "mae": float(row["mae"]),
                "rmsse": float(row["rmsse"]),
                "peak_mb": peak - base,
                "series": int(train["unique_id"].nunique()),
                "missing": int(merged["model"].isna().sum()),
                "orders": orders,
            }
        )
    )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--models", nargs="+", default=list(RUNS), choices=list(RUNS))
    p.add_argument("--n", type=int, default=300, help="series in the sample (0 = all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--min-days", type=int, default=365)
    p.add_argument(
        "--sf-jobs", type=int, nargs="+", default=[1], help="statsforecast n_jobs values"
    )
    p.add_argument("--json", help="write the results here")
    p.add_argument("--child", nargs=2, metavar=("KIND", "LIB"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a.child[0], a.child[1], a)
        return
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
        f"sample n={a.n} (seed {a.seed}, >= {a.min_days} days)",
        flush=True,
    )
    passthrough = [f"--n={a.n}", f"--seed={a.seed}", f"--min-days={a.min_days}"]
    results = []
    for kind in a.models:
        for lib in ["shelfcast", *(f"statsforecast n_jobs={j}" for j in a.sf_jobs)]:
            cmd = [sys.executable, __file__, "--child", kind, lib.replace(" ", "_"), *passthrough]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"{kind}/{lib} failed")
            r = json.loads(out.stdout.strip().splitlines()[-1])
            r["lib"] = lib
            results.append(r)
            print(
                f"{kind:10s} {lib:24s} {r['seconds']:9.2f} s  MAE {r['mae']:.4f}  "
                f"RMSSE {r['rmsse']:.4f}  peak +{r['peak_mb']:.0f} MB  ({r['series']} series)",
                flush=True,
            )
    print(
        f"\n{'model':10s} {'peer':24s} {'speed-up':>9s} {'RMSSE sc':>9s} {'RMSSE peer':>10s} "
        f"{'gap':>8s} {'MAE sc':>8s} {'MAE peer':>9s} {'mem sc':>7s} {'mem peer':>9s}"
    )
    for kind in a.models:
        ours = next(r for r in results if r["kind"] == kind and r["lib"] == "shelfcast")
        for peer in (r for r in results if r["kind"] == kind and r["lib"] != "shelfcast"):
            gap = ours["rmsse"] / peer["rmsse"] - 1
            print(
                f"{kind:10s} {peer['lib']:24s} {peer['seconds'] / ours['seconds']:8.1f}x "
                f"{ours['rmsse']:9.4f} {peer['rmsse']:10.4f} {100 * gap:+7.2f}% "
                f"{ours['mae']:8.4f} {peer['mae']:9.4f} {ours['peak_mb']:6.0f}M "
                f"{peer['peak_mb']:8.0f}M"
            )
            if ours["orders"] and peer["orders"]:
                same = np.array(ours["orders"]) == np.array(peer["orders"])
                print(
                    f"{'':10s} selected order (p,d,q)(P,D,Q)+constant agrees on "
                    f"{same.sum()}/{len(same)} series ({100 * same.mean():.1f} %)"
                )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
