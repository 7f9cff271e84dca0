#!/usr/bin/env python
"""Benchmark shelfcast's DemandForecaster against statsforecast on the bundled panel.

One process run: load the bundled UCI Online Retail daily SKU panel, hold out the last
``--horizon`` days (28), keep SKUs with at least ``--min-days`` training days (365), then
time, per model and for all models in one call, the end-to-end call

* shelfcast:      ``DemandForecaster(models, freq="D").forecast(train, h=28)``
* statsforecast:  ``StatsForecast(models, freq="D", n_jobs=1).forecast(df=train, h=28)``
* statsforecast:  the same with ``n_jobs=--sf-jobs`` (default -1 = one process per core)

(pandas DataFrame in -> forecast DataFrame out, best of ``--repeats`` runs each, runs
interleaved across libraries), and score both libraries' forecasts on the holdout with the
same metric code (``shelfcast.SalesMetrics.evaluate``: MAE and RMSSE, plain scale,
seasonality 1, mean over series), cross-checked with ``utilsforecast.losses``.

See benchmarks/README.md. Run ``python benchmarks/bench_forecast.py --help``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# statsforecast warns once per series shorter than a season (only with a small --min-days);
# the benchmark reports those series itself
warnings.filterwarnings("ignore", message="Historical data .* shorter than season_length")

HORIZON = 28
SEASON = 7
DEFAULT_MODELS = ["SeasonalNaive", "CrostonClassic"]
ALL_MODELS = ["SeasonalNaive", "CrostonClassic", "Naive", "HistoricAverage", "CrostonSBA"]
WARMUP_SERIES = 200  # size of the warm-up panel (first N series of the benchmark panel)


# --------------------------------------------------------------------------- models
def shelfcast_models(names: list[str]) -> list[Any]:
    from shelfcast import models as m

    make = {
        "SeasonalNaive": lambda: m.SeasonalNaive(SEASON, alias="SeasonalNaive"),
        "CrostonClassic": lambda: m.CrostonClassic(alias="CrostonClassic"),
        "CrostonSBA": lambda: m.CrostonSBA(alias="CrostonSBA"),
        "Naive": lambda: m.Naive(alias="Naive"),
        "HistoricAverage": lambda: m.HistoricAverage(alias="HistoricAverage"),
    }
    return [make[n]() for n in names]


def statsforecast_models(names: list[str]) -> list[Any]:
    from statsforecast import models as m

    make = {
        "SeasonalNaive": lambda: m.SeasonalNaive(season_length=SEASON, alias="SeasonalNaive"),
        "CrostonClassic": lambda: m.CrostonClassic(alias="CrostonClassic"),
        "CrostonSBA": lambda: m.CrostonSBA(alias="CrostonSBA"),
        "Naive": lambda: m.Naive(alias="Naive"),
        "HistoricAverage": lambda: m.HistoricAverage(alias="HistoricAverage"),
    }
    return [make[n]() for n in names]


def run_shelfcast(train: pd.DataFrame, names: list[str], h: int) -> pd.DataFrame:
    from shelfcast import DemandForecaster

    return DemandForecaster(shelfcast_models(names), freq="D").forecast(train, h=h)


def run_statsforecast(train: pd.DataFrame, names: list[str], h: int, n_jobs: int) -> pd.DataFrame:
    from statsforecast import StatsForecast

    return StatsForecast(statsforecast_models(names), freq="D", n_jobs=n_jobs).forecast(
        df=train, h=h
    )


def resolved_sf_jobs(n_jobs: int, n_series: int) -> int:
    """How many worker processes statsforecast 2.1.1 actually uses (its _get_n_jobs)."""
    actual = os.cpu_count() if n_jobs in (-1, None) else n_jobs
    return min(n_series, actual or 1)


# ----------------------------------------------------------------------------- data
@dataclass
class Data:
    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: pd.Timestamp
    n_series: int
    n_train_rows: int
    n_panel_series: int
    load_seconds: float


def load_data(min_days: int, h: int) -> Data:
    """The bundled panel split into train (all but the last h days) and test (last h days).

    Keeps the SKUs with at least ``min_days`` (>= 1) training days. Every SKU of the panel runs
    to the same last day, so its training days are its panel days minus h.
    """
    from shelfcast.datasets import load_online_retail

    t0 = time.perf_counter()
    full = load_online_retail()
    n_panel_series = int(full["unique_id"].nunique())
    last = full["ds"].max()
    cutoff = last - pd.Timedelta(days=h)
    train_days = full.loc[full["ds"] <= cutoff].groupby("unique_id", sort=False).size()
    keep = train_days.index[train_days >= max(min_days, 1)]
    df = full.loc[full["unique_id"].isin(keep), ["unique_id", "ds", "y"]]
    train = df.loc[df["ds"] <= cutoff].reset_index(drop=True)
    test = df.loc[df["ds"] > cutoff].reset_index(drop=True)
    load_seconds = time.perf_counter() - t0
    # every kept SKU has exactly h test days (the panel is zero-filled to its end)
    assert len(test) == len(keep) * h, (len(test), len(keep))
    return Data(
        train=train,
        test=test,
        cutoff=cutoff,
        n_series=len(keep),
        n_train_rows=len(train),
        n_panel_series=n_panel_series,
        load_seconds=load_seconds,
    )


def warmup_panel(train: pd.DataFrame, n: int = WARMUP_SERIES) -> pd.DataFrame:
    ids = train["unique_id"].drop_duplicates().iloc[:n]
    return train.loc[train["unique_id"].isin(ids)].reset_index(drop=True)


# --------------------------------------------------------------------------- timing
@dataclass
class Timing:
    times: list[float] = field(default_factory=list)
    output: pd.DataFrame | None = None

    @property
    def best(self) -> float:
        return min(self.times)


def timed(fn: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_config(
    data: Data, names: list[str], h: int, repeats: int, sf_jobs: int
) -> dict[str, Timing]:
    """Best-of-``repeats`` end-to-end times of the three runners, interleaved run by run."""
    runners = {
        "shelfcast": lambda: run_shelfcast(data.train, names, h),
        "sf_1": lambda: run_statsforecast(data.train, names, h, 1),
        "sf_n": lambda: run_statsforecast(data.train, names, h, sf_jobs),
    }
    res = {k: Timing() for k in runners}
    for _ in range(repeats):
        for key, fn in runners.items():
            secs, out = timed(fn)
            res[key].times.append(secs)
            res[key].output = out
    return res


def shelfcast_breakdown(train: pd.DataFrame, names: list[str], h: int, repeats: int) -> dict:
    """Split shelfcast's forecast() into its pandas/numpy side and its native side.

    Uses private helpers (shelfcast._frame.to_panel, DemandForecaster._fit_panel/_core), the
    same steps DemandForecaster.fit/predict run. Best of ``repeats`` per step.
    """
    from shelfcast import DemandForecaster
    from shelfcast._frame import _ids, to_panel

    steps: dict[str, list[float]] = {
        "to_panel (validate + sort + factorize ids, pandas/numpy)": [],
        "  of which ids: isna + factorize(sort=True) (timed alone)": [],
        "native fit (Rust, rayon)": [],
        "native predict (Rust)": [],
        "output frame (future dates + DataFrame, pandas)": [],
        "total": [],
    }
    keys = list(steps)
    for _ in range(repeats):
        gc.collect()
        fc = DemandForecaster(shelfcast_models(names), freq="D")
        t0 = time.perf_counter()
        panel = to_panel(train, fc._offset)
        t1 = time.perf_counter()
        fc._fit_panel(panel)
        t2 = time.perf_counter()
        fc._core.predict(h)
        t3 = time.perf_counter()
        fc.predict(h)  # native predict again + the frame
        t4 = time.perf_counter()
        native_pred = t3 - t2
        t5 = time.perf_counter()
        _ids(train, "unique_id", "df")
        t6 = time.perf_counter()
        steps[keys[0]].append(t1 - t0)
        steps[keys[1]].append(t6 - t5)
        steps[keys[2]].append(t2 - t1)
        steps[keys[3]].append(native_pred)
        steps[keys[4]].append(max(t4 - t3 - native_pred, 0.0))
        steps[keys[5]].append((t2 - t0) + (t4 - t3))
    return {k: min(v) for k, v in steps.items()}


def statsforecast_breakdown(train: pd.DataFrame, names: list[str], h: int, repeats: int) -> dict:
    """statsforecast n_jobs=1: time inside its per-series model.forecast calls vs the rest."""
    from statsforecast import StatsForecast

    best = None
    for _ in range(repeats):
        gc.collect()
        sf = StatsForecast(statsforecast_models(names), freq="D", n_jobs=1)
        t0 = time.perf_counter()
        sf.forecast(df=train, h=h)
        total = time.perf_counter() - t0
        loop = float(sum(sf.forecast_times_.values()))
        if best is None or total < best["total"]:
            best = {
                "model.forecast calls, per series (forecast_times_)": loop,
                "rest (process_df, loop overhead, output frame)": total - loop,
                "total": total,
            }
    return best


# ------------------------------------------------------------------------- accuracy
def finite_series(fc: pd.DataFrame, name: str) -> set:
    """Ids of the series whose forecasts of model ``name`` are all finite."""
    bad = fc.loc[~np.isfinite(fc[name].to_numpy(dtype=np.float64)), "unique_id"]
    return set(fc["unique_id"].unique()) - set(bad.unique())


def accuracy(
    fc: pd.DataFrame, data: Data, names: list[str], scored: dict[str, set]
) -> dict[str, dict[str, float]]:
    """MAE and RMSSE (seasonality 1) per model, mean over the series in ``scored[model]``,
    with shelfcast's metric code and with utilsforecast.losses; also counts the per-series
    values that are not finite (left out of the means)."""
    from shelfcast import SalesMetrics
    from utilsforecast import losses

    out: dict[str, dict[str, float]] = {}
    for n in names:
        ids = scored[n]
        test = data.test.loc[data.test["unique_id"].isin(ids)]
        train = data.train.loc[data.train["unique_id"].isin(ids)]
        merged = test.merge(fc[["unique_id", "ds", n]], on=["unique_id", "ds"], how="left")
        per = SalesMetrics.evaluate(
            merged, ["mae", "rmsse"], models=[n], train_df=train, seasonality=1
        )
        ref = {
            "mae": losses.mae(merged, [n])[n].to_numpy(dtype=np.float64),
            "rmsse": losses.rmsse(merged, [n], seasonality=1, train_df=train)[n].to_numpy(
                dtype=np.float64
            ),
        }
        res: dict[str, float] = {"n_series_scored": len(ids)}
        for metric in ("mae", "rmsse"):
            v = per.loc[per["metric"] == metric, n].to_numpy(dtype=np.float64)
            fin = np.isfinite(v)
            res[metric] = float(v[fin].mean())
            res[f"{metric}_nonfinite_series"] = int((~fin).sum())
            u = ref[metric]
            res[f"{metric}_utilsforecast"] = float(u[np.isfinite(u)].mean())
        out[n] = res
    return out


def forecast_diff(a: pd.DataFrame, b: pd.DataFrame, names: list[str]) -> dict[str, dict]:
    """Max |a - b| per model over rows where both are finite, after aligning on (id, ds)."""
    m = a[["unique_id", "ds", *names]].merge(
        b[["unique_id", "ds", *names]], on=["unique_id", "ds"], how="outer", suffixes=("_a", "_b")
    )
    out = {}
    for n in names:
        x = m[f"{n}_a"].to_numpy(dtype=np.float64)
        y = m[f"{n}_b"].to_numpy(dtype=np.float64)
        both = np.isfinite(x) & np.isfinite(y)
        out[n] = {
            "max_abs_diff": float(np.abs(x[both] - y[both]).max()) if both.any() else float("nan"),
            "rows_only_one_finite": int((np.isfinite(x) ^ np.isfinite(y)).sum()),
            "rows": len(m),
        }
    return out


def differing_series(a: pd.DataFrame, b: pd.DataFrame, name: str, tol: float = 1e-9) -> set:
    """Ids of the series where the two forecasts of ``name`` differ (NaN vs value counts)."""
    m = a[["unique_id", "ds", name]].merge(
        b[["unique_id", "ds", name]], on=["unique_id", "ds"], how="outer", suffixes=("_a", "_b")
    )
    x = m[f"{name}_a"].to_numpy(dtype=np.float64)
    y = m[f"{name}_b"].to_numpy(dtype=np.float64)
    same = (np.abs(x - y) <= tol) | (np.isnan(x) & np.isnan(y))
    return set(m.loc[~same, "unique_id"].unique())


# --------------------------------------------------------------------------- memory
def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM and ru_maxrss) for this process."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _malloc_trim() -> bool:
    """Give freed heap memory back to the OS (glibc), so that RSS counts live data only and a
    forecast call cannot hide its allocations in pages freed by the data loading."""
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def _status_kb(field_name: str) -> int:
    """A ``kB`` field of /proc/self/status (VmRSS: current RSS, VmHWM: peak RSS)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def memory_worker(args: argparse.Namespace) -> None:
    """Child process for --memory: prepare data, warm up, then measure one forecast call."""
    import resource

    lib, n_jobs = args._worker, args._worker_jobs
    names = args.models
    data = load_data(args.min_days, args.horizon)
    warm = warmup_panel(data.train)
    if lib == "shelfcast":
        fn = lambda df: run_shelfcast(df, names, args.horizon)  # noqa: E731
    else:
        fn = lambda df: run_statsforecast(df, names, args.horizon, n_jobs)  # noqa: E731
    fn(warm)
    del warm
    gc.collect()
    trimmed = _malloc_trim()
    reset = _reset_peak_rss()
    before = _status_kb("VmRSS")
    fn(data.train)
    # VmHWM, not ru_maxrss: getrusage(RUSAGE_SELF) also folds in the peak recorded when any
    # thread exited earlier (e.g. during data loading), which clear_refs does not reset
    self_peak = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "rss_before_kb": before,
                "peak_rss_kb": self_peak,
                "peak_increase_kb": self_peak - before,
                "peak_was_reset": reset,
                "malloc_trimmed": trimmed,
                "largest_child_peak_rss_kb": child_peak,
            }
        )
    )


