"""Probabilistic output, cross-validation and persistence of DemandForecaster, checked
against statsforecast where it has the same thing (cross_validation, ConformalIntervals)."""

from __future__ import annotations

import pickle
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
import statsforecast.models as sfm
from shelfcast import DemandForecaster
from shelfcast import models as M
from shelfcast.exceptions import InvalidParameterError, ModelFormatError, NotFittedError
from statsforecast import StatsForecast
from statsforecast.utils import ConformalIntervals

H = 14


@pytest.fixture(scope="module")
def fitted(retail_subset: pd.DataFrame) -> DemandForecaster:
    fc = DemandForecaster([M.SeasonalNaive(7), M.CrostonClassic(), M.TSB(0.2, 0.1)])
    return fc.fit(retail_subset)


def test_more_deterministic_models_equal_statsforecast(retail_subset):
    pairs = [
        (M.WindowAverage(7), sfm.WindowAverage(7)),
        (M.SeasonalWindowAverage(3, 7), sfm.SeasonalWindowAverage(7, 3)),
        (M.SimpleExponentialSmoothing(0.2), sfm.SimpleExponentialSmoothing(0.2)),
        (M.TSB(0.2, 0.1), sfm.TSB(0.2, 0.1)),
        (M.CrostonSBA(), sfm.CrostonSBA()),
    ]
    ref = StatsForecast(models=[p[1] for p in pairs], freq="D").forecast(df=retail_subset, h=28)
    out = DemandForecaster([p[0] for p in pairs]).forecast(retail_subset, 28)
    assert (out["unique_id"].to_numpy() == ref["unique_id"].to_numpy()).all()
    for ours, theirs in zip(out.columns[2:], ref.columns[2:], strict=True):
        np.testing.assert_allclose(out[ours], ref[theirs], rtol=1e-6, atol=1e-6, err_msg=ours)


def test_cross_validation_equals_statsforecast(retail_subset):
    ref = StatsForecast(models=[sfm.SeasonalNaive(7), sfm.CrostonClassic()], freq="D")
    ref = ref.cross_validation(df=retail_subset, h=H, n_windows=3, step_size=7)
    fc = DemandForecaster([M.SeasonalNaive(7), M.CrostonClassic()])
    cv = fc.cross_validation(retail_subset, h=H, n_windows=3, step_size=7)
    assert list(cv.columns[:4]) == ["unique_id", "ds", "cutoff", "y"]
    m = ref.merge(cv, on=["unique_id", "ds", "cutoff"], suffixes=("_sf", ""))
    assert len(m) == len(ref) == len(cv)
    for col in ["y", "SeasonalNaive", "CrostonClassic"]:
        np.testing.assert_allclose(m[col], m[f"{col}_sf"], rtol=1e-6, atol=1e-6)


def test_cross_validation_leaves_out_short_series(small_panel):
    cv = DemandForecaster(["Naive"]).cross_validation(small_panel, h=3, n_windows=2)
    # "c" has 5 days: only the last window (train 2 days) fits it.
    counts = cv.groupby("unique_id")["cutoff"].nunique()
    assert counts.to_dict() == {"a": 2, "b": 2, "c": 1}
    with pytest.raises(InvalidParameterError):
        DemandForecaster(["Naive"]).cross_validation(small_panel, h=30)


def test_conformal_intervals_equal_statsforecast(retail_subset):
    ci = ConformalIntervals(h=H, n_windows=5)
    ref = StatsForecast(
        models=[
            sfm.SeasonalNaive(7, prediction_intervals=ci),
            sfm.CrostonClassic(prediction_intervals=ci),
        ],
        freq="D",
    ).forecast(df=retail_subset, h=H, level=[80, 95])
    out = DemandForecaster([M.SeasonalNaive(7), M.CrostonClassic()], conformal="per_step").forecast(
        retail_subset, H, level=[80, 95]
    )
    for model in ["SeasonalNaive", "CrostonClassic"]:
        for side in ["lo", "hi"]:
            for lv in [80, 95]:
                col = f"{model}-{side}-{lv}"
                # shelfcast clips demand bounds at 0; statsforecast does not.
                np.testing.assert_allclose(out[col], np.maximum(ref[col], 0), atol=1e-9)


