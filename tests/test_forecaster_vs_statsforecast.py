"""shelfcast's models give statsforecast's forecasts (same definitions, same numbers).

Reference: statsforecast 2.1.1 (pinned in the test extras). Tolerance 1e-6, relative and
absolute. The one deliberate difference (SeasonalNaive on a series shorter than one season)
is tested on its own.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster
from shelfcast import models as sc

sf_models = pytest.importorskip("statsforecast.models")
StatsForecast = pytest.importorskip("statsforecast").StatsForecast

MODEL_NAMES = ["SeasonalNaive", "Naive", "HistoricAverage", "CrostonClassic", "CrostonSBA"]
TOL = 1e-6


def shelfcast_models() -> list[sc.Model]:
    return [
        sc.SeasonalNaive(7),
        sc.Naive(),
        sc.HistoricAverage(),
        sc.CrostonClassic(),
        sc.CrostonSBA(),
    ]


def statsforecast_models() -> list[object]:
    return [
        sf_models.SeasonalNaive(season_length=7),
        sf_models.Naive(),
        sf_models.HistoricAverage(),
        sf_models.CrostonClassic(),
        sf_models.CrostonSBA(),
    ]


def run_both(df: pd.DataFrame, h: int, freq: str = "D") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shelfcast, statsforecast) forecasts of ``df``, both sorted by (unique_id, ds)."""
    ours = DemandForecaster(shelfcast_models(), freq=freq).forecast(df, h=h)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsforecast warns about short series
        ref = StatsForecast(models=statsforecast_models(), freq=freq, n_jobs=1).forecast(df=df, h=h)
    ref = ref.reset_index()[["unique_id", "ds", *MODEL_NAMES]]
    ours = ours.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    ref = ref.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    return ours, ref


def assert_same_forecasts(ours: pd.DataFrame, ref: pd.DataFrame, models=MODEL_NAMES) -> None:
    assert list(ours.columns) == ["unique_id", "ds", *MODEL_NAMES]
    assert len(ours) == len(ref)
    np.testing.assert_array_equal(ours["unique_id"].to_numpy(), ref["unique_id"].to_numpy())
    np.testing.assert_array_equal(
        ours["ds"].to_numpy(dtype="datetime64[ns]"), ref["ds"].to_numpy(dtype="datetime64[ns]")
    )
    for name in models:
        got = ours[name].to_numpy(dtype=np.float64)
        want = ref[name].to_numpy(dtype=np.float64)
        assert np.isfinite(want).all(), f"statsforecast gave non-finite {name} forecasts"
        np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL, err_msg=name)


# --------------------------------------------------------------------------- bundled data
def test_bundled_subset_28_day_holdout(retail_split):
    train, _ = retail_split
    ours, ref = run_both(train, h=28)
    assert len(ours) == train["unique_id"].nunique() * 28
    assert_same_forecasts(ours, ref)


def test_bundled_subset_forecasts_start_after_the_cutoff(retail_split):
    train, test = retail_split
    ours = DemandForecaster(shelfcast_models()).forecast(train, h=28)
    # The forecast dates are exactly the held-out dates, series by series.
    keys_ours = ours[["unique_id", "ds"]].sort_values(["unique_id", "ds"])
    keys_test = test[["unique_id", "ds"]].sort_values(["unique_id", "ds"])
    np.testing.assert_array_equal(keys_ours.to_numpy(), keys_test.to_numpy())


# ------------------------------------------------------------------------------ M5 excerpt
@pytest.fixture(scope="module")
def m5_long(shared_datasets) -> pd.DataFrame:
    folder = shared_datasets / "m5_excerpt"
    sales_path = folder / "sales_train_validation_10series.csv"
    calendar_path = folder / "calendar.csv"
    if not (sales_path.is_file() and calendar_path.is_file()):
        pytest.skip(f"M5 excerpt not found in {folder}")
    wide = pd.read_csv(sales_path)
    day_cols = [c for c in wide.columns if c.startswith("d_")]
    calendar = pd.read_csv(calendar_path, usecols=["date", "d"])
    dates = pd.to_datetime(calendar.set_index("d")["date"])
    assert dates["d_1"] == pd.Timestamp("2011-01-29")
    long = wide.melt(id_vars=["id"], value_vars=day_cols, var_name="d", value_name="y")
    out = pd.DataFrame(
        {
            "unique_id": long["id"].astype(object),
            "ds": dates.reindex(long["d"]).to_numpy(dtype="datetime64[ns]"),
            # statsforecast casts integer targets to float32; compare on float64.
            "y": long["y"].astype(np.float64),
        }
    )
    return out.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def test_m5_excerpt_shape(m5_long):
    assert m5_long["unique_id"].nunique() == 10
    assert (m5_long.groupby("unique_id").size() == 1913).all()
    assert m5_long["ds"].min() == pd.Timestamp("2011-01-29")
    assert not m5_long["ds"].isna().any()


