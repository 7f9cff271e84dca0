"""The public API of DemandForecaster: shapes, validation, immutability, pickling, threads."""

from __future__ import annotations

import copy
import pickle
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster, _core
from shelfcast import models as sc
from shelfcast.exceptions import (
    ColumnTypeError,
    DuplicateRowError,
    InvalidParameterError,
    InvalidSeriesError,
    MissingColumnError,
    NotFittedError,
    ShelfcastError,
    UnknownModelError,
)

ALL_MODELS = ["SeasonalNaive", "Naive", "HistoricAverage", "CrostonClassic", "CrostonSBA"]


def forecaster(**kwargs) -> DemandForecaster:
    return DemandForecaster(ALL_MODELS, **kwargs)


# ------------------------------------------------------------------------ shapes
def test_fit_returns_self_and_predict_shape(small_panel):
    fc = forecaster()
    assert not fc.is_fitted
    assert fc.fit(small_panel) is fc
    assert fc.is_fitted
    out = fc.predict(4)
    assert list(out.columns) == ["unique_id", "ds", *ALL_MODELS]
    assert len(out) == 3 * 4
    assert out["unique_id"].tolist() == ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    assert out["ds"].dtype == np.dtype("datetime64[ns]")
    for col in ALL_MODELS:
        assert out[col].dtype == np.float64
        assert np.isfinite(out[col]).all()
    # Each series continues from its own last date, one day at a time.
    last = small_panel.groupby("unique_id")["ds"].max()
    for uid, g in out.groupby("unique_id"):
        expected = pd.date_range(last[uid] + pd.Timedelta(days=1), periods=4, freq="D")
        np.testing.assert_array_equal(g["ds"].to_numpy(), expected.to_numpy())
    assert isinstance(out.index, pd.RangeIndex)


def test_forecast_equals_fit_then_predict(small_panel):
    a = forecaster().forecast(small_panel, h=6)
    b = forecaster().fit(small_panel).predict(6)
    pd.testing.assert_frame_equal(a, b)


def test_values_by_hand(small_panel):
    out = DemandForecaster(["Naive", "HistoricAverage", sc.SeasonalNaive(3)]).forecast(
        small_panel, h=5
    )
    for uid, g in small_panel.groupby("unique_id"):
        y = g["y"].to_numpy()
        got = out[out["unique_id"] == uid]
        np.testing.assert_array_equal(got["Naive"], np.full(5, y[-1]))
        np.testing.assert_allclose(got["HistoricAverage"], np.full(5, y.mean()), rtol=1e-12)
        np.testing.assert_array_equal(got["SeasonalNaive"], np.resize(y[-3:], 5))


def test_croston_by_hand():
    # Demands 3, 5, 2 at positions 0, 2, 3 -> intervals 1, 2, 1.
    # SES(0.1): sizes 3 -> 3.2 -> 3.08; intervals 1 -> 1.1 -> 1.09.
    df = pd.DataFrame(
        {"unique_id": "x", "ds": pd.date_range("2024-01-01", periods=4), "y": [3.0, 0, 5, 2]}
    )
    out = DemandForecaster(["CrostonClassic", "CrostonSBA"]).forecast(df, h=3)
    np.testing.assert_allclose(out["CrostonClassic"], 3.08 / 1.09, rtol=1e-12)
    np.testing.assert_allclose(out["CrostonSBA"], 0.95 * 3.08 / 1.09, rtol=1e-12)


def test_model_names_and_aliases(small_panel):
    fc = DemandForecaster([sc.SeasonalNaive(7), sc.SeasonalNaive(3, alias="SN3"), "Naive"])
    assert fc.model_names == ["SeasonalNaive", "SN3", "Naive"]
    out = fc.forecast(small_panel, h=2)
    assert list(out.columns) == ["unique_id", "ds", "SeasonalNaive", "SN3", "Naive"]


def test_default_season_length_is_used(small_panel):
    a = DemandForecaster(["SeasonalNaive"], season_length=3).forecast(small_panel, h=4)
    b = DemandForecaster([sc.SeasonalNaive(3)]).forecast(small_panel, h=4)
    pd.testing.assert_frame_equal(a, b)


