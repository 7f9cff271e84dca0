"""MSTL: the decomposition model against statsforecast 2.1.1's ``MSTL`` on bundled SKUs,
multiple seasonality, dropped periods, distributions, regressors through the trend
forecaster, persistence and validation."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster
from shelfcast.exceptions import InvalidParameterError
from shelfcast.models import (
    MSTL,
    AutoETS,
    Naive,
    SeasonalNaive,
    SimpleExponentialSmoothing,
    WithRegressors,
)

H = 28


@pytest.fixture(scope="module")
def long_skus() -> pd.DataFrame:
    """40 bundled SKUs with two full years (for the yearly period), unique_id, ds, y."""
    from shelfcast.datasets import load_online_retail

    df = load_online_retail(min_days=730)[["unique_id", "ds", "y"]]
    ids = np.random.default_rng(7).choice(np.sort(df["unique_id"].unique()), 40, replace=False)
    return df[df["unique_id"].isin(ids)].reset_index(drop=True)


def run_statsforecast(
    df: pd.DataFrame, periods: list[int], trend: object, level: list[int] | None = None
) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL as SfMSTL

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = StatsForecast([SfMSTL(periods, trend_forecaster=trend)], freq="D", n_jobs=1)
        return sf.forecast(df=df, h=H, level=level).reset_index()


@pytest.mark.parametrize("periods", [[7], [7, 365]])
def test_equals_statsforecast_with_a_deterministic_trend_forecaster(long_skus, periods):
    """With SES(α = 0.3) as the trend forecaster (no estimation), the forecasts measure the
    decomposition itself: they equal statsforecast's on every series."""
    sfm = pytest.importorskip("statsforecast.models")
    fc = DemandForecaster([MSTL(periods, SimpleExponentialSmoothing(0.3))])
    ours = fc.forecast(long_skus, H)
    ref = run_statsforecast(long_skus, periods, sfm.SimpleExponentialSmoothing(alpha=0.3))
    both = ours.merge(ref, on=["unique_id", "ds"], suffixes=("", "_sf"))
    assert len(both) == len(ours) == 40 * H
    # deliberate difference: a period p with 2p >= n is left out (R's rule; statsforecast
    # decomposes it anyway) and the series is listed in fallbacks_
    n = long_skus.groupby("unique_id").size()
    short = n.index[2 * max(periods) >= n]
    assert set(fc.fallbacks_["unique_id"]) == set(short)
    same = ~both["unique_id"].isin(short)
    assert same.sum() >= 30 * H
    np.testing.assert_allclose(
        both.loc[same, "MSTL"], both.loc[same, "MSTL_sf"], rtol=1e-9, atol=1e-9
    )


def test_default_trend_forecaster_mostly_equals_statsforecast(long_skus):
    """The default AutoETS(ZZN) trend forecaster picks the same ETS model as statsforecast on
    most series; there the forecasts agree to 1e-6 (relative to the series' mean)."""
    sfm = pytest.importorskip("statsforecast.models")
    ours = DemandForecaster([MSTL(7)]).forecast(long_skus, H)
    ref = run_statsforecast(long_skus, [7], sfm.AutoETS(model="ZZN"), level=[80])
    both = ours.merge(ref, on=["unique_id", "ds"], suffixes=("", "_sf"))
    scale = long_skus.groupby("unique_id")["y"].apply(lambda y: max(np.abs(y).mean(), 1e-9))
    gap = (both["MSTL"] - both["MSTL_sf"]).abs().groupby(both["unique_id"]).max() / scale
    assert (gap < 1e-6).mean() >= 0.6, gap.describe()


def test_recovers_two_planted_seasonalities():
    n = 800
    t = np.arange(n)
    week = np.array([4.0, -2.0, 1.0, -3.0, 2.0, -1.0, -1.0])
    y = 50 + 0.01 * t + week[t % 7] + 8 * np.sin(2 * np.pi * t / 365)
    df = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2020-01-01", periods=n, freq="D"), "y": y}
    )
    out = DemandForecaster([MSTL([7, 365], Naive()), SeasonalNaive(7)]).forecast(df, 60)
    tf = np.arange(n, n + 60)
    truth = 50 + 0.01 * tf + week[tf % 7] + 8 * np.sin(2 * np.pi * tf / 365)
    mstl_err = np.abs(out["MSTL"] - truth).mean()
    assert mstl_err < 1.0
    assert mstl_err < 0.5 * np.abs(out["SeasonalNaive"] - truth).mean()


