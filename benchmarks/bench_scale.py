#!/usr/bin/env python
"""Scale benchmark: time and peak memory at M5 size, shelfcast vs statsforecast.

The Kaggle store-item demand panel (500 series x 1,826 days, read from
``../shared/datasets/store_item_demand/train.csv.gz`` relative to the repository; the
benchmark exits cleanly when it is absent and never copies it) is replicated ``--copies``
times (default 60: 30,000 series x 1,826 days = 54.8 M rows, the size of M5). Copy ``c`` of
series ``s`` gets its own integer id ``c * 1000 + s`` and binomially thinned sales: each day's
units are drawn from ``Binomial(y, p)`` with ``p ~ Uniform(0.02, 1)`` fixed per copy and
series (seed ``--seed``), so the copies differ and the thin ones are intermittent.

For each model group (``intermittent``: CrostonClassic, CrostonSBA, TSB, ADIDA, IMAPA;
``naive``: Naive, SeasonalNaive(7), HistoricAverage, WindowAverage(28)) and each runner
(shelfcast; statsforecast n_jobs=1; statsforecast n_jobs=``--sf-jobs``) a fresh subprocess
builds the panel, warms the runner up on 100 series, frees what it can (``gc``,
``malloc_trim``), resets the kernel's peak-RSS counter (``/proc/self/clear_refs``) and
times ONE end-to-end ``forecast(h=28)`` of all the group's models (DataFrame in ->
DataFrame out). It reports the wall time and the peak RSS increase over the RSS before the
call (``VmHWM - VmRSS``). The raw float data is ``series x days x 8`` bytes; shelfcast's
peak increase is also printed relative to it. The forecasts of the runners are compared
(max absolute difference).

Run ``python benchmarks/bench_scale.py --help``; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore", message="Historical data .* shorter than season_length")

HORIZON = 28
SEASON = 7
REPO = Path(__file__).resolve().parent.parent
STORE_ITEM = REPO.parent / "shared" / "datasets" / "store_item_demand" / "train.csv.gz"
GROUPS = {
    "intermittent": ["CrostonClassic", "CrostonSBA", "TSB", "ADIDA", "IMAPA"],
    "naive": ["Naive", "SeasonalNaive", "HistoricAverage", "WindowAverage"],
}


# ----------------------------------------------------------------------------- data
def build_panel(path: Path, copies: int, seed: int) -> pd.DataFrame:
    """The store-item panel replicated ``copies`` times with thinned sales (see the top)."""
    raw = pd.read_csv(path, parse_dates=["date"]).sort_values(["store", "item", "date"])
    n_days = raw["date"].nunique()
    y = raw["sales"].to_numpy(np.int64).reshape(-1, n_days)
    base = (raw["store"].to_numpy() * 100 + raw["item"].to_numpy())[::n_days]
    base_rank = np.argsort(np.argsort(base))  # 0..n_base-1, in id order
    dates = raw["date"].to_numpy(dtype="datetime64[ns]")[:n_days]
    del raw
    rng = np.random.default_rng(seed)
    n_base = len(base_rank)
    ids = (np.arange(copies)[:, None] * 1000 + base_rank[None, :]).reshape(-1).astype(np.int64)
    values = np.empty((copies * n_base, n_days))
    for c in range(copies):  # one copy at a time keeps the int temporaries small
        p = rng.uniform(0.02, 1.0, size=(n_base, 1))
        values[c * n_base : (c + 1) * n_base] = rng.binomial(y, p)
    order = np.argsort(ids, kind="stable")
    df = pd.DataFrame(
        {
            "unique_id": np.repeat(ids[order], n_days),
            "ds": np.tile(dates, len(ids)),
            "y": values[order].reshape(-1),
        }
    )
    return df


# --------------------------------------------------------------------------- models
def shelfcast_models(names: list[str]) -> list:
    from shelfcast import models as m

    make = {
        "CrostonClassic": lambda: m.CrostonClassic(),
        "CrostonSBA": lambda: m.CrostonSBA(),
        "TSB": lambda: m.TSB(0.2, 0.2),
        "ADIDA": lambda: m.ADIDA(),
        "IMAPA": lambda: m.IMAPA(),
        "Naive": lambda: m.Naive(),
        "SeasonalNaive": lambda: m.SeasonalNaive(SEASON),
        "HistoricAverage": lambda: m.HistoricAverage(),
        "WindowAverage": lambda: m.WindowAverage(28),
    }
    return [make[n]() for n in names]


def statsforecast_models(names: list[str]) -> list:
    from statsforecast import models as m

    make = {
        "CrostonClassic": lambda: m.CrostonClassic(),
        "CrostonSBA": lambda: m.CrostonSBA(),
        "TSB": lambda: m.TSB(alpha_d=0.2, alpha_p=0.2),
        "ADIDA": lambda: m.ADIDA(),
        "IMAPA": lambda: m.IMAPA(),
        "Naive": lambda: m.Naive(),
        "SeasonalNaive": lambda: m.SeasonalNaive(season_length=SEASON),
        "HistoricAverage": lambda: m.HistoricAverage(),
        "WindowAverage": lambda: m.WindowAverage(window_size=28),
    }
    return [make[n]() for n in names]


def runner(lib: str, names: list[str], n_jobs: int):
    if lib == "shelfcast":
        from shelfcast import DemandForecaster

        return lambda df: DemandForecaster(shelfcast_models(names), freq="D").forecast(
            df, h=HORIZON
        )
    from statsforecast import StatsForecast

    return lambda df: StatsForecast(statsforecast_models(names), freq="D", n_jobs=n_jobs).forecast(
        df=df, h=HORIZON
    )


# --------------------------------------------------------------------------- memory
def _status_kb(name: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _malloc_trim() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def worker(args: argparse.Namespace) -> None:
    """One measured call (runs in its own process); prints a JSON line."""
    names = GROUPS[args.group]
    df = build_panel(STORE_ITEM, args.copies, args.seed)
    fn = runner(args._worker, names, args._jobs)
    warm_ids = df["unique_id"].iloc[: 100 * 1826 : 1826].to_numpy()
    fn(df.loc[df["unique_id"].isin(warm_ids)].reset_index(drop=True))
    gc.collect()
    _malloc_trim()
    reset = _reset_peak()
    before = _status_kb("VmRSS")
    t0 = time.perf_counter()
    out = fn(df)
    secs = time.perf_counter() - t0
    peak = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = out.sort_values(["unique_id", "ds"])
    np.save(args._out, out[names].to_numpy(dtype=np.float64))
    print(
        json.dumps(
            {
                "seconds": secs,
                "rss_before_kb": before,
                "peak_kb": peak,
                "peak_increase_kb": peak - before,
                "peak_reset": reset,
                "largest_child_peak_kb": child,
                "rows_in": len(df),
                "series": int(df["unique_id"].nunique()),
                "rows_out": len(out),
            }
        )
    )


# ------------------------------------------------------------------------------ main
def main() -> int:
    ap = argparse.ArgumentParser(
        description="M5-size time and peak memory, shelfcast vs statsforecast.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    ap.add_argument("--copies", type=int, default=60, help="replicas of the 500-series panel")
    ap.add_argument("--seed", type=int, default=0, help="seed of the thinning")
    ap.add_argument("--groups", nargs="+", default=list(GROUPS), choices=list(GROUPS))
    ap.add_argument("--sf-jobs", type=int, default=2, help="n_jobs of the second sf runner")
    ap.add_argument("--only", choices=["shelfcast", "statsforecast"], help="run one library only")
    ap.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH")
    ap.add_argument("--group", default="naive", help=argparse.SUPPRESS)
    ap.add_argument("--_worker", help=argparse.SUPPRESS)
    ap.add_argument("--_jobs", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--_out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._worker:
        worker(args)
        return 0
    if not STORE_ITEM.exists():
        print(f"skipped: {STORE_ITEM} not found (the shared datasets are not mounted)")
        return 0

    import shelfcast
    import statsforecast

    t_start = time.perf_counter()
    n_series, n_days = 500 * args.copies, 1826
    raw_mib = n_series * n_days * 8 / 2**20
    load0 = os.getloadavg()
    print("Scale benchmark: one forecast(h=28) call per library and model group, own process")
    print(
        f"  shelfcast {shelfcast.__version__} ({shelfcast.num_threads()} threads), "
        f"statsforecast {statsforecast.__version__}, pandas {pd.__version__}; "
        f"cores {os.cpu_count()}; load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}"
    )
    print(
        f"  panel: store-item x {args.copies} copies (binomially thinned, seed {args.seed}) = "
        f"{n_series:,} series x {n_days} days = {n_series * n_days:,} rows; int64 ids; "
        f"raw float data {raw_mib:.0f} MiB"
    )
    runners = [("shelfcast", "shelfcast", 0)]
    if args.only != "shelfcast":
        runners += [("sf_1", "statsforecast", 1), ("sf_n", "statsforecast", args.sf_jobs)]
    if args.only == "statsforecast":
        runners = runners[1:]
    labels = {
        "shelfcast": "shelfcast",
        "sf_1": "statsforecast n_jobs=1",
        "sf_n": f"statsforecast n_jobs={args.sf_jobs}",
    }
    results: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for group in args.groups:
            results[group] = {}
            outputs = {}
            for key, lib, jobs in runners:
                out_path = os.path.join(tmp, f"{group}_{key}.npy")
                cmd = [
                    sys.executable,
                    os.path.abspath(__file__),
                    "--copies",
                    str(args.copies),
                    "--seed",
                    str(args.seed),
                    "--group",
                    group,
                    "--_worker",
                    lib,
                    "--_jobs",
                    str(jobs),
                    "--_out",
                    out_path,
                ]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    err = (proc.stderr.strip().splitlines() or ["failed"])[-1]
                    results[group][key] = {"error": err}
                    print(f"  {group} {labels[key]}: FAILED: {err}", flush=True)
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                r["load_1min_after"] = os.getloadavg()[0]
                results[group][key] = r
                outputs[key] = np.load(out_path)
                print(
                    f"  {group} {labels[key]}: {r['seconds']:.2f} s, peak +"
                    f"{r['peak_increase_kb'] / 1024:.0f} MiB (load {r['load_1min_after']:.2f})",
                    flush=True,
                )
            if "shelfcast" in outputs:
                for key, arr in outputs.items():
                    if key != "shelfcast" and arr.shape == outputs["shelfcast"].shape:
                        d = np.abs(arr - outputs["shelfcast"])
                        results[group][key]["max_abs_diff_vs_shelfcast"] = float(np.nanmax(d))

    print()
    print(
        f"M5 size ({n_series:,} series x {n_days} days), h={HORIZON}; time of one call; "
        "peak = RSS high-water during the call minus RSS before it (input frame excluded)"
    )
    header = [
        "group",
        "library",
        "seconds",
        "time ratio",
        "peak +MiB",
        "peak / raw",
        "worker peak MiB",
        "max|sf-sc|",
    ]
    rows = []
    for group, res in results.items():
        sc = res.get("shelfcast", {})
        for key, r in res.items():
            if "error" in r:
                rows.append([group, labels[key], "error", "", "", "", "", ""])
                continue
            ratio = r["seconds"] / sc["seconds"] if "seconds" in sc else float("nan")
            rows.append(
                [
                    group + " (" + "+".join(GROUPS[group]) + ")" if key == "shelfcast" else "",
                    labels[key],
                    f"{r['seconds']:.2f}",
                    "1.0x" if key == "shelfcast" else f"{ratio:.1f}x",
                    f"{r['peak_increase_kb'] / 1024:.0f}",
                    f"{r['peak_increase_kb'] / 1024 / raw_mib:.2f}",
                    f"{r['largest_child_peak_kb'] / 1024:.0f}" if key == "sf_n" else "-",
                    f"{r['max_abs_diff_vs_shelfcast']:.1e}"
                    if "max_abs_diff_vs_shelfcast" in r
                    else "-",
                ]
            )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(
        "  ".join(
            h.ljust(w) if i < 2 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    load1 = os.getloadavg()
    print(
        f"  time ratio = statsforecast seconds / shelfcast seconds (> 1: shelfcast faster); "
        f"raw = {raw_mib:.0f} MiB of float64 y; worker peak: largest statsforecast worker "
        "process (includes pages shared with the parent by fork)"
    )
    print(
        f"  load average at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; total wall time "
        f"{time.perf_counter() - t_start:.0f} s"
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "args": {k: v for k, v in vars(args).items() if not k.startswith("_")},
                    "series": n_series,
                    "days": n_days,
                    "raw_mib": raw_mib,
                    "load_start": load0,
                    "load_end": load1,
                    "results": results,
                },
                fh,
                indent=2,
            )
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