# -------------------------------------------------------------------- not fitted
@pytest.mark.parametrize("call", ["predict", "residual_std", "fallbacks_"])
def test_not_fitted_errors(call):
    fc = forecaster()
    with pytest.raises(NotFittedError) as info:
        if call == "predict":
            fc.predict(3)
        elif call == "residual_std":
            fc.residual_std()
        else:
            _ = fc.fallbacks_
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ShelfcastError)
    assert "fit" in str(info.value)


# ---------------------------------------------------------------------- parameters
@pytest.mark.parametrize("h", [0, -1, 2.5, True, "3", None])
def test_invalid_horizon(small_panel, h):
    fc = forecaster().fit(small_panel)
    with pytest.raises(InvalidParameterError, match="h must be a positive integer"):
        fc.predict(h)
    with pytest.raises(InvalidParameterError, match="h must be a positive integer"):
        forecaster().forecast(small_panel, h=h)


def test_numpy_integer_horizon(small_panel):
    fc = forecaster().fit(small_panel)
    pd.testing.assert_frame_equal(fc.predict(np.int64(3)), fc.predict(3))


def test_forecast_checks_h_before_fitting(small_panel):
    fc = forecaster()
    with pytest.raises(InvalidParameterError):
        fc.forecast(small_panel, h=0)
    assert not fc.is_fitted


def test_unknown_model_name():
    with pytest.raises(UnknownModelError, match="Nope") as info:
        DemandForecaster(["Naive", "Nope"])
    assert isinstance(info.value, ValueError)
    assert "SeasonalNaive" in str(info.value)  # lists the known ones


@pytest.mark.parametrize(
    "models",
    [
        ["Naive", "Naive"],
        ["Naive", sc.Naive()],
        [sc.SeasonalNaive(7), sc.SeasonalNaive(14)],
        [sc.Naive(alias="x"), sc.HistoricAverage(alias="x")],
    ],
)
def test_duplicate_aliases(models):
    with pytest.raises(InvalidParameterError, match="duplicate model aliases"):
        DemandForecaster(models)


@pytest.mark.parametrize("models", [[], "", [42], None])
def test_invalid_model_lists(models):
    with pytest.raises((InvalidParameterError, UnknownModelError)):
        DemandForecaster(models)


@pytest.mark.parametrize("season_length", [0, -2, 2.0, True])
def test_invalid_season_length(season_length):
    with pytest.raises(InvalidParameterError, match="season_length"):
        DemandForecaster(["Naive"], season_length=season_length)
    with pytest.raises(InvalidParameterError, match="season_length"):
        sc.SeasonalNaive(season_length)


def test_invalid_freq():
    with pytest.raises(InvalidParameterError, match="freq"):
        DemandForecaster(["Naive"], freq="not-a-freq")


# ------------------------------------------------------------------- bad input data
def test_missing_column(small_panel):
    for col in ["unique_id", "ds", "y"]:
        with pytest.raises(MissingColumnError, match=re.escape(repr(col))):
            forecaster().fit(small_panel.drop(columns=col))


def test_not_a_dataframe(small_panel):
    with pytest.raises(ColumnTypeError, match="DataFrame"):
        forecaster().fit(small_panel.to_dict("list"))


def test_non_datetime_ds(small_panel):
    df = small_panel.assign(ds=small_panel["ds"].dt.strftime("%Y-%m-%d"))
    with pytest.raises(ColumnTypeError, match="'ds'") as info:
        forecaster().fit(df)
    assert isinstance(info.value, TypeError)
    assert "datetime" in str(info.value)


@pytest.mark.parametrize("dtype", [str, bool])
def test_non_numeric_y(small_panel, dtype):
    df = small_panel.assign(y=small_panel["y"].astype(dtype))
    with pytest.raises(ColumnTypeError, match="'y'") as info:
        forecaster().fit(df)
    assert isinstance(info.value, TypeError)


