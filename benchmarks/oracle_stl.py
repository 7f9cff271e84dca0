"""Compare shelfcast's native STL, MSTL and differencing tests with statsmodels/statsforecast.

Usage::

    python benchmarks/oracle_stl.py [--every K] [--release] [--timing N]

On every K-th SKU of the bundled Online Retail panel (``min_days=365``) it runs

* statsmodels' ``STL`` for period 7 with seasonal 11 and seasonal_deg 0 (MSTL's), the
  defaults, ``robust=True``, and period 365 (series of at least 730 days);
* statsforecast's ``mstl(x, [7])`` and ``mstl(x, [7, 365])`` (series longer than 730 days),
  its seasonal-naive continuation (``_predict_mstl_seas``, 30 steps) and ``seas_heuristic``;
* statsmodels' ``kpss(x, "c", nlags=floor(3 sqrt(n) / 13))``, statsforecast's ``ndiffs``
  and ``nsdiffs(x, period=7)``;
* OCSB: R's definition is checked through its building block against an independent
  statsmodels-OLS regression; with pmdarima importable (not a test extra), also against
  pmdarima's fixed-lag regression and its ``nsdiffs(test="ocsb")`` decisions;

writes the cases to ``target/oracle_stl/cases.txt``, runs the ignored Rust test
``oracle_stl`` (``cargo test --no-default-features``; ``--release`` builds optimised, which
the timing needs) and prints, per quantity, the largest absolute difference relative to the
series scale (max |y|) and the share of agreeing decisions. ``--timing N`` times ``mstl`` on
the N longest series natively and in Python.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "target" / "oracle_stl"


def load_panel():
    """The bundled panel; falls back to this checkout's datasets module when the installed
    package cannot be imported (e.g. its native core is not built)."""
    try:
        from shelfcast.datasets import load_online_retail
    except ImportError:
        import importlib.util

        src = ROOT / "python" / "shelfcast"
        pkg_spec = importlib.util.spec_from_file_location(
            "shelfcast", src / "__init__.py", submodule_search_locations=[str(src)]
        )
        sys.modules["shelfcast"] = importlib.util.module_from_spec(pkg_spec)  # not executed
        spec = importlib.util.spec_from_file_location(
            "shelfcast.datasets", ROOT / "python" / "shelfcast" / "datasets.py"
        )
        mod = importlib.util.module_from_spec(spec)
        sys.modules["shelfcast.datasets"] = mod
        spec.loader.exec_module(mod)
        load_online_retail = mod.load_online_retail
    df = load_online_retail(min_days=365)
    return [(uid, g["y"].to_numpy(np.float64)) for uid, g in df.groupby("unique_id", sort=True)]


def fmt(y):
    return " ".join(repr(float(v)) for v in y)


def ocsb_r(x, m, lag, max_lag, ar_intercept=False):
    """R's fitOCSB regression with statsmodels OLS (Z5's t value; NaN for a rank-deficient
    design, where R sets the coefficient aside and statsmodels' pseudo-inverse is noise)."""
    import statsmodels.api as sm

    dm = x[m:] - x[:-m]
    dx = np.diff(x)
    y = np.diff(dm)
    rows = np.arange(max_lag, len(y))
    ylags = [y[rows - k] for k in range(1, lag + 1)]
    if lag or ar_intercept:
        X = np.column_stack(([np.ones(len(rows))] if ar_intercept else []) + ylags)
        coef = sm.OLS(y[rows], X).fit().params
        c, alpha = (coef[0], coef[1:]) if ar_intercept else (0.0, coef)
    else:
        c, alpha = 0.0, np.zeros(0)

    def filt(z):
        return z[rows] - c - sum(a * z[rows - k - 1] for k, a in enumerate(alpha))

    X = np.column_stack([*ylags, filt(dm), filt(dx)])
    if np.linalg.matrix_rank(X) < X.shape[1]:
        return math.nan
    return sm.OLS(y[rows], X).fit().tvalues[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--release", action="store_true")
    ap.add_argument("--timing", type=int, default=0)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from statsforecast.arima import ndiffs, nsdiffs, seas_heuristic
    from statsforecast.models import _predict_mstl_seas
    from statsforecast.mstl import mstl
    from statsmodels.tsa.seasonal import STL
    from statsmodels.tsa.stattools import kpss

    try:
        import pmdarima
        from pmdarima.arima.seasonality import OCSBTest
    except ImportError:
        pmdarima = None

    series = load_panel()[:: args.every]
    OUT.mkdir(parents=True, exist_ok=True)
    cases, ref, scale = [], {}, {}
    stl_cfgs = {
        "stl7_s11_d0": (7, 11, 0, 0),
        "stl7_default": (7, 7, 1, 0),
        "stl7_robust": (7, 7, 1, 1),
        "stl365_default": (365, 7, 1, 0),
    }
    t_sf = {"[7]": 0.0, "[7, 365]": 0.0}
    for i, (_uid, y) in enumerate(series):
        n = len(y)
        sid = f"s{i}"
        scale[sid] = max(float(np.max(np.abs(y))), 1e-300)
        for name, (p, s, d, rob) in stl_cfgs.items():
            if 2 * p > n:
                continue
            r = STL(y, period=p, seasonal=s, seasonal_deg=d, robust=bool(rob)).fit()
            cases.append(f"{sid}:{name}|stl|{p} {s} {d} {rob}|{fmt(y)}")
            for comp, v in [
                ("seasonal", r.seasonal),
                ("trend", r.trend),
                ("resid", r.resid),
                ("weights", r.weights),
            ]:
                ref[(f"{sid}:{name}", comp)] = np.asarray(v)
        for periods in ([7], [7, 365]):
            if 2 * max(periods) >= n:
                continue
            key = f"{sid}:mstl{'_'.join(map(str, periods))}"
            t0 = time.perf_counter()
            m = mstl(y, periods if len(periods) > 1 else periods[0])
            t_sf[str(periods)] += time.perf_counter() - t0
            cases.append(f"{key}|mstl|{','.join(map(str, periods))}|{fmt(y)}")
            ref[(key, "trend")] = m["trend"].to_numpy()
            ref[(key, "remainder")] = m["remainder"].to_numpy()
            for p in periods:
                col = "seasonal" if len(periods) == 1 else f"seasonal{p}"
                ref[(key, f"seasonal{p}")] = m[col].to_numpy()
            ref[(key, "forecast")] = _predict_mstl_seas(m, 30, periods)
        nl = math.floor(3 * math.sqrt(n) / 13)
        if not np.all(y == y[0]):
            ref[(f"{sid}:kpss", "kpss")] = np.array(kpss(y, "c", nlags=nl)[:2])
            cases.append(f"{sid}:kpss|kpss|{nl}|{fmt(y)}")
        ref[(f"{sid}:ndiffs", "ndiffs")] = np.array([ndiffs(y, alpha=0.05, max_d=2)], float)
        cases.append(f"{sid}:ndiffs|ndiffs||{fmt(y)}")
        ref[(f"{sid}:nsdiffs", "nsdiffs")] = np.array([nsdiffs(y, period=7, max_D=1)], float)
        cases.append(f"{sid}:nsdiffs|nsdiffs|7 seas|{fmt(y)}")
        ref[(f"{sid}:seas", "seas")] = np.array([seas_heuristic(y, 7)])
        cases.append(f"{sid}:seas|seas|7|{fmt(y)}")
        # OCSB: R's building block (lag 1, max_lag 3; lag 0) against statsmodels OLS.
        for lag, ml in ((1, 3), (0, 0), (2, 3)):
            ref[(f"{sid}:ocsbr{lag}", "ocsbfix")] = np.array([ocsb_r(y, 7, lag, ml)])
            cases.append(f"{sid}:ocsbr{lag}|ocsbfix|7 0 {lag} {ml}|{fmt(y)}")
        cases.append(f"{sid}:ocsb|ocsb|7|{fmt(y)}")
        cases.append(f"{sid}:nsdiffs_ocsb|nsdiffs|7 ocsb|{fmt(y)}")
        if pmdarima is not None:
            try:
                fit = OCSBTest._fit_ocsb(y, 7, 3, 3)
                X = fit.model.exog
                t = fit.tvalues[-1] if np.linalg.matrix_rank(X) == X.shape[1] else math.nan
            except np.linalg.LinAlgError:
                t = math.nan
            ref[(f"{sid}:ocsbpm", "ocsbfix")] = np.array([t])
            cases.append(f"{sid}:ocsbpm|ocsbfix|7 1 3 3|{fmt(y)}")
            try:
                d = float(pmdarima.arima.nsdiffs(y, m=7, max_D=1, test="ocsb"))
            except (ValueError, np.linalg.LinAlgError):
                d = 0.0
            ref[(f"{sid}:nsdiffs_ocsb", "pmdarima")] = np.array([d])
    longest = sorted(range(len(series)), key=lambda i: -len(series[i][1]))[: args.timing]
    py_time = {}
    for periods in ([7], [7, 365]):
        sel = [i for i in longest if 2 * max(periods) < len(series[i][1])]
        if not sel:
            continue
        t0 = time.perf_counter()
        for i in sel:
            mstl(series[i][1], periods if len(periods) > 1 else periods[0])
        py_time[str(periods)] = ((time.perf_counter() - t0) / len(sel), len(sel))
        for i in sel:
            cases.append(
                f"t{i}:{'_'.join(map(str, periods))}|time_mstl|{','.join(map(str, periods))} 20|{fmt(series[i][1])}"
            )
    (OUT / "cases.txt").write_text("\n".join(cases) + "\n")
    cmd = ["cargo", "test", "--no-default-features", "--lib"] + (
        ["--release"] if args.release else []
    )
    cmd += [
        "oracle_stl",
        "--",
        "--ignored",
        "--exact",
        "forecast::models::unitroot::oracle::oracle_stl",
    ]
    subprocess.run(cmd, cwd=ROOT, check=True, env={**os.environ, "SHELFCAST_ORACLE_DIR": str(OUT)})
    got = {}
    for line in (OUT / "rust.txt").read_text().splitlines():
        key, name, vals = line.split("|", 2)
        got[(key, name)] = np.array([float(v) for v in vals.split()]) if vals else np.array([])
    print(f"{len(series)} series ({sum(len(y) for _, y in series)} values)")
    groups: dict[str, list[float]] = {}
    for (key, name), want in ref.items():
        sid, case = key.split(":")
        if name == "pmdarima":
            continue
        have = got.get((key, name))
        label = f"{case.rstrip('0123456789') if case.startswith('ocsbr') else case}.{name}"
        if have is None or have.shape != want.shape:
            groups.setdefault(label, []).append(math.inf)
            continue
        if name == "ocsbfix" and np.any(np.abs(want) >= 1e8):
            # An exact fit (series of almost only zeros): both t values are rounding noise.
            groups.setdefault(label + " (|t|>1e8 skipped)", []).append(0.0)
            continue
        d = np.abs(have - want)
        d[np.isnan(have) & np.isnan(want)] = 0.0
        rel = name in ("kpss", "seas", "ocsbfix")
        if name == "ocsbfix":
            d = d / np.maximum(1.0, np.abs(want))
        groups.setdefault(label, []).append(
            float(np.max(d, initial=0.0)) / (1.0 if rel else scale[sid])
        )
    print(
        f"{'quantity':32s} {'cases':>6s} {'max diff':>10s}   (components: / max|y|; OCSB t: / max(1, |t|); tests: absolute)"
    )
    for label, ds in sorted(groups.items()):
        print(f"{label:40s} {len(ds):6d} {max(ds):10.2e}")
    for what in ("ndiffs", "nsdiffs"):
        keys = [k for k in ref if k[1] == what]
        same = sum(float(got.get(k, [np.nan])[0]) == float(ref[k][0]) for k in keys)
        print(f"{what} agreement: {same}/{len(keys)}")
    dec = [k for k in got if k[1] == "nsdiffs" and k[0].endswith("nsdiffs_ocsb")]
    ones = sum(got[k][0] == 1.0 for k in dec)
    print(f"nsdiffs(test=ocsb, R's definition): D=1 on {ones}/{len(dec)}")
    if pmdarima is not None:
        pm = [k for k in ref if k[1] == "pmdarima"]
        same = sum(got[(k[0], "nsdiffs")][0] == ref[k][0] for k in pm)
        print(
            f"nsdiffs(test=ocsb) agreement with pmdarima: {same}/{len(pm)} (pmdarima's OCSB differs from R's, see ocsb.rs)"
        )
    for periods, (secs, count) in py_time.items():
        tag = "_".join(map(str, eval(periods)))
        native = [got[k][0] for k in got if k[1] == "seconds" and k[0].endswith(":" + tag)]
        print(
            f"mstl {periods}: statsforecast {secs * 1e3:.2f} ms, native {np.mean(native) * 1e3:.3f} ms"
            f" per series ({count} series{'' if args.release else ', debug build'})"
        )


if __name__ == "__main__":
    main()
