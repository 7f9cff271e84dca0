"""``DemandForecaster.update``: new observations without re-estimation.

The acceptance criterion: an update forecasts as a refit with frozen parameters. For
models without parameters that is a plain refit on the full frame; for ETS and theta it is
statsforecast 2.1.1's ``forward(y_full, h)`` (same parameters applied to the longer
series), compared on the series where both libraries chose the same model; for the global
models it is mlforecast 1.1.0's ``update``. Also: partial updates, chained updates,
persistence after an update, format-2 files, and the errors.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ets_textbook
from shelfcast import DemandForecaster
from shelfcast import features as F
from shelfcast import models as sc
from shelfcast.exceptions import (
    DuplicateRowError,
    InvalidInputError,
    InvalidSeriesError,
    MissingColumnError,
    ModelFormatError,
    NotFittedError,
)

NEW = 28  # days appended by the update
H = 14
TOL = 1e-6
FORMAT2 = Path(__file__).parent / "data" / "forecaster_format2.npz"

PARAMETER_FREE = [
    sc.Naive(),
    sc.SeasonalNaive(7),
    sc.HistoricAverage(),
    sc.WindowAverage(7),
    sc.SeasonalWindowAverage(7, 2),
    sc.SimpleExponentialSmoothing(0.2),
    sc.CrostonClassic(),
    sc.CrostonSBA(),
    sc.TSB(alpha_d=0.2, alpha_p=0.1),
]


def _split(df: pd.DataFrame, n_series: int, new: int = NEW) -> tuple[pd.DataFrame, ...]:
    ids = np.sort(df["unique_id"].unique())[:n_series]
    df = df[df["unique_id"].isin(ids)].reset_index(drop=True)
    last = df.groupby("unique_id")["ds"].transform("max")
    cut = last - pd.Timedelta(days=new)
    return df, df[df["ds"] <= cut].reset_index(drop=True), df[df["ds"] > cut].reset_index(drop=True)


@pytest.fixture(scope="module")
def frames(retail_subset) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _split(retail_subset, 80)


def _values(out: pd.DataFrame, names: list[str]) -> np.ndarray:
    return out[names].to_numpy(dtype=np.float64)


# ------------------------------------------------------------ parameter-free models
def test_parameter_free_models_update_as_a_refit(frames):
    full, train, new = frames
    fc = DemandForecaster(PARAMETER_FREE, freq="D").fit(train)
    assert fc.fallbacks_.empty
    assert fc.update(new) is fc
    ref = DemandForecaster(PARAMETER_FREE, freq="D").fit(full)
    names = fc.model_names
    np.testing.assert_array_equal(_values(fc.predict(H), names), _values(ref.predict(H), names))
    pd.testing.assert_frame_equal(fc.predict(H), ref.predict(H))
    pd.testing.assert_frame_equal(fc.residual_std(), ref.residual_std())
    pd.testing.assert_frame_equal(fc.forecast_fitted_values(), ref.forecast_fitted_values())
    # conformal intervals are recomputed from the longer history
    pd.testing.assert_frame_equal(fc.predict(H, level=[80]), ref.predict(H, level=[80]))
    paths, ref_paths = fc.sample_paths(H, n_paths=20, seed=3), ref.sample_paths(H, 20, seed=3)
    np.testing.assert_array_equal(paths, ref_paths)


def test_partial_and_chained_updates(frames):
    _, train, new = frames
    models = [sc.Naive(), sc.SimpleExponentialSmoothingOptimized(), sc.AutoETS(season_length=7)]
    once = DemandForecaster(models, freq="D").fit(train)
    before = once.predict(H)
    chained = pickle.loads(pickle.dumps(once))
    # only some series get new rows: the others keep their forecasts exactly
    some = np.sort(new["unique_id"].unique())[:30]
    part = new[new["unique_id"].isin(some)]
    once.update(part)
    after = once.predict(H)
    others = ~before["unique_id"].isin(some)
    pd.testing.assert_frame_equal(after[others.to_numpy()], before[others.to_numpy()])
    assert not np.allclose(
        _values(after[~others.to_numpy()], once.model_names)[:, 1:],
        _values(before[~others.to_numpy()], once.model_names)[:, 1:],
    )
    # two updates (first half, then the rest) equal one
    first = new[new["ds"] <= new.groupby("unique_id")["ds"].transform("min") + pd.Timedelta(days=9)]
    rest = new.drop(first.index)
    chained.update(first).update(rest)
    single = DemandForecaster(models, freq="D").fit(train).update(new)
    pd.testing.assert_frame_equal(chained.predict(H), single.predict(H))
    pd.testing.assert_frame_equal(chained.forecast_fitted_values(), single.forecast_fitted_values())


def test_estimated_parameters_stay_frozen(frames):
    full, train, new = frames
    models = [sc.SimpleExponentialSmoothingOptimized(), sc.AutoETS(season_length=7)]
    fc = DemandForecaster(models, freq="D").fit(train)
    comps = fc._core.ets_components(1)
    params = np.asarray(fc._core.ets_params(1))
    fc.update(new)
    assert fc._core.ets_components(1) == comps
    np.testing.assert_array_equal(np.asarray(fc._core.ets_params(1)), params)
    refit = DemandForecaster(models, freq="D").fit(full)
    # a refit re-estimates (and so forecasts differently on some series); the update did not
    assert not np.allclose(
        _values(fc.predict(H), fc.model_names), _values(refit.predict(H), fc.model_names)
    )


def test_fallbacks_are_kept(small_panel):
    fc = DemandForecaster([sc.SeasonalNaive(7), sc.AutoETS(season_length=7)], freq="D")
    fc.fit(small_panel)
    before = fc.fallbacks_
    assert "c" in set(before["unique_id"])
    days = pd.date_range("2024-01-15", periods=20, freq="D")
    new = pd.DataFrame({"unique_id": "c", "ds": days, "y": np.arange(20.0) % 7})
    fc.update(new)
    pd.testing.assert_frame_equal(fc.fallbacks_, before)
    out = fc.predict(3)
    c = out[out["unique_id"] == "c"]
    np.testing.assert_array_equal(c["SeasonalNaive"], [5.0] * 3)  # still Naive: the last value


# ----------------------------------------------------------- vs statsforecast forward


def test_ets_update_equals_statsforecast_forward(retail_subset):
    sf_models = pytest.importorskip("statsforecast.models")
    from statsforecast.ets import forecast_ets, forward_ets

    full, train, new = _split(retail_subset, 12)
    pairs = [
        (sc.AutoETS(season_length=7), lambda: sf_models.AutoETS(season_length=7)),
        (sc.Holt(), sf_models.Holt),
    ]
    fc = DemandForecaster([p[0] for p in pairs], freq="D").fit(train).update(new)
    out = fc.predict(H, level=[80])
    compared = 0
    for j, (model, make) in enumerate(pairs):
        ours = out[model.alias].to_numpy().reshape(-1, H)
        hi = out[f"{model.alias}-hi-80"].to_numpy().reshape(-1, H)
        for i, uid in enumerate(fc.unique_ids):
            y_tr = train.loc[train["unique_id"] == uid, "y"].to_numpy(float)
            y_full = full.loc[full["unique_id"] == uid, "y"].to_numpy(float)
            ref = make().fit(y_tr)
            e, t, s_, d = ref.model_["components"]
            if e + t + ("d" if d == "D" else "") + s_ != fc._core.ets_components(j)[i]:
                continue  # not the same model (never on this data)
            mod = forward_ets(ref.model_, y_full)
            np.testing.assert_allclose(ours[i], ets_textbook(mod, H), rtol=TOL, atol=TOL)
            if mod["components"][3] == "N" and "M" not in mod["components"][1:3]:
                # class 1 and 2 intervals; statsforecast 2.1 counts the seasonal terms of
                # the variance for the whole horizon, so seasonal ones are compared at h = 7
                # (see tests/test_forecaster_ets_intervals.py)
                hz = H if mod["components"][2] == "N" else 7
                want_hi = forecast_ets(mod, hz, level=[80])["hi-80"]
                np.testing.assert_allclose(hi[i][:hz], want_hi, rtol=TOL, atol=TOL)
            compared += 1
    assert compared == 2 * len(fc.unique_ids)


def test_theta_update_equals_statsforecast_forward(retail_subset):
    sf_models = pytest.importorskip("statsforecast.models")
    from statsforecast.theta import forecast_theta, forward_theta

    full, train, new = _split(retail_subset, 10)
    fc = DemandForecaster([sc.AutoTheta(season_length=7)], freq="D").fit(train).update(new)
    ours = fc.predict(H)["AutoTheta"].to_numpy().reshape(-1, H)
    compared = 0
    for i, uid in enumerate(fc.unique_ids):
        y_tr = train.loc[train["unique_id"] == uid, "y"].to_numpy(float)
        y_full = full.loc[full["unique_id"] == uid, "y"].to_numpy(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sf_models.AutoTheta(season_length=7).fit(y_tr)
            mod = forward_theta(ref.model_, y_full)
        decision = (ref.model_.get("decompose", False), ref.model_.get("decomposition_type"))
        if decision != (mod.get("decompose", False), mod.get("decomposition_type")):
            continue  # statsforecast re-decides the seasonal adjustment; shelfcast keeps it
        np.testing.assert_allclose(ours[i], forecast_theta(mod, H)["mean"], rtol=1e-9, atol=1e-9)
        compared += 1
    assert compared >= 8


def test_mstl_update_equals_statsforecast_forward(retail_subset):
    sf_models = pytest.importorskip("statsforecast.models")

    full, train, new = _split(retail_subset, 8)
    model = sc.MSTL(season_length=7, trend_forecaster=sc.AutoETS(season_length=1, model="ZZN"))
    fc = DemandForecaster([model], freq="D").fit(train).update(new)
    ours = fc.predict(H)[model.alias].to_numpy().reshape(-1, H)
    compared = 0
    for i, uid in enumerate(fc.unique_ids):
        y_tr = train.loc[train["unique_id"] == uid, "y"].to_numpy(float)
        y_full = full.loc[full["unique_id"] == uid, "y"].to_numpy(float)
        ref = sf_models.MSTL(7, trend_forecaster=sf_models.AutoETS(model="ZZN")).fit(y_tr)
        if ref.trend_forecaster.model_["components"][3] == "D":
            continue  # statsforecast 2.1's damped forecasts add φ twice
        want = ref.forward(y_full, H)["mean"]
        np.testing.assert_allclose(ours[i], want, rtol=TOL, atol=TOL)
        compared += 1
    assert compared >= 4


# -------------------------------------------------------------------- global models
@pytest.mark.parametrize("transforms", ["none", "standardize", "diff"])
def test_global_update_equals_mlforecast(retail_subset, transforms):
    mlforecast = pytest.importorskip("mlforecast")
    from mlforecast import lag_transforms as MT
    from mlforecast.target_transforms import Differences, LocalStandardScaler
    from sklearn.linear_model import LinearRegression as SkLinear

    _, train, new = _split(retail_subset, 40, new=14)
    ours_tt = {"none": None, "standardize": [F.Standardize()], "diff": [F.Differences([7])]}
    theirs_tt = {"none": None, "standardize": [LocalStandardScaler()], "diff": [Differences([7])]}
    kw = {"lags": [1, 7, 14], "date_features": ["dayofweek", "day"]}
    mlf = mlforecast.MLForecast(
        models={"LinearRegression": SkLinear()},
        freq="D",
        lag_transforms={1: [MT.RollingMean(7)]},
        target_transforms=theirs_tt[transforms],
        **kw,
    )
    mlf.fit(train, static_features=[])
    mlf.update(new)
    theirs = mlf.predict(7)
    fc = DemandForecaster(
        [sc.LinearRegression()],
        freq="D",
        lag_transforms={1: [F.RollingMean(7)]},
        target_transforms=ours_tt[transforms],
        **kw,
    )
    ours = fc.fit(train).update(new).predict(7)
    m = ours.merge(theirs, on=["unique_id", "ds"], suffixes=("", "_mlf"))
    assert len(m) == len(ours) == 7 * 40
    np.testing.assert_allclose(m["LinearRegression"], m["LinearRegression_mlf"], rtol=TOL, atol=TOL)


def test_global_update_freezes_standardize(frames):
    full, train, new = frames
    kw = {"lags": [1, 7], "target_transforms": [F.Standardize()]}
    fc = DemandForecaster([sc.LinearRegression()], freq="D", **kw).fit(train)
    before = fc.forecast_fitted_values()
    fc.update(new)
    after = fc.forecast_fitted_values()
    # the training rows keep their fitted values: the scale did not move
    old = after.merge(before, on=["unique_id", "ds"], suffixes=("", "_before"))
    assert len(old) == len(train)
    np.testing.assert_allclose(old["LinearRegression"], old["LinearRegression_before"], rtol=1e-12)
    # a refit re-estimates the scale (and the model)
    refit = DemandForecaster([sc.LinearRegression()], freq="D", **kw).fit(full)
    assert not np.allclose(
        after["LinearRegression"],
        refit.forecast_fitted_values()["LinearRegression"],
        equal_nan=True,
    )
    assert len(after) == len(full)


def test_global_update_with_a_dynamic_feature(frames):
    full, train, new = frames
    price = lambda d: 1.0 + (d["ds"].dt.dayofweek.to_numpy() == 5) * 0.5  # noqa: E731
    fc = DemandForecaster([sc.LinearRegression(), sc.Naive()], freq="D", lags=[1, 7])
    with pytest.warns(UserWarning):
        fc.fit(train.assign(price=price(train)))
    with pytest.raises(MissingColumnError, match="price"):
        fc.update(new)
    with pytest.raises(InvalidInputError, match="promo"):
        fc.update(new.assign(price=price(new), promo=1.0))
    fc.update(new.assign(price=price(new)))
    future = fc.predict(2, X_df=_future(fc, price)).reset_index(drop=True)
    assert future["ds"].min() > new["ds"].min()
    assert np.isfinite(future["LinearRegression"]).all()
    assert len(fc.forecast_fitted_values()) == len(full)


def _future(fc: DemandForecaster, price) -> pd.DataFrame:
    last = fc._last_ds
    rows = [
        (uid, pd.Timestamp(d) + pd.Timedelta(days=k))
        for uid, d in zip(fc.unique_ids, last, strict=True)
        for k in (1, 2)
    ]
    X = pd.DataFrame(rows, columns=["unique_id", "ds"])
    return X.assign(price=price(X))


def test_regression_wrapper_update(frames):
    full, train, new = frames
    price = lambda d: 2.0 + (d["ds"].dt.day.to_numpy() % 3)  # noqa: E731
    model = sc.WithRegressors(sc.SimpleExponentialSmoothingOptimized())
    fc = DemandForecaster([model], freq="D").fit(train.assign(price=price(train)))
    fc.update(new.assign(price=price(new)))
    fv = fc.forecast_fitted_values()
    assert len(fv) == len(full)
    out = fc.predict(2, X_df=_future(fc, price))
    assert np.isfinite(out[fc.model_names[0]]).all()


# -------------------------------------------------------------------- persistence
def test_update_then_save_load_and_pickle(frames, tmp_path):
    full, train, new = frames
    models = [
        sc.SeasonalNaive(7),
        sc.CrostonOptimized(),
        sc.AutoETS(season_length=7),
        sc.LinearRegression(),
    ]
    fc = DemandForecaster(models, freq="D", lags=[1, 7]).fit(train, fitted=True).update(new)
    fc.save(tmp_path / "m.npz")
    loaded = DemandForecaster.load(tmp_path / "m.npz")
    unpickled = pickle.loads(pickle.dumps(fc))
    for other in (loaded, unpickled):
        pd.testing.assert_frame_equal(other.predict(H, level=[80]), fc.predict(H, level=[80]))
        pd.testing.assert_frame_equal(other.forecast_fitted_values(), fc.forecast_fitted_values())
        pd.testing.assert_frame_equal(other.residual_std(), fc.residual_std())
    # and it keeps updating: one more day for every series
    more = full.groupby("unique_id", as_index=False).tail(1).copy()
    more["ds"] += pd.Timedelta(days=1)
    loaded.update(more)
    fc.update(more)
    pd.testing.assert_frame_equal(loaded.predict(H), fc.predict(H))


def test_format2_files_forecast_but_refuse_update():
    fc = DemandForecaster.load(FORMAT2)
    # saved by shelfcast before the frozen parameters (model format 2)
    out = fc.predict(3)
    np.testing.assert_allclose(
        out["CrostonSBA"].to_numpy()[[0, 3]], [1.684161, 3.936174], atol=1e-6
    )
    new = pd.DataFrame({"unique_id": ["a"], "ds": [pd.Timestamp("2024-01-21")], "y": [1.0]})
    with pytest.raises(ModelFormatError, match=r"older shelfcast.*refit"):
        fc.update(new)
    with pytest.raises(ModelFormatError, match="older shelfcast"):
        fc.forecast_fitted_values()
    pd.testing.assert_frame_equal(fc.predict(3), out)  # the failed update changed nothing


# ------------------------------------------------------------------------- errors
def test_errors_name_the_series_and_date(small_panel):
    fc = DemandForecaster([sc.Naive()], freq="D")
    row = pd.DataFrame({"unique_id": ["a"], "ds": [pd.Timestamp("2024-01-17")], "y": [1.0]})
    with pytest.raises(NotFittedError):
        fc.update(row)
    fc.fit(small_panel)
    before = fc.predict(2)
    with pytest.raises(InvalidInputError, match=r"not fitted on.*'zz'.*refit"):
        fc.update(pd.concat([row, row.assign(unique_id="zz")]))
    with pytest.raises(InvalidSeriesError, match=r"overlaps.*'a'.*2024-01-16"):
        fc.update(row.assign(ds=pd.Timestamp("2024-01-16")))
    with pytest.raises(
        InvalidSeriesError, match=r"gap in series 'a'.*2024-01-19.*expected 2024-01-17"
    ):
        fc.update(row.assign(ds=pd.Timestamp("2024-01-19")))
    two = pd.concat([row, row.assign(ds=pd.Timestamp("2024-01-19"))])
    with pytest.raises(InvalidSeriesError, match="'a' is not regular"):
        fc.update(two)
    with pytest.raises(InvalidSeriesError, match="nan"):
        fc.update(row.assign(y=np.nan))
    with pytest.raises(DuplicateRowError):
        fc.update(pd.concat([row, row]))
    with pytest.raises(MissingColumnError):
        fc.update(row.drop(columns="y"))
    pd.testing.assert_frame_equal(fc.predict(2), before)  # nothing changed
    copy = row.copy()
    fc.update(row)
    pd.testing.assert_frame_equal(row, copy)  # nothing the caller passed is modified
    out = fc.predict(1)
    assert out.loc[out["unique_id"] == "a", "ds"].iloc[0] == pd.Timestamp("2024-01-18")