def test_short_series_drop_the_period_and_say_so(small_panel):
    fc = DemandForecaster([MSTL([7, 365])]).fit(small_panel)
    fb = fc.fallbacks_
    assert set(fb["unique_id"]) == {"a", "b", "c"}
    assert fb["reason"].str.contains("two cycles").all()
    assert fc.predict(3)["MSTL"].notna().all()


def test_intervals_are_the_trend_forecasters_shifted(long_skus):
    sub = long_skus[long_skus["unique_id"].isin(long_skus["unique_id"].unique()[:8])]
    fc = DemandForecaster([MSTL(7, AutoETS(1, model="ANN"))]).fit(sub)
    out = fc.predict(14, level=[80, 95], quantiles=[0.5])
    assert (out["MSTL-lo-95"] <= out["MSTL-lo-80"] + 1e-12).all()
    assert (out["MSTL-hi-80"] <= out["MSTL-hi-95"] + 1e-12).all()
    # ETS(A,N,N): symmetric normal around the forecast where the bound is not clipped
    unclipped = out["MSTL-lo-80"] > 0
    mid = (out["MSTL-lo-80"] + out["MSTL-hi-80"]) / 2
    np.testing.assert_allclose(mid[unclipped], out["MSTL"][unclipped], rtol=1e-9)
    paths = fc.sample_paths(14, 2000, seed=3)
    assert paths.shape == (8, 2000, 14)
    q90 = np.quantile(paths, 0.9, axis=1).reshape(-1)
    hi = fc.predict(14, level=[80])["MSTL-hi-80"].to_numpy()
    assert np.median(np.abs(q90 - hi) / np.maximum(hi, 1)) < 0.1


def test_trend_forecaster_gets_the_regressors():
    rng = np.random.default_rng(1)
    n = 300
    price = np.round(2 + rng.integers(0, 3, n) * 0.5, 2)
    week = np.array([3.0, 1.0, 0.0, -1.0, -2.0, 0.0, -1.0])[np.arange(n) % 7]
    y = 40 - 5 * (price - 2.5) + week + rng.normal(0, 0.3, n)
    ds = pd.date_range("2023-01-01", periods=n, freq="D")
    df = pd.DataFrame({"unique_id": "s", "ds": ds, "y": y, "price": price})
    fc = DemandForecaster([MSTL(7, WithRegressors(Naive()))]).fit(df)
    future = pd.date_range(ds[-1] + pd.Timedelta(days=1), periods=2, freq="D")
    lo = fc.predict(2, X_df=pd.DataFrame({"unique_id": "s", "ds": future, "price": 2.0}))
    hi = fc.predict(2, X_df=pd.DataFrame({"unique_id": "s", "ds": future, "price": 3.0}))
    # STL's seasonal and trend smoothers absorb part of a day-to-day regressor effect
    np.testing.assert_allclose((hi["MSTL"] - lo["MSTL"]).to_numpy(), -5.0, atol=1.0)


def test_persistence_and_validation(tmp_path, long_skus):
    sub = long_skus[long_skus["unique_id"].isin(long_skus["unique_id"].unique()[:5])]
    fc = DemandForecaster([MSTL([7, 365], alias="m")]).fit(sub)
    want = fc.predict(7, level=[90])
    fc.save(tmp_path / "m.npz")
    for other in (DemandForecaster.load(tmp_path / "m.npz"), pickle.loads(pickle.dumps(fc))):
        pd.testing.assert_frame_equal(other.predict(7, level=[90]), want)
        assert other.models == fc.models
    assert repr(MSTL([365, 7])) == "MSTL(season_length=[7, 365])"
    with pytest.raises(InvalidParameterError, match="non-seasonal"):
        MSTL(7, AutoETS(7))
    with pytest.raises(InvalidParameterError, match=">= 2"):
        MSTL([1, 7])
    with pytest.raises(InvalidParameterError, match="per-series"):
        MSTL(7, "Naive")  # type: ignore[arg-type]
