"""Oracle for the native ARIMA core (src/forecast/models/arima/): statsforecast's numbers.

Two steps around a Rust run (nothing beyond the project's test extras is needed):

    python benchmarks/oracle_arima.py dump --n 200 --out /tmp/arima_oracle
    ARIMA_ORACLE_DIR=/tmp/arima_oracle cargo test --release --no-default-features \
        --lib arima::oracle -- --ignored --nocapture
    python benchmarks/oracle_arima.py compare --out /tmp/arima_oracle
    python benchmarks/oracle_arima.py time --n 40 --out /tmp/arima_oracle   # optional

``dump`` samples ``--n`` SKUs of the bundled panel with at least 365 days (seed 0),
writes them to ``series.csv`` and, for each, statsforecast's fixed-order ARIMA fits
(several orders x ML / CSS-ML / CSS: coefficients, sigma2, loglik, aicc, 14-step means
and standard errors), a ``forward`` refit (train = all but the last 28 days), and
``AutoARIMA(season_length=7)`` (chosen order, d, D, 14-step means, seconds per series,
single thread). The ignored Rust test reads them and writes ``rust_*.csv``; ``compare``
prints the agreement figures.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
import warnings

import numpy as np
import pandas as pd

H = 14
Z95 = 1.959963984540054
# (name, order, seasonal_order, include_mean)
ORDERS = [
    ("101_mean", (1, 0, 1), (0, 0, 0), True),
    ("211", (2, 1, 1), (0, 0, 0), False),
    ("011_011_7", (0, 1, 1), (0, 1, 1), False),
    ("100_100_7_mean", (1, 0, 0), (1, 0, 0), True),
]
METHODS = ["ML", "CSS-ML", "CSS"]


def load_panel(min_days: int = 365) -> pd.DataFrame:
    """The bundled panel (works from a source checkout too, without the native module)."""
    try:
        from shelfcast.datasets import load_online_retail
    except Exception:  # source checkout without a built extension
        import types

        for k in [k for k in sys.modules if k.startswith("shelfcast")]:
            del sys.modules[k]
        root = pathlib.Path(__file__).resolve().parents[1] / "python" / "shelfcast"
        pkg = types.ModuleType("shelfcast")
        pkg.__path__ = [str(root)]
        sys.modules["shelfcast"] = pkg
        import shelfcast.datasets as ds

        ds.files = lambda _name: root
        load_online_retail = ds.load_online_retail
    return load_online_retail(min_days=min_days)


def sample(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    df = load_panel(365)
    ids = np.array(sorted(df.unique_id.unique()))
    rng = np.random.default_rng(seed)
    pick = sorted(rng.choice(ids, size=min(n, len(ids)), replace=False))
    g = df[df.unique_id.isin(pick)].groupby("unique_id").y
    return {k: v.to_numpy(dtype=np.float64) for k, v in g}


def _coef_json(model) -> str:
    return json.dumps({k: float(v) for k, v in model["coef"].items()})


def dump(out: pathlib.Path, n: int, auto: bool, fixed: bool) -> None:
    from statsforecast.arima import forecast_arima
    from statsforecast.models import ARIMA, AutoARIMA

    warnings.filterwarnings("ignore")
    out.mkdir(parents=True, exist_ok=True)
    series = sample(n)
    rows = [(uid, i, v) for uid, y in series.items() for i, v in enumerate(y)]
    pd.DataFrame(rows, columns=["unique_id", "t", "y"]).to_csv(out / "series.csv", index=False)

    def fc(model, h=H):
        f = forecast_arima(model, h=h, level=[95])
        mean = np.asarray(f["mean"])
        se = (np.asarray(f["upper"]["95%"]) - mean) / Z95
        return mean, se

    if fixed:
        recs = []
        for uid, y in series.items():
            for name, order, sorder, mean in ORDERS:
                for method in METHODS:
                    rec = dict(unique_id=uid, spec=name, method=method)
                    try:
                        m = ARIMA(
                            order=order,
                            season_length=7,
                            seasonal_order=sorder,
                            include_mean=mean,
                            method=method,
                        ).fit(y)
                        mu, se = fc(m.model_)
                        rec.update(
                            ok=1,
                            coef=_coef_json(m.model_),
                            sigma2=m.model_["sigma2"],
                            loglik=m.model_["loglik"],
                            aicc=m.model_["aicc"],
                            mean=json.dumps(mu.tolist()),
                            se=json.dumps(se.tolist()),
                        )
                    except Exception as e:
                        rec.update(ok=0, error=str(e)[:80])
                    recs.append(rec)
            # forward: coefficients of a fit on y[:-28] applied to the full series
            for name, order, sorder, mean in ORDERS[:3]:
                rec = dict(unique_id=uid, spec=name, method="forward")
                try:
                    m = ARIMA(
                        order=order,
                        season_length=7,
                        seasonal_order=sorder,
                        include_mean=mean,
                        method="CSS-ML",
                    ).fit(y[:-28])
                    res = m.forward(y=y, h=H, level=[95])
                    mu = np.asarray(res["mean"])
                    se = (np.asarray(res["hi-95"]) - mu) / Z95
                    rec.update(
                        ok=1,
                        coef=_coef_json(m.model_),
                        mean=json.dumps(mu.tolist()),
                        se=json.dumps(se.tolist()),
                    )
                except Exception as e:
                    rec.update(ok=0, error=str(e)[:80])
                recs.append(rec)
        pd.DataFrame(recs).to_csv(out / "sf_fixed.csv", index=False)

    if fixed:
        # Regression with ARIMA errors: y = 5 + 3 price + AR(1) noise on the panel's prices.
        df = load_panel(365)
        rng = np.random.default_rng(1)
        recs, rows = [], []
        for uid in list(series)[:50]:
            price = df.loc[df.unique_id == uid, "price"].to_numpy(dtype=np.float64)
            e = rng.normal(scale=0.5, size=len(price))
            u = np.zeros(len(price))
            for t in range(1, len(price)):
                u[t] = 0.6 * u[t - 1] + e[t]
            y = 5.0 + 3.0 * price + u
            rows += [(uid + "_x", i, a, b) for i, (a, b) in enumerate(zip(y, price, strict=True))]
            m = ARIMA(order=(1, 0, 0), method="CSS-ML").fit(y[:-H], X=price[:-H, None])
            f = forecast_arima(m.model_, h=H, xreg=price[-H:, None], level=[95])
            mu = np.asarray(f["mean"])
            se = (np.asarray(f["upper"]["95%"]) - mu) / Z95
            recs.append(
                dict(
                    unique_id=uid + "_x",
                    spec="xreg_100",
                    method="CSS-ML",
                    ok=1,
                    coef=_coef_json(m.model_),
                    sigma2=m.model_["sigma2"],
                    loglik=m.model_["loglik"],
                    aicc=m.model_["aicc"],
                    mean=json.dumps(mu.tolist()),
                    se=json.dumps(se.tolist()),
                )
            )
        pd.DataFrame(rows, columns=["unique_id", "t", "y", "price"]).to_csv(
            out / "xreg_series.csv", index=False
        )
        pd.DataFrame(recs).to_csv(out / "sf_xreg.csv", index=False)

    if auto:
        recs = []
        for uid, y in series.items():
            t0 = time.perf_counter()
            m = AutoARIMA(season_length=7).fit(y)
            mu = m.predict(H)["mean"]
            secs = time.perf_counter() - t0
            p, q, P, Q, _per, d, D = m.model_["arma"]
            recs.append(
                dict(
                    unique_id=uid,
                    p=p,
                    d=d,
                    q=q,
                    P=P,
                    D=D,
                    Q=Q,
                    constant=int(any(k in m.model_["coef"] for k in ("intercept", "drift"))),
                    coef=_coef_json(m.model_),
                    aicc=m.model_["aicc"],
                    sigma2=m.model_["sigma2"],
                    mean=json.dumps(np.asarray(mu).tolist()),
                    seconds=secs,
                )
            )
        pd.DataFrame(recs).to_csv(out / "sf_auto.csv", index=False)


def time_sf(out: pathlib.Path, n: int) -> None:
    """Time statsforecast's AutoARIMA alone (no other load) on the first ``n`` series."""
    from statsforecast.models import AutoARIMA

    warnings.filterwarnings("ignore")
    series = pd.read_csv(out / "series.csv").groupby("unique_id").y.apply(np.asarray)
    recs = []
    for uid, y in list(series.items())[:n]:
        t0 = time.perf_counter()
        AutoARIMA(season_length=7).fit(y).predict(H)
        recs.append(dict(unique_id=uid, seconds=time.perf_counter() - t0))
    pd.DataFrame(recs).to_csv(out / "sf_time.csv", index=False)


