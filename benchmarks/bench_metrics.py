"""Benchmark SalesMetrics against utilsforecast and pandas groupby on the same work.

1. ``SalesMetrics.evaluate`` on a cross-validation frame of 30,000 series × 28 days ×
   3 cutoffs × 5 models (12.6 M forecasts) with mae, mse, rmse, bias, mape, smape, mase and
   rmsse (history of ``--train-days`` days per series, cut at each cutoff), against
   ``utilsforecast.evaluation.evaluate`` with the same losses (sMAPE and MAPE rescaled).
2. ``SalesMetrics(df).summary()`` on the Kaggle store-item panel (10 stores × 50 items ×
   1,826 days) replicated to ~30,000 series (≈ 55 M rows, M5-sized), against a vectorised
   pandas groupby computing the same columns (totals, moments, zero share, selling days,
   first/last sale, trend slope and growth, seasonal strength with m = 7). The Kaggle file
   is read from ``../shared/datasets/store_item_demand`` and never copied; the benchmark
   skips that part when it is absent.

Both sides are checked to agree before timing is reported. Usage::

    python benchmarks/bench_metrics.py [--series 30000] [--copies 60] [--repeat 1]
"""

from __future__ import annotations

import argparse
import gc
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import shelfcast
from shelfcast.exceptions import UndefinedMetricWarning

STORE_ITEM = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "datasets"
    / "store_item_demand"
    / "train.csv.gz"
)
MODELS = ["M1", "M2", "M3", "M4", "M5"]
METRICS = ["mae", "mse", "rmse", "bias", "mape", "smape", "mase", "rmsse"]


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


# ---------------------------------------------------------------- 1. evaluate


def cv_frames(n_series: int, h: int, windows: int, train_days: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    n_days = train_days + h * windows
    ids = np.array([f"item_{i:06d}" for i in range(n_series)], dtype=object)
    level = rng.gamma(2.0, 2.0, n_series)
    y = rng.poisson(np.repeat(level, n_days)).astype(np.float64).reshape(n_series, n_days)
    dates = pd.date_range("2020-01-01", periods=n_days, freq="D").to_numpy()
    train = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, n_days),
            "ds": np.tile(dates, n_series),
            "y": y.ravel(),
        }
    )
    parts = []
    for w in range(windows):
        start = train_days + w * h
        cutoff = dates[start - 1]
        block = y[:, start : start + h]
        part = {
            "unique_id": np.repeat(ids, h),
            "ds": np.tile(dates[start : start + h], n_series),
            "cutoff": np.full(n_series * h, cutoff),
            "y": block.ravel(),
        }
        for k, m in enumerate(MODELS):
            noise = rng.normal(0, 0.5 + 0.3 * k, block.shape)
            part[m] = np.maximum(block + noise, 0.0).ravel()
        parts.append(pd.DataFrame(part))
    cv = pd.concat(parts, ignore_index=True).sort_values(["unique_id", "cutoff", "ds"])
    return cv.reset_index(drop=True), train


def bench_evaluate(args) -> None:
    from utilsforecast import losses
    from utilsforecast.evaluation import evaluate as uf_evaluate

    cv, train = cv_frames(args.series, 28, 3, args.train_days)
    print(
        f"evaluate: {cv.unique_id.nunique():,} series x 28 days x 3 cutoffs x "
        f"{len(MODELS)} models = {len(cv) * len(MODELS):,} forecasts; metrics {METRICS}; "
        f"train_df {len(train):,} rows"
    )

    def ours():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            return shelfcast.SalesMetrics.evaluate(
                cv, METRICS, models=MODELS, train_df=train, seasonality=1
            )

    def named(fn, name):
        fn.__name__ = name
        return fn

    uf_losses = [
        losses.mae,
        losses.mse,
        losses.rmse,
        losses.bias,
        losses.mape,
        losses.smape,
        named(partial(losses.mase, seasonality=1), "mase"),
        named(partial(losses.rmsse, seasonality=1), "rmsse"),
    ]

    def theirs():
        return uf_evaluate(cv, uf_losses, models=MODELS, train_df=train)

    t_ours, a = best_of(ours, args.repeat)
    t_theirs, b = best_of(theirs, max(1, args.repeat // 2))
    a = a.set_index(["unique_id", "cutoff", "metric"])[MODELS].sort_index()
    b = b.set_index(["unique_id", "cutoff", "metric"])[MODELS].sort_index()
    scale = pd.Series(1.0, index=b.index)
    scale[b.index.get_level_values("metric") == "mape"] = 100.0  # ours in percent
    scale[b.index.get_level_values("metric") == "smape"] = 200.0  # M4 definition
    with np.errstate(invalid="ignore"):  # inf - inf where a scale is 0 on both sides
        diff = np.nanmax(np.abs(a.to_numpy() - b.mul(scale, axis=0).reindex(a.index).to_numpy()))
    print(f"  max |ours - utilsforecast| = {diff:.2e} (after the documented MAPE/sMAPE scaling)")
    print(f"  shelfcast    {t_ours:8.3f} s")
    print(f"  utilsforecast{t_theirs:8.3f} s   -> {t_theirs / t_ours:6.1f}x faster")


# ---------------------------------------------------------------- 2. summary


def store_item_panel(copies: int) -> pd.DataFrame:
    raw = pd.read_csv(STORE_ITEM, parse_dates=["date"])
    raw = raw.sort_values(["store", "item", "date"])
    n_days = raw.date.nunique()
    base_ids = raw.store.astype(str).str.zfill(2) + "_" + raw.item.astype(str).str.zfill(2)
    base_ids = base_ids.to_numpy()[::n_days]
    y = raw.sales.to_numpy(np.float64).reshape(len(base_ids), n_days)
    dates = raw.date.to_numpy()[:n_days]
    rng = np.random.default_rng(1)
    ids = np.array([f"r{c:02d}_{b}" for c in range(copies) for b in base_ids], dtype=object)
    # each copy is the base panel with thinned sales (binomial), so copies differ
    keep = rng.uniform(0.3, 1.0, size=(copies, 1, 1))
    ys = rng.binomial(np.broadcast_to(y.astype(np.int64), (copies, *y.shape)), keep)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(ids, n_days),
            "ds": np.tile(dates, len(ids)),
            "y": ys.reshape(-1).astype(np.float64),
        }
    )