def test_nan_in_y_names_series_and_date(small_panel):
    df = small_panel.copy()
    row = df.index[(df["unique_id"] == "b") & (df["ds"] == pd.Timestamp("2024-01-03"))][0]
    df.loc[row, "y"] = np.nan
    with pytest.raises(InvalidSeriesError) as info:
        forecaster().fit(df)
    msg = str(info.value)
    assert "'b'" in msg and "2024-01-03" in msg


def test_inf_in_y_names_series(small_panel):
    df = small_panel.copy()
    df.loc[df.index[df["unique_id"] == "c"][2], "y"] = np.inf
    with pytest.raises(InvalidSeriesError, match="'c'"):
        forecaster().fit(df)


def test_nullable_int_with_missing_value(small_panel):
    df = small_panel.assign(y=small_panel["y"].astype("Int64"))
    df.loc[3, "y"] = pd.NA
    with pytest.raises(InvalidSeriesError, match="'a'"):
        forecaster().fit(df)


def test_duplicate_rows_name_series_and_date(small_panel):
    dup = small_panel[small_panel["unique_id"] == "a"].iloc[[4]]
    df = pd.concat([small_panel, dup], ignore_index=True)
    with pytest.raises(DuplicateRowError) as info:
        forecaster().fit(df)
    msg = str(info.value)
    assert "'a'" in msg and str(dup["ds"].iloc[0].date()) in msg
    assert isinstance(info.value, ValueError)


def test_gap_in_daily_series(small_panel):
    b_rows = small_panel.index[small_panel["unique_id"] == "b"]
    df = small_panel.drop(index=b_rows[5])
    with pytest.raises(InvalidSeriesError) as info:
        forecaster().fit(df)
    msg = str(info.value)
    missing = small_panel.loc[b_rows[5], "ds"]
    assert "'b'" in msg
    assert str((missing - pd.Timedelta(days=1)).date()) in msg
    assert str(missing.date()) in msg  # the expected date


def test_wrong_frequency_is_a_gap(small_panel):
    with pytest.raises(InvalidSeriesError, match="regular"):
        DemandForecaster(["Naive"], freq="W-SUN").fit(small_panel)


def test_missing_id_and_date(small_panel):
    df = small_panel.copy()
    df.loc[2, "unique_id"] = None
    with pytest.raises(ValueError, match="unique_id"):
        forecaster().fit(df)
    df = small_panel.copy()
    df.loc[2, "ds"] = pd.NaT
    with pytest.raises(ValueError, match="ds"):
        forecaster().fit(df)


def test_empty_frame(small_panel):
    with pytest.raises(ValueError, match="no rows"):
        forecaster().fit(small_panel.iloc[:0])


def test_failed_fit_keeps_previous_state(small_panel):
    fc = forecaster().fit(small_panel)
    before = fc.predict(3)
    bad = small_panel.assign(y=np.nan)
    with pytest.raises(InvalidSeriesError):
        fc.fit(bad)
    pd.testing.assert_frame_equal(fc.predict(3), before)


# ------------------------------------------------------------- input not mutated
@pytest.mark.filterwarnings("ignore::shelfcast.exceptions.ExogenousWarning")
def test_input_not_mutated(small_panel):
    df = small_panel.sample(frac=1.0, random_state=3)  # unsorted, shuffled index
    df["extra"] = np.arange(len(df))
    df.attrs["note"] = "keep"
    before = copy.deepcopy(df)
    fc = forecaster()
    fc.forecast(df, h=3)
    fc.residual_std()
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == {"note": "keep"}


def test_bundled_input_not_mutated(retail_subset):
    df = retail_subset.iloc[::-1]  # reversed: unsorted input
    before = copy.deepcopy(df)
    forecaster().forecast(df, h=7)
    pd.testing.assert_frame_equal(df, before)


