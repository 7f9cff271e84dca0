"""ETS prediction intervals, quantiles and sample paths from the fitted state-space model,
against statsforecast 2.1's ``AutoETS(season_length=7)`` with ``level=[80, 95]`` (the oracle)
and against closed forms (Hyndman et al. 2008, ch. 6).

What agrees and what differs on purpose:

* Class 1 (additive error and components) and class 2 (multiplicative error, additive
  components): both libraries use the exact normal moments; intervals agree to 1e-6 of the
  series' scale wherever the selected model and its parameters agree. For seasonal models
  statsforecast 2.1 counts the seasonal ``γ`` terms of the variance for the whole requested
  horizon at every step (its step-1 interval of an h = 28 forecast is wider than that of an
  h = 7 forecast of the same fit), so seasonal models are compared at h = 7, where its count
  is right, and at h = 28 shelfcast's intervals are never wider than statsforecast's.
* Multiplicative season or trend (MNM, MAM, MAdM, M·M...): shelfcast simulates 5,000 paths
  from the fitted model (seeded); statsforecast uses an approximation whose width does not
  follow the seasonal index. At h = 1 the distribution is exactly normal and both agree
  within the simulation noise (5 %); within the first season the exact MNM variance
  ``μ_h²((1 + σ²)(1 + α²σ²)^(h−1) − 1)`` is the oracle.
* Demand is never negative: ``predict`` clips lower bounds at 0 and statsforecast does not,
  so raw bounds (``_raw_model_quantiles``) are compared with statsforecast's and the public
  ones with ``max(statsforecast, 0)``.
"""

from __future__ import annotations

from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster
from shelfcast.datasets import load_online_retail
from shelfcast.models import AutoETS, Theta

sfm = pytest.importorskip("statsforecast.models")

H = 28
LEVEL_PROBS = [0.025, 0.1, 0.9, 0.975]  # lo-95, lo-80, hi-80, hi-95
STORE_ITEM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "store_item_demand"
#: Agreement tolerance relative to the series' mean |y|.
TOL = 1e-6


@pytest.fixture(scope="module")
def long_sample() -> pd.DataFrame:
    """30 bundled SKUs with >= 365 days (fixed random sample)."""
    df = load_online_retail(min_days=365)[["unique_id", "ds", "y"]]
    ids = np.random.default_rng(0).choice(np.sort(df["unique_id"].unique()), 30, replace=False)
    return df[df["unique_id"].isin(ids)].sort_values(["unique_id", "ds"]).reset_index(drop=True)


def _sf(y: np.ndarray, h: int, **kw) -> tuple[str, dict, dict]:
    m = sfm.AutoETS(season_length=7, **kw)
    out = m.forecast(y, h, level=[80, 95])
    e, t, s, d = m.model_["components"] if hasattr(m, "model_") else m.fit(y).model_["components"]
    return e + t + ("d" if d == "D" else "") + s, out, m


def _sf_bounds(out: dict) -> np.ndarray:
    return np.stack([out["lo-95"], out["lo-80"], out["hi-80"], out["hi-95"]])


