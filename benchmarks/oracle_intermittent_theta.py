"""Compare shelfcast's optimised-SES, intermittent and theta models with statsforecast 2.1.1.

Usage::

    python benchmarks/oracle_intermittent_theta.py online_retail [--models A,B] [--every K]
    python benchmarks/oracle_intermittent_theta.py m5

Forecasts 28 days on the bundled Online Retail panel (``min_days=100``) or the M5 10-series
excerpt (``../shared/datasets/m5_excerpt``), prints per model the largest absolute and
relative difference, the share of series within 1e-6 (absolute and relative) and the share
that is bit for bit equal, and the wall time of both libraries. statsforecast's theta
models are slow (about 0.5 s per Online Retail SKU for all five): pass ``--cache FILE`` to
keep its forecasts in a parquet file between runs.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import shelfcast.models as sm
from shelfcast import DemandForecaster
from shelfcast.datasets import load_online_retail

H = 28
SEASON = 7
M5_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "m5_excerpt"
INTERMITTENT = ["CrostonOptimized", "ADIDA", "IMAPA", "SimpleExponentialSmoothingOptimized"]
THETA = ["Theta", "OptimizedTheta", "DynamicTheta", "DynamicOptimizedTheta", "AutoTheta"]


def load(name: str) -> pd.DataFrame:
    """The long-format panel of `name` ("online_retail" or "m5")."""
    if name == "online_retail":
        return load_online_retail(min_days=100)[["unique_id", "ds", "y"]]
    wide = pd.read_csv(M5_DIR / "sales_train_validation_10series.csv")
    cal = pd.read_csv(M5_DIR / "calendar.csv", usecols=["d", "date"])
    days = [c for c in wide.columns if c.startswith("d_")]
    long = wide.melt(id_vars=["id"], value_vars=days, var_name="d", value_name="y")
    long = long.merge(cal, on="d")
    df = pd.DataFrame(
        {
            "unique_id": long["id"],
            "ds": pd.to_datetime(long["date"]),
            "y": long["y"].astype(np.float64),
        }
    )
    return df.sort_values(["unique_id", "ds"], ignore_index=True)


def ours(name: str) -> sm.Model:
    cls = getattr(sm, name)
    return cls(SEASON) if name in THETA else cls()


def oracle(name: str):
    import statsforecast.models as sfm

    if name in THETA:
        return getattr(sfm, name)(season_length=SEASON)
    return getattr(sfm, name)(alias=name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", choices=["online_retail", "m5"])
    ap.add_argument("--models", default=",".join(INTERMITTENT + THETA))
    ap.add_argument("--every", type=int, default=1, help="use every k-th series")
    ap.add_argument("--cache", type=Path, help="parquet file for statsforecast's forecasts")
    args = ap.parse_args()
    names = args.models.split(",")
    df = load(args.dataset)
    if args.every > 1:
        df = df[df["unique_id"].isin(df["unique_id"].unique()[:: args.every])]
    from statsforecast import StatsForecast

    if args.cache and args.cache.exists():
        sf = pd.read_parquet(args.cache)
        print(f"statsforecast: cached in {args.cache}")
    else:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sf = StatsForecast(models=[oracle(n) for n in names], freq="D", n_jobs=-1).forecast(
                df=df, h=H
            )
        print(f"statsforecast: {time.perf_counter() - t:.1f} s")
        if args.cache:
            sf.to_parquet(args.cache)
    t = time.perf_counter()
    fc = DemandForecaster([ours(n) for n in names], freq="D", season_length=SEASON)
    mine = fc.forecast(df, h=H)
    n_series = df["unique_id"].nunique()
    print(f"shelfcast:     {time.perf_counter() - t:.1f} s ({n_series} series, h={H})")
    sf = sf[sf["unique_id"].isin(mine["unique_id"].unique())]
    sf = sf.sort_values(["unique_id", "ds"], ignore_index=True)
    mine = mine.sort_values(["unique_id", "ds"], ignore_index=True)
    assert (
        sf["unique_id"].astype(str).to_numpy() == mine["unique_id"].astype(str).to_numpy()
    ).all()
    ids = mine["unique_id"].to_numpy()
    print(f"{'model':38s} {'max abs':>10s} {'max rel':>10s} {'<=1e-6':>8s} {'bit-exact':>9s}")
    for n in names:
        a, b = mine[n].to_numpy(), sf[n].to_numpy()
        ad = np.abs(a - b)
        rd = np.where(ad == 0, 0.0, ad / np.maximum(np.abs(b), 1e-300))
        ok = pd.Series((ad <= 1e-6) & (rd <= 1e-6)).groupby(ids).all()
        exact = pd.Series(a == b).groupby(ids).all()
        print(f"{n:38s} {ad.max():10.2e} {rd.max():10.2e} {ok.mean():8.2%} {exact.mean():9.2%}")
        if not ok.all():
            print("    outside 1e-6:", ", ".join(map(str, ok.index[~ok][:10])))
    fell = fc.fallbacks_
    if len(fell):
        print("fallbacks:", fell.groupby(["model", "reason"]).size().to_dict())


if __name__ == "__main__":
    main()