def test_interval_and_quantile_shapes(fitted):
    out = fitted.predict(H, level=[95, 80], quantiles=[0.5, 0.9, 0.99])
    for m in fitted.model_names:
        lo95, lo80, hi80, hi95 = (out[f"{m}-{c}"] for c in ["lo-95", "lo-80", "hi-80", "hi-95"])
        assert (lo95 <= lo80 + 1e-12).all() and (lo80 <= hi80 + 1e-12).all()
        assert (hi80 <= hi95 + 1e-12).all()
        assert (lo95 >= 0).all()
        q = out[[f"{m}-q-50", f"{m}-q-90", f"{m}-q-99"]].to_numpy()
        assert (np.diff(q, axis=1) >= -1e-12).all() and (q >= 0).all()
    assert not out.isna().any().any()


def _coverage(cv: pd.DataFrame, model: str, level: int) -> float:
    inside = (cv["y"] >= cv[f"{model}-lo-{level}"]) & (cv["y"] <= cv[f"{model}-hi-{level}"])
    return float(inside.mean())


def test_interval_coverage_near_nominal(retail_subset):
    """Empirical coverage over 4 cross-validation windows of the bundled subset: the pooled
    default is within a few points of nominal at 80 % and 95 %; statsforecast's per-step
    method (W = 5 scores per step) cannot reach 95 % (at most about W/(W+1))."""
    models = [M.SeasonalNaive(7), M.CrostonSBA(), M.TSB(0.1, 0.1)]
    pooled = DemandForecaster(models).cross_validation(
        retail_subset, h=H, n_windows=4, level=[80, 95]
    )
    per_step = DemandForecaster(models, conformal="per_step").cross_validation(
        retail_subset, h=H, n_windows=4, level=[95]
    )
    for m in ["SeasonalNaive", "CrostonSBA", "TSB"]:
        # discrete demand with many zero days: [0, hi] holds every zero, so 80 % over-covers
        assert 0.78 <= _coverage(pooled, m, 80) <= 0.92, (m, _coverage(pooled, m, 80))
        assert 0.92 <= _coverage(pooled, m, 95) <= 0.98, (m, _coverage(pooled, m, 95))
        assert _coverage(per_step, m, 95) < _coverage(pooled, m, 95) - 0.02, m


def test_pooled_conformal_uses_the_split_conformal_rank():
    """Level L: f ± the ceil((n+1)L)-th smallest |error| of all windows and steps."""
    from shelfcast._uncertainty import conformal_quantiles

    rng = np.random.default_rng(1)
    errors = rng.normal(0, 3, (2, 4, 5))  # 2 series, 4 windows, h = 5: n = 20 scores
    errors[1, 0] = np.nan  # an invalid window: n = 15
    mean = np.full((2, 5), 50.0)
    lo, hi, q50, q90 = conformal_quantiles(mean, errors, np.ones(2), [0.1, 0.9, 0.5, 0.95])
    for i, n in enumerate([20, 15]):
        scores = np.sort(np.abs(errors[i][~np.isnan(errors[i])]))
        assert len(scores) == n
        s80 = scores[int(np.ceil((n + 1) * 0.8)) - 1]
        np.testing.assert_allclose(hi[i], 50 + s80)
        np.testing.assert_allclose(lo[i], 50 - s80)
        np.testing.assert_allclose(q50[i], 50.0)
        np.testing.assert_allclose(q90[i], 50 + scores[min(int(np.ceil((n + 1) * 0.9)), n) - 1])


def test_level_validation(fitted):
    for bad in ([0], [100], [50, 50], ["80"]):
        with pytest.raises(InvalidParameterError):
            fitted.predict(3, level=bad)
    with pytest.raises(InvalidParameterError):
        fitted.predict(3, quantiles=[1.0])