def measure_memory(args: argparse.Namespace, sf_jobs: int) -> dict[str, dict]:
    base = [
        sys.executable,
        os.path.abspath(__file__),
        "--min-days",
        str(args.min_days),
        "--horizon",
        str(args.horizon),
        "--models",
        *args.models,
    ]
    out = {}
    for key, lib, jobs in (
        ("shelfcast", "shelfcast", 0),
        ("sf_1", "statsforecast", 1),
        ("sf_n", "statsforecast", sf_jobs),
    ):
        cmd = [*base, "--_worker", lib, "--_worker-jobs", str(jobs)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            out[key] = {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        out[key] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# --------------------------------------------------------------------------- output
def fmt_s(x: float) -> str:
    return f"{x:.3f}"


def fmt_num(x: float | None, nd: int = 4) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    return f"{x:.{nd}f}"


def fmt_diff(x: float) -> str:
    return "-" if np.isnan(x) else f"{x:.1e}"


def print_table(headers: list[str], rows: list[list[str]], align_left: int = 1) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = zip(cells, widths, strict=True)
        return "  ".join(
            c.ljust(w) if i < align_left else c.rjust(w) for i, (c, w) in enumerate(padded)
        )

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def parse_models(raw: list[str]) -> list[str]:
    names: list[str] = []
    by_lower = {m.lower(): m for m in ALL_MODELS}
    for item in raw:
        for tok in item.split(","):
            tok = tok.strip()
            if not tok:
                continue
            if tok.lower() not in by_lower:
                raise SystemExit(f"unknown model {tok!r}; choose from {', '.join(ALL_MODELS)}")
            name = by_lower[tok.lower()]
            if name not in names:
                names.append(name)
    if not names:
        raise SystemExit("--models needs at least one model")
    return names


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Time shelfcast vs statsforecast on the bundled Online Retail panel.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--min-days", type=int, default=365, help="keep SKUs with at least this many training days"
    )
    p.add_argument(
        "--models",
        nargs="+",
        default=DEFAULT_MODELS,
        help=f"models (space or comma separated) among {', '.join(ALL_MODELS)}; "
        "SeasonalNaive uses season 7",
    )
    p.add_argument("--repeats", type=int, default=3, help="timed runs per library; best is kept")
    p.add_argument("--horizon", type=int, default=HORIZON, help="holdout / forecast days")
    p.add_argument(
        "--sf-jobs",
        type=int,
        default=-1,
        help="n_jobs of the second statsforecast column (-1 = os.cpu_count())",
    )
    p.add_argument(
        "--no-breakdown", action="store_true", help="skip the pandas-vs-native time breakdown"
    )
    p.add_argument(
        "--memory",
        action="store_true",
        help="also measure peak RSS of one all-models call per library, each in a fresh subprocess",
    )
    p.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH")
    p.add_argument("--_worker", help=argparse.SUPPRESS)
    p.add_argument(
        "--_worker-jobs", dest="_worker_jobs", type=int, default=1, help=argparse.SUPPRESS
    )
    return p


def versions() -> dict[str, str]:
    import shelfcast
    import statsforecast
    import utilsforecast

    return {
        "python": platform.python_version(),
        "shelfcast": shelfcast.__version__,
        "statsforecast": statsforecast.__version__,
        "utilsforecast": utilsforecast.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.models = parse_models(args.models)
    if args.repeats < 1:
        raise SystemExit("--repeats must be >= 1")
    if args.horizon < 1:
        raise SystemExit("--horizon must be >= 1")
    if args._worker:
        memory_worker(args)
        return 0

    t_start = time.perf_counter()
    t0 = time.perf_counter()
    import shelfcast
    import shelfcast.datasets

    import_sc = time.perf_counter() - t0
    t0 = time.perf_counter()
    import statsforecast.core
    import statsforecast.models  # noqa: F401

    import_sf = time.perf_counter() - t0
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    h = args.horizon
    names = args.models
    ver = versions()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print("shelfcast vs statsforecast -- end-to-end forecast(), pandas DataFrame in -> out")
    print("  " + ", ".join(f"{k} {v}" for k, v in ver.items()))
    print(
        f"  cores available: {cores} (os.cpu_count()={os.cpu_count()}); "
        f"shelfcast threads: {shelfcast.num_threads()}; 1-min load average at start: "
        f"{load_avg:.2f}"
    )
    if load_avg > 0.5:
        print(
            "  warning: the machine is not idle; timings may include interference from other "
            "processes"
        )
    print(f"  import time (excluded): shelfcast {import_sc:.2f} s, statsforecast {import_sf:.2f} s")

    data = load_data(args.min_days, h)
    if data.n_series == 0:
        raise SystemExit(f"no SKU has >= {args.min_days} training days")
    sf_jobs = resolved_sf_jobs(args.sf_jobs, data.n_series)
    print(
        f"  panel: bundled UCI Online Retail daily SKU panel, {data.n_panel_series} SKUs "
        f"(loaded and split in {data.load_seconds:.1f} s)"
    )
    print(
        f"  holdout: last {h} days (> {data.cutoff.date()}); series kept (>= {args.min_days} "
        f"training days): {data.n_series}; training rows: {data.n_train_rows:,}; "
        f"test rows: {len(data.test):,}"
    )
    print(
        f"  timing: best of {args.repeats} runs per library, runs interleaved; "
        f"statsforecast n_jobs={args.sf_jobs} -> {sf_jobs} worker processes"
    )

    # warm-up: every runner once on a small panel, so first-call costs (lazy imports, thread
    # pool start, allocator) are excluded for both libraries
    warm = warmup_panel(data.train)
    t0 = time.perf_counter()
    run_statsforecast(warm, names, h, 1)
    sf_first_call = time.perf_counter() - t0
    run_statsforecast(warm, names, h, sf_jobs)
    t0 = time.perf_counter()
    run_shelfcast(warm, names, h)
    sc_first_call = time.perf_counter() - t0
    try:
        import numba  # noqa: F401

        has_numba = True
    except ImportError:
        has_numba = False
    jit_note = (
        "numba is installed"
        if has_numba
        else "statsforecast 2.1.1 does not use numba (not installed): its kernels are "
        "compiled C++, so there is no JIT to exclude"
    )
    print(
        f"  warm-up: each runner ran once on the first {min(WARMUP_SERIES, data.n_series)} "
        f"series before timing (excluded); first calls took shelfcast {sc_first_call:.3f} s, "
        f"statsforecast {sf_first_call:.3f} s; {jit_note}"
    )

    configs: list[tuple[str, list[str]]] = [(n, [n]) for n in names]
    if len(names) > 1:
        configs.append(("all (" + "+".join(names) + ")", names))

    results: dict[str, dict[str, Timing]] = {}
    for label, cfg in configs:
        results[label] = bench_config(data, cfg, h, args.repeats, sf_jobs)

    # accuracy and agreement from the all-models outputs (one per library)
    label_all = configs[-1][0]
    out_sc = results[label_all]["shelfcast"].output
    out_sf = results[label_all]["sf_1"].output
    out_sfn = results[label_all]["sf_n"].output
    # score both libraries on the same series: those where both forecasts are finite
    all_ids = set(data.test["unique_id"].unique())
    scored = {n: finite_series(out_sc, n) & finite_series(out_sf, n) for n in names}
    acc_sc = accuracy(out_sc, data, names, scored)
    acc_sf = accuracy(out_sf, data, names, scored)
    diff = forecast_diff(out_sc, out_sf, names)
    diff_sf_jobs = forecast_diff(out_sf, out_sfn, names)
    # the single-model calls must reproduce the all-models call
    diff_single = (
        {
            n: forecast_diff(results[n]["shelfcast"].output, out_sc, [n])[n]["max_abs_diff"]
            for n in names
        }
        if len(names) > 1
        else {}
    )

    # ------------------------------------------------------------------- main table
    j = sf_jobs
    headers = [
        "model",
        "shelfcast s",
        "sf n_jobs=1 s",
        "ratio sf1/sc",
        f"sf n_jobs={j} s",
        f"ratio sf{j}/sc",
        "MAE sc",
        "MAE sf",
        "RMSSE sc",
        "RMSSE sf",
        "max|sc-sf|",
    ]
    rows = []
    for label, cfg in configs:
        r = results[label]
        sc, s1, sn = r["shelfcast"].best, r["sf_1"].best, r["sf_n"].best
        if len(cfg) == 1:
            n = cfg[0]
            acc = [
                fmt_num(acc_sc[n]["mae"]),
                fmt_num(acc_sf[n]["mae"]),
                fmt_num(acc_sc[n]["rmsse"]),
                fmt_num(acc_sf[n]["rmsse"]),
                fmt_diff(diff[n]["max_abs_diff"]),
            ]
        else:
            acc = ["", "", "", "", fmt_diff(max(d["max_abs_diff"] for d in diff.values()))]
        rows.append(
            [label, fmt_s(sc), fmt_s(s1), f"{s1 / sc:.2f}x", fmt_s(sn), f"{sn / sc:.2f}x", *acc]
        )
    print()
    print(
        f"Forecast h={h}: {data.n_series} series, {data.n_train_rows:,} training rows "
        f"(seconds, best of {args.repeats}; ratio > 1 means shelfcast is faster)"
    )
    print_table(headers, rows)
    print(
        "  MAE / RMSSE: mean over series on the holdout, computed with "
        "shelfcast.SalesMetrics.evaluate for both libraries (RMSSE: plain scale, "
        "seasonality 1)."
    )

    # ------------------------------------------------------------------- checks
    cross = max(
        abs(a[n][m] - a[n][f"{m}_utilsforecast"])
        for a in (acc_sc, acc_sf)
        for n in names
        for m in ("mae", "rmsse")
    )
    print(
        f"  cross-check vs utilsforecast.losses (mae, rmsse): max |difference| of the means "
        f"= {cross:.1e}"
    )
    notes = []
    train_len = data.train.groupby("unique_id", sort=False).size()
    for n in names:
        left_out = all_ids - scored[n]
        if left_out:
            nan_in = [
                lib
                for lib, out in (("shelfcast", out_sc), ("statsforecast", out_sf))
                if all_ids - finite_series(out, n)
            ]
            notes.append(
                f"{n}: {len(left_out)} series with a NaN forecast (from "
                f"{' and '.join(nan_in)}) left out of both libraries' accuracy"
            )
    for lib, a in (("shelfcast", acc_sc), ("statsforecast", acc_sf)):
        for n in names:
            for m in ("mae", "rmsse"):
                if a[n][f"{m}_nonfinite_series"]:
                    notes.append(
                        f"{lib} {n}: {a[n][f'{m}_nonfinite_series']} series with a "
                        f"non-finite {m} left out of the mean"
                    )
    for n, d in diff.items():
        if d["rows_only_one_finite"]:
            notes.append(
                f"{n}: {d['rows_only_one_finite']} forecast rows are finite in one "
                "library and NaN/missing in the other"
            )
        if d["max_abs_diff"] > 1e-9:
            differ = differing_series(out_sc, out_sf, n)
            short = int((train_len.reindex(list(differ)) < SEASON).sum())
            d["series_differing"] = len(differ)
            d["series_differing_shorter_than_season"] = short
            notes.append(
                f"{n}: forecasts differ on {len(differ)} series, {short} of them with "
                f"fewer than {SEASON} training days (shelfcast falls back to Naive "
                "there; statsforecast's SeasonalNaive fills NaN where it has no "
                "observation)"
            )
    sfn_max = max(d["max_abs_diff"] for d in diff_sf_jobs.values())
    notes.append(
        f"statsforecast n_jobs={j} vs n_jobs=1 forecasts: max |difference| = {fmt_diff(sfn_max)}"
    )
    if diff_single:
        notes.append(
            "shelfcast single-model vs all-models call: max |difference| = "
            f"{fmt_diff(max(diff_single.values()))}"
        )
    for note in notes:
        print("  " + note)

    # ------------------------------------------------------------------- breakdown
    breakdown = None
    if not args.no_breakdown:
        try:
            bd_repeats = max(args.repeats, 5)
            bd_sc = shelfcast_breakdown(data.train, names, h, bd_repeats)
            bd_sf = statsforecast_breakdown(data.train, names, h, bd_repeats)
        except Exception as e:  # private helpers may change; the main table stays valid
            print(f"\n  (breakdown skipped: {type(e).__name__}: {e})")
        else:
            breakdown = {"shelfcast": bd_sc, "statsforecast_n_jobs_1": bd_sf}
            print()
            print(
                f"Where the time goes, all models in one call (shelfcast: best of {bd_repeats} "
                f"per step; statsforecast: the fastest of {bd_repeats} calls)"
            )
            rows = []
            for lib, bd in (("shelfcast", bd_sc), ("statsforecast n_jobs=1", bd_sf)):
                total = bd["total"]
                for step, secs in bd.items():
                    share = "" if step == "total" else f"{100 * secs / total:.0f}%"
                    share = f"({share})" if step.startswith("  ") else share
                    rows.append([lib, step, fmt_s(secs), share])
            print_table(["library", "step", "seconds", "share"], rows, align_left=2)

    # ------------------------------------------------------------------- memory
    memory = None
    if args.memory:
        memory = measure_memory(args, sf_jobs)
        print()
        print(
            "Peak memory of one all-models forecast call (fresh subprocess per library, "
            "after loading the data and a warm-up; peak reset via /proc/self/clear_refs)"
        )
        rows = []
        for key, lib in (
            ("shelfcast", "shelfcast"),
            ("sf_1", "statsforecast n_jobs=1"),
            ("sf_n", f"statsforecast n_jobs={j}"),
        ):
            m = memory[key]
            if "error" in m:
                rows.append([lib, "error", str(m["error"]), "", ""])
                continue
            child = f"{m['largest_child_peak_rss_kb'] / 1024:.0f}" if key == "sf_n" else "-"
            rows.append(
                [
                    lib,
                    f"{m['rss_before_kb'] / 1024:.0f}",
                    f"{m['peak_rss_kb'] / 1024:.0f}",
                    f"{m['peak_increase_kb'] / 1024:.0f}",
                    child,
                ]
            )
        print_table(
            [
                "library",
                "RSS before MiB",
                "peak RSS MiB",
                "peak increase MiB",
                "largest worker peak MiB",
            ],
            rows,
        )
        if any(not m.get("peak_was_reset", True) for m in memory.values()):
            print("  warning: could not reset the peak counter; peaks include data loading")
        if any("malloc_trimmed" in m and not m["malloc_trimmed"] for m in memory.values()):
            print(
                "  note: malloc_trim released nothing (or is unavailable) in some run; an "
                "increase can be understated if the call reused freed heap pages"
            )
        print("  worker peaks (forked processes) count pages shared with the parent too")

    elapsed = time.perf_counter() - t_start
    print(f"\nTotal benchmark wall time: {elapsed:.1f} s")

    if args.json:
        payload = {
            "versions": ver,
            "cores": cores,
            "load_average_1min_at_start": load_avg,
            "import_s": {"shelfcast": import_sc, "statsforecast": import_sf},
            "shelfcast_threads": shelfcast.num_threads(),
            "args": {
                "min_days": args.min_days,
                "models": names,
                "repeats": args.repeats,
                "horizon": h,
                "sf_jobs": args.sf_jobs,
                "sf_jobs_resolved": sf_jobs,
            },
            "data": {
                "n_series": data.n_series,
                "n_train_rows": data.n_train_rows,
                "n_test_rows": len(data.test),
                "cutoff": str(data.cutoff.date()),
                "n_panel_series": data.n_panel_series,
            },
            "warmup": {
                "series": min(WARMUP_SERIES, data.n_series),
                "shelfcast_first_call_s": sc_first_call,
                "statsforecast_first_call_s": sf_first_call,
                "numba_installed": has_numba,
            },
            "timings": {
                label: {
                    "models": cfg,
                    **{k: {"best_s": t.best, "all_s": t.times} for k, t in results[label].items()},
                    "ratio_sf1_over_sc": results[label]["sf_1"].best
                    / results[label]["shelfcast"].best,
                    "ratio_sfn_over_sc": results[label]["sf_n"].best
                    / results[label]["shelfcast"].best,
                }
                for label, cfg in configs
            },
            "accuracy": {"shelfcast": acc_sc, "statsforecast": acc_sf},
            "forecast_max_abs_diff": diff,
            "statsforecast_n_jobs_diff": diff_sf_jobs,
            "utilsforecast_crosscheck_max_abs_diff": cross,
            "breakdown": breakdown,
            "memory": memory,
            "wall_time_s": elapsed,
        }
        with open(args.json, "w") as fh:
            json.dump(payload, fh, indent=2, default=float)
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
