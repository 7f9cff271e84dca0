"""In-sample fitted values (``forecast_fitted_values``): layout, intervals, caching, and the
numbers against statsforecast 2.1.1 (``forecast(fitted=True)`` + ``forecast_fitted_values()``)
and mlforecast 1.1.0 (``fit(fitted=True)`` + ``forecast_fitted_values()``).

Where the definitions agree the values agree to 1e-6 (mostly to rounding). The deliberate
differences, tested as such: theta models with an additive seasonal adjustment
(statsforecast leaves the season out of its fitted values), Croston and TSB before the
first demand (statsforecast 0, shelfcast NaN: no forecast exists yet), and
CrostonOptimized, ADIDA and IMAPA, whose statsforecast fitted values re-estimate on every
prefix (shelfcast's are the fitted model's filter, the one ``update`` runs).
"""

from __future__ import annotations

import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster
from shelfcast import features as F
from shelfcast import models as sc
from shelfcast.exceptions import InvalidParameterError, NotFittedError

sf_models = pytest.importorskip("statsforecast.models")
StatsForecast = pytest.importorskip("statsforecast").StatsForecast
TOL = 1e-6


def _subset(df: pd.DataFrame, n: int) -> pd.DataFrame:
    ids = np.sort(df["unique_id"].unique())[:n]
    return df[df["unique_id"].isin(ids)].reset_index(drop=True)


def _statsforecast_fitted(models: list[object], df: pd.DataFrame, level=None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = StatsForecast(models=models, freq="D", n_jobs=1)
        sf.forecast(df=df, h=1, fitted=True, level=level)
        out = sf.forecast_fitted_values()
    return out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


def _assert_close(got: np.ndarray, want: np.ndarray, name: str) -> None:
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL, err_msg=name)


# --------------------------------------------------------------------------- layout
def test_layout_one_row_per_observation(small_panel):
    fc = DemandForecaster([sc.Naive(), sc.SeasonalNaive(7), sc.HistoricAverage()], freq="D")
    fv = fc.fit(small_panel).forecast_fitted_values()
    assert list(fv.columns) == ["unique_id", "ds", "y", "Naive", "SeasonalNaive", "HistoricAverage"]
    want = small_panel.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    np.testing.assert_array_equal(fv["unique_id"], want["unique_id"])
    np.testing.assert_array_equal(fv["ds"], want["ds"])
    np.testing.assert_array_equal(fv["y"], want["y"])
    for _, g in fv.groupby("unique_id"):
        assert np.isnan(g["Naive"].iloc[0])
        np.testing.assert_array_equal(g["Naive"].iloc[1:], g["y"].iloc[:-1])
        assert np.allclose(g["HistoricAverage"], g["y"].mean())
    # "c" is shorter than a week: SeasonalNaive fell back to Naive, and says so
    c = fv[fv["unique_id"] == "c"]
    np.testing.assert_array_equal(c["SeasonalNaive"].iloc[1:], c["y"].iloc[:-1])


def test_intervals_are_fitted_plus_minus_z_sigma_clipped(small_panel):
    fc = DemandForecaster([sc.Naive(), sc.CrostonSBA()], freq="D").fit(small_panel)
    fv = fc.forecast_fitted_values(level=[95, 80])
    names = ["Naive", "CrostonSBA"]
    tail = [f"{m}-{s}" for m in names for s in ("lo-95", "lo-80", "hi-80", "hi-95")]
    assert list(fv.columns) == ["unique_id", "ds", "y", *names, *tail]
    sigma = fc.residual_std().set_index("unique_id")
    for name in names:
        s = sigma.loc[fv["unique_id"], name].to_numpy()
        for lv in (80, 95):
            z = NormalDist().inv_cdf(0.5 + lv / 200)
            lo, hi = fv[name] - z * s, fv[name] + z * s
            np.testing.assert_allclose(fv[f"{name}-hi-{lv}"], hi)
            np.testing.assert_allclose(fv[f"{name}-lo-{lv}"], np.maximum(lo, 0.0))
        assert (fv[f"{name}-lo-95"].dropna() >= 0).all()
        assert np.isnan(fv[f"{name}-lo-80"].iloc[0])


def test_fitted_flag_caches_the_same_numbers(small_panel):
    models = [sc.SimpleExponentialSmoothingOptimized(), sc.AutoETS(season_length=7)]
    eager = DemandForecaster(models, freq="D")
    out = eager.forecast(small_panel, h=3, fitted=True)
    assert eager._fitted_cache is not None
    lazy = DemandForecaster(models, freq="D").fit(small_panel)
    assert lazy._fitted_cache is None
    pd.testing.assert_frame_equal(eager.forecast_fitted_values(), lazy.forecast_fitted_values())
    pd.testing.assert_frame_equal(out, lazy.predict(3))