def test_additive_intervals_match_statsforecast(long_sample):
    fc = DemandForecaster([AutoETS(7)], freq="D").fit(long_sample)
    codes = fc._core.ets_components(0)
    raw = {h: fc._raw_model_quantiles(0, h, LEVEL_PROBS) for h in (7, H)}
    public = fc.predict(H, level=[80, 95])
    compared, agreeing, clipped_checked = 0, 0, 0
    wider_at_28 = 0
    for i, (_, g) in enumerate(long_sample.groupby("unique_id", sort=True)):
        y = g["y"].to_numpy(float)
        scale = max(np.abs(y).mean(), 1e-12)
        seasonal = codes[i].endswith("A")
        h = 7 if seasonal else H
        code, ref, sf_model = _sf(y, h)
        if code != codes[i]:
            continue
        compared += 1
        ours, theirs = raw[h][:, i], _sf_bounds(ref)
        if "d" in code:
            # statsforecast 2.1 adds φ twice in damped point forecasts: compare half-widths.
            ours, theirs = ours - ours.mean(axis=0), theirs - theirs.mean(axis=0)
        ok = np.abs(ours - theirs).max() / scale < TOL
        agreeing += ok
        if ok and "d" not in code and not seasonal:
            # Public output: lower bounds clipped at 0, upper bounds as they are.
            rows = public.iloc[i * H : (i + 1) * H]
            for c, col in enumerate(["lo-95", "lo-80", "hi-80", "hi-95"]):
                np.testing.assert_allclose(
                    rows[f"AutoETS-{col}"], np.maximum(theirs[c], 0), atol=TOL * scale
                )
            clipped_checked += 1
        if seasonal:
            ref28 = sf_model.predict(H, level=[80, 95])
            ours28 = raw[H][3, i] - raw[H][0, i]
            theirs28 = ref28["hi-95"] - ref28["lo-95"]
            assert (ours28 <= theirs28 * (1 + 1e-9) + TOL * scale).all()
            # The last season of the h = 28 forecast counts all its γ terms on both sides.
            np.testing.assert_allclose(ours28[21:], theirs28[21:], rtol=1e-6, atol=TOL * scale)
            wider_at_28 += bool((theirs28[:7] > ours28[:7] * (1 + 1e-6)).any())
    share = agreeing / compared
    print(
        f"ETS intervals within {TOL:g}·mean|y| of statsforecast on {agreeing}/{compared} "
        f"series with the same model ({100 * share:.0f} %); statsforecast's h=28 seasonal "
        f"intervals wider in the first week on {wider_at_28} series"
    )
    assert compared >= 20 and share >= 0.9
    assert clipped_checked >= 5
    # Raw lower bounds do go negative on this intermittent data: clipping matters.
    assert (raw[H][0] < 0).mean() > 0.5


@pytest.mark.skipif(not STORE_ITEM.exists(), reason="shared store_item_demand data absent")
def test_multiplicative_intervals():
    raw = pd.read_csv(STORE_ITEM / "train.csv.gz", nrows=120_000)
    raw["unique_id"] = raw["store"].astype(str) + "_" + raw["item"].astype(str)
    df = pd.DataFrame(
        {"unique_id": raw["unique_id"], "ds": pd.to_datetime(raw["date"]), "y": raw["sales"]}
    )
    df = df[df["ds"] > df["ds"].max() - pd.Timedelta(days=365)]
    ids = np.sort(df["unique_id"].unique())[:10]
    df = df[df["unique_id"].isin(ids)].sort_values(["unique_id", "ds"]).reset_index(drop=True)
    assert (df["y"] > 0).all()
    fc = DemandForecaster([AutoETS(7)], freq="D").fit(df)
    codes = fc._core.ets_components(0)
    params = fc._core.ets_params(0)
    q7 = fc._raw_model_quantiles(0, 7, LEVEL_PROBS)
    z = NormalDist().inv_cdf(0.975)
    seen = set()
    for i, (_, g) in enumerate(df.groupby("unique_id", sort=True)):
        y = g["y"].to_numpy(float)
        code, ref, m = _sf(y, 7)
        if code != codes[i] or code[0] != "M":
            continue
        seen.add(code)
        mean = (ref["lo-95"] + ref["hi-95"]) / 2
        sigma2 = m.model_["sigma2"]
        width = q7[3, i] - q7[0, i]
        theirs = ref["hi-95"] - ref["lo-95"]
        if code.endswith("M"):
            # Simulated: step 1 is exactly normal (statsforecast too), within simulation noise.
            assert abs(width[0] / theirs[0] - 1) < 0.05, (code, width[0], theirs[0])
            if code == "MNM":
                alpha = params[i, 0]
                k = np.arange(7)
                exact = mean**2 * ((1 + sigma2) * (1 + alpha**2 * sigma2) ** k - 1)
                np.testing.assert_allclose(width, 2 * z * np.sqrt(exact), rtol=0.06)
        else:
            # Class 2: exact moments on both sides.
            np.testing.assert_allclose(width, theirs, rtol=1e-6)
    assert {"MNM", "MAM"} <= seen, seen