def _rel(a, b, scale):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / scale)


def compare(out: pathlib.Path, tol: float) -> None:
    series = pd.read_csv(out / "series.csv").groupby("unique_id").y.apply(np.asarray)
    scale = {k: max(float(np.mean(np.abs(v))), 1e-12) for k, v in series.items()}
    if (out / "sf_fixed.csv").exists() and (out / "rust_fixed.csv").exists():
        sf = pd.read_csv(out / "sf_fixed.csv")
        rs = pd.read_csv(out / "rust_fixed.csv")
        if (out / "sf_xreg.csv").exists():
            sf = pd.concat([sf, pd.read_csv(out / "sf_xreg.csv")], ignore_index=True)
            xs = pd.read_csv(out / "xreg_series.csv").groupby("unique_id").y.apply(np.asarray)
            scale.update({k: max(float(np.mean(np.abs(v))), 1e-12) for k, v in xs.items()})
            ex = [json.loads(c)["ex_1"] for c in sf.loc[sf.spec == "xreg_100", "coef"]]
            if ex:
                print(
                    "xreg (y = 5 + 3 price + AR(1)):"
                    f" statsforecast ex_1 median {np.median(ex):.4f},"
                    f" |ex_1 - 3| max {np.max(np.abs(np.asarray(ex) - 3)):.4f}"
                )
        m = sf.merge(rs, on=["unique_id", "spec", "method"], suffixes=("_sf", "_rs"))
        print(f"fixed-order fits: {len(m)} (tolerance {tol:g} x mean|y|)")
        print(
            f"{'spec':16s} {'method':8s} {'both ok':>8s} {'mean':>7s} {'se':>7s} {'coef':>7s}"
            f" {'sigma2':>7s} {'loglik':>7s} {'aicc':>7s}  median|mean diff|"
        )
        for (spec, method), g in m.groupby(["spec", "method"], sort=False):
            ok = g[(g.ok_sf == 1) & (g.ok_rs == 1)]
            if len(ok) == 0:
                print(f"{spec:16s} {method:8s} {0:8d}")
                continue
            dm, ds, dc, d2, dl, da = [], [], [], [], [], []
            for _, r in ok.iterrows():
                s = scale[r.unique_id]
                dm.append(_rel(json.loads(r.mean_sf), json.loads(r.mean_rs), s))
                ds.append(_rel(json.loads(r.se_sf), json.loads(r.se_rs), s))
                c1, c2 = json.loads(r.coef_sf), json.loads(r.coef_rs)
                dc.append(
                    max(
                        [
                            abs(c1[k] - c2.get(k, np.nan))
                            / (s if k in ("intercept", "drift") else 1)
                            for k in c1
                        ]
                        or [0.0]
                    )
                )
                if method != "forward":
                    d2.append(abs(r.sigma2_sf - r.sigma2_rs) / max(r.sigma2_sf, 1e-300))
                    dl.append(abs(r.loglik_sf - r.loglik_rs) / max(abs(r.loglik_sf), 1.0))
                    da.append(abs(r.aicc_sf - r.aicc_rs) / max(abs(r.aicc_sf), 1.0))

            def share(v):
                return np.mean(np.asarray(v) <= tol) if len(v) else float("nan")

            print(
                f"{spec:16s} {method:8s} {len(ok):4d}/{len(g):<3d} {share(dm):7.1%}"
                f" {share(ds):7.1%} {share(dc):7.1%} {share(d2):7.1%}"
                f" {share(dl):7.1%} {share(da):7.1%}"
                f"  {np.median(dm):.1e}"
            )
            fail_sf, fail_rs = int((g.ok_sf == 0).sum()), int((g.ok_rs == 0).sum())
            if fail_sf or fail_rs:
                print(f"{'':25s} failed: statsforecast {fail_sf}, native {fail_rs}")
    if (out / "sf_auto.csv").exists() and (out / "rust_auto.csv").exists():
        sf = pd.read_csv(out / "sf_auto.csv")
        rs = pd.read_csv(out / "rust_auto.csv")
        m = sf.merge(rs, on="unique_id", suffixes=("_sf", "_rs"))
        keys = ["p", "q", "P", "Q", "constant"]
        same = np.all([m[k + "_sf"] == m[k + "_rs"] for k in keys], axis=0)
        print(
            f"\nAutoARIMA (season 7, same d and D): same order on {same.sum()}/{len(m)}"
            f" = {same.mean():.1%} of series"
        )
        dm = [
            _rel(json.loads(a), json.loads(b), scale[u])
            for a, b, u in zip(m.mean_sf, m.mean_rs, m.unique_id, strict=True)
        ]
        dm = np.asarray(dm)
        print(
            f"  forecasts within {tol:g} x mean|y|: {np.mean(dm <= tol):.1%}"
            f" (same order: {np.mean(dm[same] <= tol):.1%}); within 1e-3: {np.mean(dm <= 1e-3):.1%}"
        )
        da = np.abs(m.aicc_sf - m.aicc_rs)
        print(
            f"  |aicc diff| on same order: median {np.median(da[same]):.2e},"
            f" max {np.max(da[same]):.2e}"
        )
        t_sf, t_rs = m.seconds_sf.sum(), m.seconds_rs.sum()
        print(
            f"  seconds per series (dump timings): statsforecast {t_sf / len(m):.3f},"
            f" native {t_rs / len(m):.4f} -> {t_sf / max(t_rs, 1e-12):.1f}x"
        )
        if (out / "sf_time.csv").exists():
            tt = pd.read_csv(out / "sf_time.csv").merge(rs, on="unique_id")
            a, b = tt.seconds_x.sum(), tt.seconds_y.sum()
            print(
                f"  clean timing on {len(tt)} series: statsforecast {a / len(tt):.3f} s, native"
                f" {b / len(tt):.4f} s per series -> {a / max(b, 1e-12):.1f}x"
            )
        diff = m[~same]
        if len(diff):
            print("  differing series (sf order vs native order, aicc sf / native):")
            for _, r in diff.head(30).iterrows():
                print(
                    f"    {r.unique_id:10s} ({r.p_sf},{r.d},{r.q_sf})({r.P_sf},{r.D},{r.Q_sf})"
                    f" c{r.constant_sf}"
                    f"  vs ({r.p_rs},{r.d},{r.q_rs})({r.P_rs},{r.D},{r.Q_rs}) c{r.constant_rs}"
                    f"   {r.aicc_sf:.4f} / {r.aicc_rs:.4f}"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["dump", "compare", "time"])
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("/tmp/arima_oracle"))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--no-auto", action="store_true")
    ap.add_argument("--no-fixed", action="store_true")
    a = ap.parse_args()
    if a.step == "dump":
        dump(a.out, a.n, auto=not a.no_auto, fixed=not a.no_fixed)
    elif a.step == "time":
        time_sf(a.out, a.n)
    else:
        compare(a.out, a.tol)


if __name__ == "__main__":
    main()
