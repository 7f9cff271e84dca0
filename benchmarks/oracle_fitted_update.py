"""Measure shelfcast's in-sample fitted values and online update against statsforecast 2.1.1
and mlforecast 1.1.0 on the bundled Online Retail panel.

Usage::

    python benchmarks/oracle_fitted_update.py fitted [--series N] [--family F]
    python benchmarks/oracle_fitted_update.py update [--series N] [--family ets|theta]
    python benchmarks/oracle_fitted_update.py ml [--series N]

* ``fitted``: ``DemandForecaster.forecast_fitted_values()`` vs statsforecast's
  ``forecast(df, h, fitted=True)`` + ``forecast_fitted_values()``; per model the largest
  absolute and relative (to ``max(1, |value|)``) difference over the rows where both have a
  value, the share of series within 1e-6, and the rows where only one library has a value.
  Families: ``basic`` (naive, SES, Croston, TSB, ADIDA, IMAPA), ``theta``, ``ets``.
* ``update``: fit on all but the last 28 days, ``update`` with them, forecast 14 days;
  compared with statsforecast's ``model.fit(y_train).forward(y_full, 14)`` on the series
  where statsforecast's ``forward`` keeps the training fit's choices (ETS: the same model;
  theta: the same seasonal-adjustment decision). ETS forecasts of statsforecast are
  projected from its final states with the textbook damping (its 2.1 adds φ twice).
* ``ml``: fitted values of LinearRegression and Ridge vs mlforecast's
  ``fit(fitted=True)`` + ``forecast_fitted_values()``, and LinearRegression forecasts after
  ``update`` vs mlforecast's ``update`` + ``predict``, without target transforms and with
  ``Standardize`` / ``Differences([7])``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from shelfcast import DemandForecaster
from shelfcast import features as F
from shelfcast import models as sc
from shelfcast.datasets import load_online_retail

NEW, H = 28, 14


def panel(n: int) -> pd.DataFrame:
    df = load_online_retail()
    ids = np.sort(df["unique_id"].unique())[:n]
    return df[df["unique_id"].isin(ids)][["unique_id", "ds", "y"]].reset_index(drop=True)


def split(df: pd.DataFrame, new: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = df.groupby("unique_id")["ds"].transform("max") - pd.Timedelta(days=new)
    return df[df["ds"] <= cut], df[df["ds"] > cut]


def report(name: str, ids: np.ndarray, got: np.ndarray, want: np.ndarray) -> None:
    both = np.isfinite(got) & np.isfinite(want)
    diff = np.where(both, np.abs(got - want), 0.0)
    rel = diff / np.maximum(1.0, np.abs(np.where(both, want, 0.0)))
    per_series = pd.Series(rel).groupby(ids).max()
    print(
        f"{name:38s} max|d| {diff.max():9.3g}  rel {rel.max():9.3g}  series <= 1e-6: "
        f"{(per_series <= 1e-6).mean():6.1%}  only shelfcast NaN: "
        f"{int((~np.isfinite(got) & np.isfinite(want)).sum())}  only statsforecast NaN: "
        f"{int((np.isfinite(got) & ~np.isfinite(want)).sum())}"
    )


def fitted(n: int, family: str) -> None:
    import statsforecast.models as sfm
    from statsforecast import StatsForecast

    pairs = {
        "basic": [
            (sc.Naive(), sfm.Naive()),
            (sc.SeasonalNaive(7), sfm.SeasonalNaive(7)),
            (sc.HistoricAverage(), sfm.HistoricAverage()),
            (sc.SimpleExponentialSmoothing(0.3), sfm.SimpleExponentialSmoothing(0.3)),
            (sc.SimpleExponentialSmoothingOptimized(), sfm.SimpleExponentialSmoothingOptimized()),
            (sc.CrostonClassic(), sfm.CrostonClassic()),
            (sc.CrostonSBA(), sfm.CrostonSBA()),
            (sc.CrostonOptimized(), sfm.CrostonOptimized()),
            (sc.TSB(alpha_d=0.2, alpha_p=0.3), sfm.TSB(alpha_d=0.2, alpha_p=0.3)),
            (sc.ADIDA(), sfm.ADIDA()),
            (sc.IMAPA(), sfm.IMAPA()),
        ],
        "theta": [
            (getattr(sc, k)(season_length=7), getattr(sfm, k)(season_length=7))
            for k in [
                "Theta",
                "OptimizedTheta",
                "DynamicTheta",
                "DynamicOptimizedTheta",
                "AutoTheta",
            ]
        ],
        "ets": [
            (sc.AutoETS(season_length=7), sfm.AutoETS(season_length=7)),
            (sc.Holt(), sfm.Holt()),
            (sc.HoltWinters(season_length=7), sfm.HoltWinters(season_length=7)),
        ],
    }[family]
    df = panel(n)
    t0 = time.perf_counter()
    ours = DemandForecaster([p[0] for p in pairs], freq="D").fit(df).forecast_fitted_values()
    t1 = time.perf_counter()
    sf = StatsForecast(models=[p[1] for p in pairs], freq="D", n_jobs=1)
    sf.forecast(df=df, h=1, fitted=True)
    ref = sf.forecast_fitted_values().sort_values(["unique_id", "ds"]).reset_index(drop=True)
    t2 = time.perf_counter()
    print(f"{n} series, {len(df)} rows; shelfcast {t1 - t0:.2f} s, statsforecast {t2 - t1:.2f} s")
    ids = ours["unique_id"].to_numpy()
    for mine, theirs in pairs:
        report(mine.alias, ids, ours[mine.alias].to_numpy(), ref[theirs.alias].to_numpy())


def textbook(model: dict, h: int) -> np.ndarray:
    _, t, s, d = model["components"]
    m, phi = model["m"], (model["par"][3] if d == "D" else 1.0)
    st = model["states"][-1]
    level, slope = st[0], (st[1] if t != "N" else 0.0)
    seasons = st[1 + (t != "N") :]
    out = np.empty(h)
    for k in range(1, h + 1):
        damp = sum(phi**i for i in range(1, k + 1))
        f = level if t == "N" else level + damp * slope if t == "A" else level * slope**damp
        if s == "A":
            f += seasons[(m - k) % m]
        elif s == "M":
            f *= seasons[(m - k) % m]
        out[k - 1] = f
    return out


def update(n: int, family: str) -> None:
    import statsforecast.models as sfm
    from statsforecast.ets import forward_ets
    from statsforecast.theta import forecast_theta, forward_theta

    df = panel(n)
    train, new = split(df, NEW)
    models = {
        "ets": [
            (sc.AutoETS(season_length=7), lambda: sfm.AutoETS(season_length=7)),
            (sc.Holt(), sfm.Holt),
        ],
        "theta": [
            (sc.AutoTheta(season_length=7), lambda: sfm.AutoTheta(season_length=7)),
            (sc.OptimizedTheta(season_length=7), lambda: sfm.OptimizedTheta(season_length=7)),
        ],
    }[family]
    fc = DemandForecaster([m[0] for m in models], freq="D").fit(train).update(new)
    out = fc.predict(H)
    for j, (mine, make) in enumerate(models):
        ours = out[mine.alias].to_numpy().reshape(-1, H)
        rel, skipped = [], 0
        for i, uid in enumerate(fc.unique_ids):
            y_tr = train.loc[train["unique_id"] == uid, "y"].to_numpy(float)
            y_full = df.loc[df["unique_id"] == uid, "y"].to_numpy(float)
            ref = make().fit(y_tr)
            if family == "ets":
                e, t, s, d = ref.model_["components"]
                if e + t + ("d" if d == "D" else "") + s != fc._core.ets_components(j)[i]:
                    skipped += 1
                    continue
                want = textbook(forward_ets(ref.model_, y_full), H)
            else:
                mod = forward_theta(ref.model_, y_full)
                keys = ("decompose", "decomposition_type")
                if any(ref.model_.get(k) != mod.get(k) for k in keys):
                    skipped += 1
                    continue
                want = forecast_theta(mod, H)["mean"]
            rel.append(np.max(np.abs(ours[i] - want) / np.maximum(1.0, np.abs(want))))
        r = np.array(rel)
        print(
            f"{mine.alias:22s} {len(r)}/{len(fc.unique_ids)} series compared ({skipped} where "
            f"statsforecast's forward changes a choice); max rel diff {r.max():.3g}; "
            f"<= 1e-6: {(r <= 1e-6).mean():.1%}; bit for bit: {(r == 0).mean():.1%}"
        )


def ml(n: int) -> None:
    from mlforecast import MLForecast
    from mlforecast import lag_transforms as MT
    from mlforecast.target_transforms import Differences, LocalStandardScaler
    from sklearn.linear_model import LinearRegression as SkLinear
    from sklearn.linear_model import Ridge as SkRidge

    df = panel(n)
    train, new = split(df, 14)
    kw = {"lags": [1, 7, 14], "date_features": ["dayofweek", "day"]}
    for label, ours_tt, theirs_tt in [
        ("no transform", None, None),
        ("Standardize", [F.Standardize()], [LocalStandardScaler()]),
        ("Differences([7])", [F.Differences([7])], [Differences([7])]),
        ("both", [F.Standardize(), F.Differences([7])], [LocalStandardScaler(), Differences([7])]),
    ]:
        mlf = MLForecast(
            models={"LinearRegression": SkLinear(), "Ridge": SkRidge(alpha=5.0)},
            freq="D",
            lag_transforms={1: [MT.RollingMean(7)]},
            target_transforms=theirs_tt,
            **kw,
        )
        mlf.fit(train, fitted=True, static_features=[])
        theirs = mlf.forecast_fitted_values()
        fc = DemandForecaster(
            [sc.LinearRegression(), sc.Ridge(5.0)],
            freq="D",
            lag_transforms={1: [F.RollingMean(7)]},
            target_transforms=ours_tt,
            **kw,
        )
        ours = fc.fit(train).forecast_fitted_values()
        scored = ours.dropna(subset=["LinearRegression"])
        m = scored.merge(theirs, on=["unique_id", "ds"], suffixes=("", "_mlf"))
        d = max(np.abs(m[c] - m[f"{c}_mlf"]).max() for c in ["LinearRegression", "Ridge"])
        mlf.update(new)
        fc.update(new)
        up = fc.predict(7).merge(mlf.predict(7), on=["unique_id", "ds"], suffixes=("", "_mlf"))
        du = np.abs(up["LinearRegression"] - up["LinearRegression_mlf"]).max()
        print(
            f"{label:18s} fitted rows: shelfcast {len(scored)}, mlforecast {len(theirs)}, "
            f"matched {len(m)}; max|d| {d:.3g}; after update, forecasts max|d| {du:.3g}"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=["fitted", "update", "ml"])
    p.add_argument("--series", type=int, default=100)
    p.add_argument("--family", default=None)
    a = p.parse_args()
    warnings.simplefilter("ignore")
    if a.what == "fitted":
        fitted(a.series, a.family or "basic")
    elif a.what == "update":
        update(a.series, a.family or "ets")
    else:
        ml(a.series)


if __name__ == "__main__":
    main()