def pandas_summary(df: pd.DataFrame, m: int = 7) -> pd.DataFrame:
    """The same columns as SalesMetrics.summary(), with pandas groupby (vectorised)."""
    g = df.groupby("unique_id", sort=True)
    y = df["y"]
    out = pd.DataFrame(
        {
            "n_periods": g.size(),
            "total": g.y.sum(),
            "mean": g.y.mean(),
            "std": g.y.std(),
        }
    )
    out["zero_share"] = (y == 0).groupby(df.unique_id).mean()
    out["selling_periods"] = (y > 0).groupby(df.unique_id).sum()
    sold = df.loc[y > 0, ["unique_id", "ds"]].groupby("unique_id").ds
    out["first_sale"] = sold.min()
    out["last_sale"] = sold.max()
    t = g.cumcount().astype(np.float64)
    n = out.n_periods.reindex(df.unique_id).to_numpy()
    dt = t - (n - 1) / 2
    dy = y - out["mean"].reindex(df.unique_id).to_numpy()
    sxy = (dt * dy).groupby(df.unique_id).sum()
    sxx = (dt * dt).groupby(df.unique_id).sum()
    out["trend_slope"] = sxy / sxx
    out["trend_growth"] = out.trend_slope * (out.n_periods - 1) / out["mean"]
    trend = g.y.rolling(m, center=True).mean().reset_index(level=0, drop=True).sort_index()
    detr = y - trend
    phase = (t % m).astype(np.int64)
    pm = detr.groupby([df.unique_id, phase]).mean()
    pm = pm - pm.groupby(level=0).transform("mean")
    seasonal = pm.reindex(pd.MultiIndex.from_arrays([df.unique_id, phase])).to_numpy()
    resid = detr - seasonal
    ok = resid.notna()
    var_r = resid[ok].groupby(df.unique_id[ok]).var(ddof=0)
    var_sr = (resid + seasonal)[ok].groupby(df.unique_id[ok]).var(ddof=0)
    out["seasonal_strength"] = (1 - var_r / var_sr).clip(lower=0)
    return out


def bench_summary(args) -> None:
    if not STORE_ITEM.exists():
        print(f"summary: skipped ({STORE_ITEM} is absent)")
        return
    df = store_item_panel(args.copies)
    print(
        f"summary: store-item panel x {args.copies} copies = {df.unique_id.nunique():,} series, "
        f"{len(df):,} rows"
    )

    def ours():
        return shelfcast.SalesMetrics(df).summary(season_length=7)

    t_ours, a = best_of(ours, args.repeat)
    t_build, sm = best_of(lambda: shelfcast.SalesMetrics(df), 1)
    t_only, _ = best_of(lambda: sm.summary(season_length=7), args.repeat)
    t_theirs, b = best_of(lambda: pandas_summary(df), max(1, args.repeat // 2))
    a = a.set_index("unique_id")
    cols = [
        "total",
        "mean",
        "std",
        "zero_share",
        "trend_slope",
        "trend_growth",
        "seasonal_strength",
    ]
    diff = max(float(np.nanmax(np.abs(a[c].to_numpy() - b[c].to_numpy()))) for c in cols)
    same = (a.first_sale.to_numpy() == b.first_sale.to_numpy()).all()
    print(f"  max |ours - pandas| = {diff:.2e}; first_sale equal: {same}")
    print(
        f"  shelfcast (construct + summary) {t_ours:8.3f} s"
        f"   (construct {t_build:.3f} s, summary alone {t_only:.3f} s)"
    )
    print(
        f"  pandas groupby                  {t_theirs:8.3f} s"
        f"   -> {t_theirs / t_ours:6.1f}x faster ({t_theirs / t_only:.1f}x summary alone)"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--series", type=int, default=30_000)
    p.add_argument("--train-days", type=int, default=120)
    p.add_argument("--copies", type=int, default=60)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--only", choices=["evaluate", "summary"], default=None)
    args = p.parse_args()
    print(
        f"shelfcast {shelfcast.__version__}, {shelfcast.num_threads()} threads, "
        f"pandas {pd.__version__}, numpy {np.__version__}"
    )
    if args.only in (None, "evaluate"):
        bench_evaluate(args)
    if args.only in (None, "summary"):
        bench_summary(args)


if __name__ == "__main__":
    main()