@pytest.fixture(scope="module")
def fitted_ets(long_sample) -> DemandForecaster:
    return DemandForecaster([AutoETS(7), AutoETS(7, model="ANN", alias="SES")]).fit(long_sample)


def test_sample_paths_follow_the_model(fitted_ets):
    fc = fitted_ets
    n_paths = 4000
    raw = fc._core.model_paths(1, H, n_paths, 11).reshape(-1, n_paths, H)
    mean = fc._core.predict(H)[:, 1].reshape(-1, H)
    # Additive model: E[path] = point forecast (4 standard errors).
    se = raw.std(axis=1) / np.sqrt(n_paths)
    assert (np.abs(raw.mean(axis=1) - mean) <= 4 * se + 1e-9).mean() > 0.99
    # Per-step quantiles of the paths = the analytic interval (sampling error of a 2.5 %
    # quantile of 4000 draws is ~4 % of the standard deviation).
    q = fc._raw_model_quantiles(1, H, LEVEL_PROBS)
    emp = np.quantile(raw, LEVEL_PROBS, axis=1)
    sd = (q[3] - q[0]) / (2 * NormalDist().inv_cdf(0.975))
    gap = np.abs(emp - q) / np.maximum(sd, 1e-12)
    assert (gap <= 0.15).mean() > 0.99 and gap.max() < 0.3, (np.mean(gap <= 0.15), gap.max())
    # The public paths are the same draws clipped at 0, reproducible by seed.
    public = fc.sample_paths(H, n_paths, seed=11, model="SES")
    np.testing.assert_array_equal(public, np.maximum(raw, 0))
    np.testing.assert_array_equal(public, fc.sample_paths(H, n_paths, seed=11, model="SES"))
    assert not np.array_equal(public, fc.sample_paths(H, n_paths, seed=12, model="SES"))
    # AutoETS paths (any selected class) agree with its intervals the same way.
    auto = fc._core.model_paths(0, H, n_paths, 3).reshape(-1, n_paths, H)
    q0 = fc._raw_model_quantiles(0, H, LEVEL_PROBS)
    sd0 = (q0[3] - q0[0]) / (2 * NormalDist().inv_cdf(0.975))
    emp0 = np.quantile(auto, LEVEL_PROBS, axis=1)
    assert (np.abs(emp0 - q0) <= 0.15 * sd0 + 1e-9).mean() > 0.99


def test_quantiles_share_the_interval_distribution(fitted_ets):
    out = fitted_ets.predict(H, level=[80, 95], quantiles=[0.025, 0.1, 0.5, 0.9, 0.975])
    for m in ["AutoETS", "SES"]:
        np.testing.assert_allclose(out[f"{m}-q-10"], out[f"{m}-lo-80"], atol=1e-12)
        np.testing.assert_allclose(out[f"{m}-q-90"], out[f"{m}-hi-80"], atol=1e-12)
        np.testing.assert_allclose(out[f"{m}-q-2.5"], out[f"{m}-lo-95"], atol=1e-12)
        np.testing.assert_allclose(out[f"{m}-q-97.5"], out[f"{m}-hi-95"], atol=1e-12)
        # Normal classes: the median is the point forecast (clipped at 0).
    np.testing.assert_allclose(out["SES-q-50"], np.maximum(out["SES"], 0), atol=1e-9)
    # Intervals come from the fitted model: no rolling refit was needed for ETS.
    assert fitted_ets._errors == {}


def test_ets_intervals_survive_save_and_load(fitted_ets, tmp_path):
    fitted_ets.save(tmp_path / "ets.npz")
    back = DemandForecaster.load(tmp_path / "ets.npz")
    pd.testing.assert_frame_equal(
        back.predict(H, level=[80, 95], quantiles=[0.5]),
        fitted_ets.predict(H, level=[80, 95], quantiles=[0.5]),
    )
    np.testing.assert_array_equal(back.sample_paths(5, 20, 1), fitted_ets.sample_paths(5, 20, 1))