def test_sigma_is_the_rms_of_the_fitted_errors(retail_split):
    train, _ = retail_split
    train = _subset(train, 40)
    models = [
        sc.Naive(),
        sc.SeasonalNaive(7),
        sc.HistoricAverage(),
        sc.WindowAverage(7),
        sc.SeasonalWindowAverage(7, 2),
        sc.SimpleExponentialSmoothing(0.2),
        sc.SimpleExponentialSmoothingOptimized(),
        sc.CrostonClassic(),
        sc.CrostonSBA(),
        sc.CrostonOptimized(),
        sc.TSB(alpha_d=0.2, alpha_p=0.1),
        sc.ADIDA(),
        sc.IMAPA(),
        sc.AutoETS(season_length=7),
    ]
    fc = DemandForecaster(models, freq="D").fit(train)
    fv = fc.forecast_fitted_values()
    sigma = fc.residual_std().set_index("unique_id")
    for name in fc.model_names:
        err = (fv["y"] - fv[name]) ** 2
        rms = np.sqrt(err.groupby(fv["unique_id"]).mean())  # NaN rows skipped
        _assert_close(rms.to_numpy(), sigma.loc[rms.index, name].to_numpy(), name)


def test_errors(small_panel):
    fc = DemandForecaster([sc.Naive()], freq="D")
    with pytest.raises(NotFittedError):
        fc.forecast_fitted_values()
    fc.fit(small_panel)
    with pytest.raises(InvalidParameterError, match="level"):
        fc.forecast_fitted_values(level=[120])


# ------------------------------------------------------------------ vs statsforecast
def test_equal_statsforecast_naive_ses_croston_tsb(retail_split):
    train, _ = retail_split
    pairs = [
        (sc.Naive(), sf_models.Naive()),
        (sc.SeasonalNaive(7), sf_models.SeasonalNaive(season_length=7)),
        (sc.HistoricAverage(), sf_models.HistoricAverage()),
        (sc.SimpleExponentialSmoothing(0.3), sf_models.SimpleExponentialSmoothing(alpha=0.3)),
        (sc.SimpleExponentialSmoothingOptimized(), sf_models.SimpleExponentialSmoothingOptimized()),
        (sc.CrostonClassic(), sf_models.CrostonClassic()),
        (sc.CrostonSBA(), sf_models.CrostonSBA()),
        (sc.TSB(alpha_d=0.2, alpha_p=0.3), sf_models.TSB(alpha_d=0.2, alpha_p=0.3)),
    ]
    ours = DemandForecaster([p[0] for p in pairs], freq="D").fit(train).forecast_fitted_values()
    ref = _statsforecast_fitted([p[1] for p in pairs], train)
    np.testing.assert_array_equal(ours["ds"], ref["ds"])
    np.testing.assert_array_equal(ours["y"], ref["y"])
    for model, theirs in pairs:
        got, want = ours[model.alias].to_numpy(), ref[theirs.alias].to_numpy()
        # Croston and TSB: statsforecast reports 0 before the first demand, shelfcast NaN
        differ = np.isnan(got) & ~np.isnan(want)
        assert (want[differ] == 0).all(), model.alias
        keep = ~differ
        _assert_close(got[keep], want[keep], model.alias)


def test_naive_intervals_equal_statsforecast(retail_split):
    train = _subset(retail_split[0], 50)
    ours = DemandForecaster([sc.Naive(), sc.SeasonalNaive(7)], freq="D").fit(train)
    fv = ours.forecast_fitted_values(level=[80, 95])
    ref = _statsforecast_fitted(
        [sf_models.Naive(), sf_models.SeasonalNaive(season_length=7)], train, level=[80, 95]
    )
    for col in ["Naive-hi-95", "Naive-hi-80", "SeasonalNaive-hi-80", "SeasonalNaive-hi-95"]:
        _assert_close(fv[col].to_numpy(), ref[col].to_numpy(), col)
    for col in ["Naive-lo-95", "SeasonalNaive-lo-80"]:  # shelfcast clips at 0
        _assert_close(fv[col].to_numpy(), np.maximum(ref[col].to_numpy(), 0.0), col)


def test_equal_statsforecast_ets(retail_split):
    train = _subset(retail_split[0], 12)
    pairs = [
        (sc.AutoETS(season_length=7), sf_models.AutoETS(season_length=7)),
        (sc.Holt(), sf_models.Holt()),
        (sc.HoltWinters(season_length=7), sf_models.HoltWinters(season_length=7)),
    ]
    ours = DemandForecaster([p[0] for p in pairs], freq="D").fit(train).forecast_fitted_values()
    ref = _statsforecast_fitted([p[1] for p in pairs], train)
    for model, theirs in pairs:
        _assert_close(ours[model.alias].to_numpy(), ref[theirs.alias].to_numpy(), model.alias)