def test_unsorted_input_same_result(small_panel, retail_split):
    shuffled = small_panel.sample(frac=1.0, random_state=11)
    pd.testing.assert_frame_equal(
        forecaster().forecast(shuffled, h=5), forecaster().forecast(small_panel, h=5)
    )
    train, _ = retail_split
    rev = train.iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        forecaster().forecast(rev, h=7), forecaster().forecast(train, h=7)
    )


# --------------------------------------------------------------- column layouts
@pytest.mark.filterwarnings("ignore::shelfcast.exceptions.ExogenousWarning")
def test_non_contiguous_y(small_panel):
    # A y column that is a strided view into a 2-d block (pandas' layout for a frame built
    # from a C-ordered 2-d array).
    both = np.column_stack([small_panel["y"].to_numpy(), np.zeros(len(small_panel))])
    frame = pd.DataFrame(both, columns=["y", "other"])
    df = pd.DataFrame({"unique_id": small_panel["unique_id"], "ds": small_panel["ds"]})
    df = pd.concat([df, frame], axis=1)
    pd.testing.assert_frame_equal(
        forecaster().forecast(df, h=4), forecaster().forecast(small_panel, h=4)
    )


def test_non_contiguous_arrays_in_the_core():
    y = np.arange(40.0) % 7
    offsets = np.array([0, 8, 20], dtype=np.int64)
    strided = np.repeat(y[:20], 2)[::2]
    assert not strided.flags["C_CONTIGUOUS"]
    a = _core.DemandForecaster(
        [("SeasonalNaive", {"season_length": 7}, {}), ("CrostonSBA", {}, {})]
    )
    b = _core.DemandForecaster(
        [("SeasonalNaive", {"season_length": 7}, {}), ("CrostonSBA", {}, {})]
    )
    a.fit(strided, offsets)
    b.fit(np.ascontiguousarray(strided), offsets)
    np.testing.assert_array_equal(a.predict(9), b.predict(9))
    np.testing.assert_array_equal(a.sigmas(), b.sigmas())


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float32, "Int64", np.uint16])
def test_other_numeric_y_dtypes(small_panel, dtype):
    df = small_panel.assign(y=small_panel["y"].astype(dtype))
    pd.testing.assert_frame_equal(
        forecaster().forecast(df, h=4), forecaster().forecast(small_panel, h=4)
    )


def test_other_datetime_units_and_categorical_ids(small_panel):
    df = small_panel.assign(
        ds=small_panel["ds"].astype("datetime64[s]"),
        unique_id=small_panel["unique_id"].astype("category"),
    )
    got = forecaster().forecast(df, h=4)
    want = forecaster().forecast(small_panel, h=4)
    np.testing.assert_array_equal(got["unique_id"].to_numpy(), want["unique_id"].to_numpy())
    pd.testing.assert_frame_equal(got.drop(columns="unique_id"), want.drop(columns="unique_id"))


# ------------------------------------------------------------------ pickling
def test_pickle_fitted_round_trip(retail_split):
    train, _ = retail_split
    fc = forecaster().fit(train)
    clone = pickle.loads(pickle.dumps(fc))
    assert clone.is_fitted
    pd.testing.assert_frame_equal(clone.predict(14), fc.predict(14))
    pd.testing.assert_frame_equal(clone.residual_std(), fc.residual_std())
    pd.testing.assert_frame_equal(clone.fallbacks_, fc.fallbacks_)
    assert repr(clone) == repr(fc)


def test_pickle_unfitted_round_trip(small_panel):
    fc = DemandForecaster(
        [sc.SeasonalNaive(3), "Naive", sc.CrostonSBA(alias="sba")], freq="D", season_length=5
    )
    clone = pickle.loads(pickle.dumps(fc))
    assert not clone.is_fitted
    assert clone.model_names == fc.model_names
    assert clone.models == fc.models
    with pytest.raises(NotFittedError):
        clone.predict(2)
    pd.testing.assert_frame_equal(clone.forecast(small_panel, h=5), fc.forecast(small_panel, h=5))