def _coverage(cv: pd.DataFrame, model: str) -> dict[int, float]:
    return {
        lv: float(
            ((cv["y"] >= cv[f"{model}-lo-{lv}"]) & (cv["y"] <= cv[f"{model}-hi-{lv}"])).mean()
        )
        for lv in (80, 95)
    }


def test_ets_coverage_on_cross_validation(long_sample):
    """Empirical coverage of the ETS intervals on the last 28 days (one cross-validation
    window) of 30 long bundled SKUs, reported next to statsforecast's on the same window.

    Daily SKU demand is intermittent: the lower bound is clipped at 0, so every zero day is
    covered and the Gaussian ETS intervals over-cover (about 97 % at 80 %). The test states
    that the intervals never under-cover by more than 5 points and that coverage is within
    3 points of statsforecast's ETS intervals (same models, ours never wider).
    """
    cv = DemandForecaster([AutoETS(7)]).cross_validation(long_sample, h=H, level=[80, 95])
    ours = _coverage(cv, "AutoETS")
    from statsforecast import StatsForecast

    sf = StatsForecast([sfm.AutoETS(season_length=7)], freq="D").cross_validation(
        df=long_sample, h=H, n_windows=1, level=[80, 95]
    )
    theirs = _coverage(sf, "AutoETS")
    print(f"ETS coverage on the bundled holdout: shelfcast {ours}, statsforecast {theirs}")
    for lv in (80, 95):
        assert ours[lv] >= lv / 100 - 0.05, ours
        assert abs(ours[lv] - theirs[lv]) <= 0.03, (ours, theirs)


@pytest.mark.skipif(not STORE_ITEM.exists(), reason="shared store_item_demand data absent")
def test_ets_coverage_near_nominal_on_smooth_demand():
    """On smooth, strictly positive store-item demand (12 series, 400 days to 2017-06-30,
    the last 28 held out: 336 forecasts) the ETS intervals are calibrated: coverage within
    8 points of nominal (the binomial standard error is about 2 points).

    The window ends in June on purpose: the data's own last 28 days (December) fall in a
    yearly seasonal dip that a weekly ETS does not model (mean error −8 units a day), and
    there every method's intervals under-cover (56 % at 80 %)."""
    raw = pd.read_csv(STORE_ITEM / "train.csv.gz", nrows=40_000)
    df = pd.DataFrame(
        {
            "unique_id": raw["store"].astype(str) + "_" + raw["item"].astype(str),
            "ds": pd.to_datetime(raw["date"]),
            "y": raw["sales"].astype(float),
        }
    )
    end = pd.Timestamp("2017-06-30")
    df = df[(df["ds"] <= end) & (df["ds"] > end - pd.Timedelta(days=400))]
    ids = np.sort(df["unique_id"].unique())[:12]
    df = df[df["unique_id"].isin(ids)].sort_values(["unique_id", "ds"]).reset_index(drop=True)
    cv = DemandForecaster([AutoETS(7)]).cross_validation(df, h=H, level=[80, 95])
    cover = _coverage(cv, "AutoETS")
    print(f"ETS coverage on store-item demand: {cover}")
    for lv in (80, 95):
        assert abs(cover[lv] - lv / 100) <= 0.08, cover


def test_theta_keeps_conformal_intervals(long_sample):
    """Theta models keep conformal intervals (see ``shelfcast.models.Theta``): they are not
    ETS models here, and their intervals equal the conformal quantiles of their own
    rolling-origin errors."""
    small = long_sample[long_sample["unique_id"].isin(long_sample["unique_id"].unique()[:5])]
    fc = DemandForecaster([Theta(7), AutoETS(7)]).fit(small)
    assert fc._core.has_distribution() == [False, True]
    fc.predict(7, level=[80])
    errors = fc._errors[(7, fc.conformal_windows, 7)]
    assert not np.isnan(errors[0]).all()
    assert np.isnan(errors[1]).all()