def test_theta_equals_statsforecast_but_keeps_an_additive_season(retail_split):
    seasonal_decompose = pytest.importorskip("statsmodels.tsa.seasonal").seasonal_decompose
    from statsforecast.theta import auto_theta

    train = _subset(retail_split[0], 12)
    fc = DemandForecaster([sc.AutoTheta(season_length=7), sc.Theta(season_length=7)], freq="D")
    fv = fc.fit(train).forecast_fitted_values()
    kinds = set()
    for uid, g in fv.groupby("unique_id"):
        y = g["y"].to_numpy()
        for name, model in [("AutoTheta", None), ("Theta", "STM")]:
            mod = auto_theta(y, 7, model=model)
            want = y - mod["residuals"]
            kind = mod["decomposition_type"] if mod.get("decompose") else "none"
            kinds.add(kind)
            if kind == "additive":  # statsforecast's fitted values lack the season
                want = want + seasonal_decompose(y, model="additive", period=7).seasonal
            _assert_close(g[name].to_numpy(), want, f"{name} {uid} ({kind})")
    assert {"none", "additive"} <= kinds


def test_estimating_intermittent_models_differ_by_definition(retail_split):
    """statsforecast re-optimises CrostonOptimized / ADIDA / IMAPA on every prefix; the
    shelfcast values are the fitted model's filter, so they differ but stay close in level."""
    train = _subset(retail_split[0], 20)
    pairs = [
        (sc.CrostonOptimized(), sf_models.CrostonOptimized()),
        (sc.ADIDA(), sf_models.ADIDA()),
        (sc.IMAPA(), sf_models.IMAPA()),
    ]
    ours = DemandForecaster([p[0] for p in pairs], freq="D").fit(train).forecast_fitted_values()
    ref = _statsforecast_fitted([p[1] for p in pairs], train)
    for model, theirs in pairs:
        got, want = ours[model.alias].to_numpy(), ref[theirs.alias].to_numpy()
        both = np.isfinite(got) & np.isfinite(want)
        assert both.mean() > 0.9
        assert not np.allclose(got[both], want[both], rtol=TOL, atol=TOL)
        # same order of magnitude: the mean fitted level agrees within 25 %
        assert abs(got[both].mean() / want[both].mean() - 1) < 0.25, model.alias


# -------------------------------------------------------------------- vs mlforecast
@pytest.mark.parametrize("transforms", ["none", "standardize+diff"])
def test_global_models_equal_mlforecast(retail_split, transforms):
    mlforecast = pytest.importorskip("mlforecast")
    from mlforecast import lag_transforms as MT
    from mlforecast.target_transforms import Differences, LocalStandardScaler
    from sklearn.linear_model import LinearRegression as SkLinear
    from sklearn.linear_model import Ridge as SkRidge

    train = _subset(retail_split[0], 40)
    ours_tt = [F.Standardize(), F.Differences([7])] if transforms != "none" else None
    theirs_tt = [LocalStandardScaler(), Differences([7])] if transforms != "none" else None
    kw = {"lags": [1, 7, 14], "date_features": ["dayofweek", "day"]}
    mlf = mlforecast.MLForecast(
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
    ours = fc.fit(train, fitted=True).forecast_fitted_values()
    assert len(ours) == len(train)
    scored = ours.dropna(subset=["LinearRegression"])
    assert len(scored) == len(theirs)  # the rows mlforecast trains on, and no other
    m = scored.merge(theirs, on=["unique_id", "ds"], suffixes=("", "_mlf"))
    assert len(m) == len(theirs)
    for name in ["LinearRegression", "Ridge"]:
        _assert_close(m[name].to_numpy(), m[f"{name}_mlf"].to_numpy(), name)
    sigma = fc.residual_std().set_index("unique_id")["Ridge"]
    rms = np.sqrt(((ours["y"] - ours["Ridge"]) ** 2).groupby(ours["unique_id"]).mean())
    _assert_close(rms.to_numpy(), sigma.loc[rms.index].to_numpy(), "Ridge sigma")


def test_calendar_offsets_and_polars(small_panel):
    # a frequency without fixed-length periods: the dates are rebuilt from each series' end
    monthly = small_panel.assign(
        ds=small_panel.groupby("unique_id")["ds"].transform(
            lambda d: pd.date_range("2020-01-01", periods=len(d), freq="MS")
        )
    )
    fc = DemandForecaster([sc.Naive(), sc.SeasonalNaive(3)], freq="MS").fit(monthly)
    fv = fc.forecast_fitted_values()
    np.testing.assert_array_equal(fv["ds"], monthly.sort_values(["unique_id", "ds"])["ds"])
    pl = pytest.importorskip("polars")
    fc_pl = DemandForecaster([sc.Naive(), sc.SeasonalNaive(3)], freq="MS")
    out = fc_pl.fit(pl.from_pandas(monthly)).forecast_fitted_values(level=[80])
    assert isinstance(out, pl.DataFrame)
    pd.testing.assert_frame_equal(
        out.to_pandas(), fc.forecast_fitted_values(level=[80]), check_dtype=False
    )