def test_pickle_keeps_non_daily_freq():
    df = pd.DataFrame(
        {
            "unique_id": "m",
            "ds": pd.date_range("2022-01-01", periods=14, freq="MS"),
            "y": np.arange(14.0),
        }
    )
    fc = DemandForecaster(["SeasonalNaive"], freq="MS", season_length=12).fit(df)
    clone = pickle.loads(pickle.dumps(fc))
    pd.testing.assert_frame_equal(clone.predict(3), fc.predict(3))
    assert clone.predict(3)["ds"].iloc[0] == pd.Timestamp("2023-03-01")


# -------------------------------------------------------------- residual std
def test_residual_std_naive_by_hand(small_panel):
    fc = DemandForecaster(["Naive", "HistoricAverage"]).fit(small_panel)
    sig = fc.residual_std()
    assert list(sig.columns) == ["unique_id", "Naive", "HistoricAverage"]
    assert sig["unique_id"].tolist() == ["a", "b", "c"]
    for uid, g in small_panel.groupby("unique_id"):
        y = g["y"].to_numpy()
        naive = np.sqrt(np.mean(np.diff(y) ** 2))
        mean = np.sqrt(np.mean((y - y.mean()) ** 2))
        row = sig[sig["unique_id"] == uid].iloc[0]
        assert row["Naive"] == pytest.approx(naive, rel=1e-12)
        assert row["HistoricAverage"] == pytest.approx(mean, rel=1e-12)


def test_residual_std_naive_on_bundled_data(retail_split):
    train, _ = retail_split
    sig = DemandForecaster(["Naive"]).fit(train).residual_std().set_index("unique_id")["Naive"]
    by_hand = train.groupby("unique_id")["y"].apply(
        lambda s: float(np.sqrt(np.mean(np.diff(s.to_numpy()) ** 2)))
    )
    np.testing.assert_allclose(sig.to_numpy(), by_hand.reindex(sig.index).to_numpy(), rtol=1e-9)


def test_residual_std_one_observation_is_zero():
    df = pd.DataFrame({"unique_id": ["z"], "ds": [pd.Timestamp("2024-01-01")], "y": [4.0]})
    sig = DemandForecaster(["Naive"]).fit(df).residual_std()
    assert sig["Naive"].tolist() == [0.0]


# ---------------------------------------------------------------- concurrency
def test_concurrent_predict_and_forecast(retail_split):
    train, _ = retail_split
    shared = forecaster().fit(train)
    horizons = [1, 7, 14, 28] * 3
    serial = {h: shared.predict(h) for h in set(horizons)}
    serial_forecast = forecaster().forecast(train, h=7)

    def work(h: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        return shared.predict(h), shared.residual_std()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, horizons))
    for h, (pred, sig) in zip(horizons, results, strict=True):
        pd.testing.assert_frame_equal(pred, serial[h])
        pd.testing.assert_frame_equal(sig, shared.residual_std())

    with ThreadPoolExecutor(max_workers=4) as pool:
        forecasts = list(pool.map(lambda _: shared.forecast(train, h=7), range(4)))
    for f in forecasts:
        pd.testing.assert_frame_equal(f, serial_forecast)
    pd.testing.assert_frame_equal(shared.predict(7), serial[7])


# ------------------------------------------------------------------- verbose, repr
def test_verbose_prints_progress_to_stderr(small_panel, capsys):
    DemandForecaster(["Naive"], verbose=True).fit(small_panel)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "fitting" in captured.err
    assert "3/3" in captured.err
    assert "#" in captured.err


def test_not_verbose_prints_nothing(small_panel, capsys):
    fc = DemandForecaster(["Naive"], verbose=False)
    fc.forecast(small_panel, h=3)
    fc.residual_std()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_repr(small_panel):
    fc = DemandForecaster([sc.SeasonalNaive(7), sc.Naive(alias="last")], freq="W-SUN")
    text = repr(fc)
    assert text.startswith("DemandForecaster(")
    assert "SeasonalNaive(season_length=7)" in text
    assert "alias='last'" in text
    assert "W-SUN" in text
    assert "fitted" not in text
    fitted = forecaster().fit(small_panel)
    assert "fitted on 3 series" in repr(fitted)