def test_m5_excerpt_matches_statsforecast(m5_long):
    ours, ref = run_both(m5_long, h=28)
    assert len(ours) == 10 * 28
    assert ours["ds"].min() == m5_long["ds"].max() + pd.Timedelta(days=1)
    assert_same_forecasts(ours, ref)


def test_m5_excerpt_with_holdout_matches_statsforecast(m5_long):
    # Cut in the middle of the history: some series still have only leading zeros near
    # their start, which exercises Croston's first interval.
    train = m5_long[m5_long["ds"] < pd.Timestamp("2014-06-01")]
    ours, ref = run_both(train, h=28)
    assert_same_forecasts(ours, ref)


# ------------------------------------------------------ the deliberate difference
def test_short_series_seasonal_naive_falls_back_to_naive(small_panel):
    # Series "c" has 5 observations, fewer than season_length=7.
    ours, ref = run_both(small_panel, h=10)
    short = ours["unique_id"] == "c"
    # statsforecast: NaN for positions without observations; shelfcast: the last value.
    assert ref.loc[short, "SeasonalNaive"].isna().any()
    assert (ours.loc[short, "SeasonalNaive"] == 7.0).all()
    assert np.isfinite(ours["SeasonalNaive"]).all()
    # Everything else agrees with statsforecast.
    assert_same_forecasts(ours[~short], ref[~short], models=MODEL_NAMES[1:])
    assert_same_forecasts(ours[~short], ref[~short], models=["SeasonalNaive"])
    assert_same_forecasts(ours[short], ref[short], models=MODEL_NAMES[1:])

    fc = DemandForecaster(shelfcast_models()).fit(small_panel)
    fb = fc.fallbacks_
    assert list(fb.columns) == ["unique_id", "model", "reason"]
    assert fb["unique_id"].tolist() == ["c"]
    assert fb["model"].tolist() == ["SeasonalNaive"]
    assert "season" in fb["reason"].iloc[0]


def test_no_fallbacks_when_every_series_is_long_enough(small_panel):
    df = small_panel[small_panel["unique_id"] != "c"]
    assert DemandForecaster(shelfcast_models()).fit(df).fallbacks_.empty


# ------------------------------------------------------- ids and calendars
def test_integer_ids_match_statsforecast(retail_split):
    train, _ = retail_split
    keep = np.sort(train["unique_id"].unique())[:20]
    sub = train[train["unique_id"].isin(keep)].copy()
    # Map ids to ints whose order differs from the string order.
    mapping = {uid: 1000 - 7 * k for k, uid in enumerate(keep)}
    sub["unique_id"] = sub["unique_id"].map(mapping).astype(np.int64)
    ours, ref = run_both(sub, h=14)
    assert ours["unique_id"].dtype.kind == "i"
    assert sorted(ours["unique_id"].unique()) == sorted(mapping.values())
    assert_same_forecasts(ours, ref)


def _two_calendars(freq: str, starts: tuple[str, str], lengths=(10, 8)) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frames = []
    for uid, start, n in zip((1, 2), starts, lengths, strict=True):
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": pd.date_range(start, periods=n, freq=freq),
                    "y": rng.poisson(3.0, n).astype(np.float64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(
    ("freq", "starts"),
    [
        ("W-SUN", ("2024-01-07", "2023-06-04")),
        ("MS", ("2020-01-01", "2021-05-01")),
    ],
)
def test_non_daily_frequencies_continue_each_series_calendar(freq, starts):
    df = _two_calendars(freq, starts)
    h = 5
    out = DemandForecaster(shelfcast_models(), freq=freq).forecast(df, h=h)
    for uid, g in df.groupby("unique_id"):
        last = g["ds"].max()
        expected = pd.date_range(last, periods=h + 1, freq=freq)[1:]
        got = out.loc[out["unique_id"] == uid, "ds"]
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    if freq == "W-SUN":
        assert (out["ds"].dt.dayofweek == 6).all()
    else:
        assert (out["ds"].dt.day == 1).all()
    ours, ref = run_both(df, h=h, freq=freq)
    assert_same_forecasts(ours, ref)