def test_short_series_get_normal_fallback_intervals(small_panel):
    out = DemandForecaster(["Naive"], conformal_windows=3).forecast(small_panel, 5, level=[90])
    c = out[out["unique_id"] == "c"]
    # "c" (5 days) is too short for any 5-day window: sigma * z * sqrt(k) around 7.
    assert (c["Naive-hi-90"].diff().dropna() > 0).all()
    assert not out.isna().any().any()
    # with h = 3 only its last window fits (errors -1, -2, 5): 3 scores are too few for a
    # 90 % conformal bound, so it is normal with the scores' RMS: 7 + 1.645 * sqrt(10)
    out = DemandForecaster(["Naive"], conformal_windows=3).forecast(small_panel, 3, level=[90])
    hi = out.loc[out["unique_id"] == "c", "Naive-hi-90"].to_numpy()
    np.testing.assert_allclose(hi, 7 + NormalDist().inv_cdf(0.95) * np.sqrt(10), rtol=1e-12)


def test_sample_paths(fitted):
    p = fitted.sample_paths(H, n_paths=400, seed=3, model="CrostonClassic")
    assert p.shape == (len(fitted.unique_ids), 400, H)
    assert (p >= 0).all() and np.isfinite(p).all()
    again = fitted.sample_paths(H, n_paths=400, seed=3, model="CrostonClassic")
    np.testing.assert_array_equal(p, again)
    assert not np.array_equal(
        p, fitted.sample_paths(H, n_paths=400, seed=4, model="CrostonClassic")
    )
    # Paths carry real variability: lead-time sums are spread, not a single value.
    sums = p[:, :, :7].sum(axis=2)
    assert (sums.std(axis=1) > 0).mean() > 0.5
    with pytest.raises(InvalidParameterError):
        fitted.sample_paths(H, model="Nope")


def test_sample_path_mean_tracks_history(fitted, retail_subset):
    """The average path over 28 days is close to the point forecast plus the mean
    historical error, so it is centred on demand, not on zero."""
    p = fitted.sample_paths(28, n_paths=200, seed=0, model="SeasonalNaive")
    assert abs(p.mean() - retail_subset.groupby("unique_id")["y"].mean().mean()) < 5 * p.std()


def test_save_load_round_trip(fitted, tmp_path):
    path = tmp_path / "model.npz"
    fitted.save(path)
    back = DemandForecaster.load(path)
    assert repr(back) == repr(fitted)
    pd.testing.assert_frame_equal(back.predict(H, level=[80]), fitted.predict(H, level=[80]))
    np.testing.assert_array_equal(back.sample_paths(5, 10), fitted.sample_paths(5, 10))
    clone = pickle.loads(pickle.dumps(back))
    pd.testing.assert_frame_equal(clone.predict(3), fitted.predict(3))


def test_save_load_integer_ids(tmp_path):
    df = pd.DataFrame(
        {
            "unique_id": np.repeat([7, 3], 10),
            "ds": np.tile(pd.date_range("2024-01-01", periods=10), 2),
            "y": np.arange(20.0),
        }
    )
    fc = DemandForecaster(["Naive"]).fit(df)
    fc.save(tmp_path / "m.npz")
    back = DemandForecaster.load(tmp_path / "m.npz")
    assert back.predict(2)["unique_id"].tolist() == [3, 3, 7, 7]


def test_load_rejects_garbage_truncation_and_newer_versions(fitted, tmp_path):
    path = tmp_path / "model.npz"
    fitted.save(path)
    data = path.read_bytes()
    (tmp_path / "garbage.npz").write_bytes(b"not a model at all")
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    for name in ["garbage.npz", "cut.npz"]:
        with pytest.raises(ModelFormatError):
            DemandForecaster.load(tmp_path / name)
    import json

    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    header = json.loads(arrays["header"].tobytes())
    header["format_version"] = 99
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(tmp_path / "newer.npz", **arrays)
    with pytest.raises(ModelFormatError, match="upgrade"):
        DemandForecaster.load(tmp_path / "newer.npz")
    with pytest.raises(FileNotFoundError):
        DemandForecaster.load(tmp_path / "missing.npz")
    with pytest.raises(NotFittedError):
        DemandForecaster(["Naive"]).save(tmp_path / "x.npz")
