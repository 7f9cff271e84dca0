"""SalesMetrics and the metric functions against pandas, numpy and utilsforecast."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shelfcast import DemandForecaster, SalesMetrics
from shelfcast import metrics as sm
from shelfcast.exceptions import (
    ColumnTypeError,
    InvalidInputError,
    InvalidParameterError,
    InvalidSeriesError,
    MissingColumnError,
    ShapeError,
)

losses = pytest.importorskip("utilsforecast.losses")

MODELS = ["SeasonalNaive", "Naive", "HistoricAverage", "CrostonClassic", "CrostonSBA"]
ALL_METRICS = ["mae", "mse", "rmse", "mase", "rmsse"]


@pytest.fixture(scope="module")
def evaluation(retail_split) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(actuals merged with shelfcast forecasts for the 28-day holdout, training frame)."""
    train, test = retail_split
    pred = DemandForecaster(MODELS).forecast(train, h=28)
    merged = test.merge(pred, on=["unique_id", "ds"], how="inner", validate="one_to_one")
    assert len(merged) == len(test)
    return merged, train


# ----------------------------------------------------------------------- summary
def test_summary_equals_pandas_groupby(retail_subset):
    got = SalesMetrics(retail_subset).summary()
    assert set(
        [
            "unique_id",
            "n_periods",
            "total",
            "mean",
            "std",
            "zero_share",
            "selling_periods",
            "first_sale",
            "last_sale",
        ]
    ) <= set(got.columns)
    g = retail_subset.groupby("unique_id", sort=True)
    sales = retail_subset[retail_subset["y"] > 0].groupby("unique_id")["ds"]
    want = pd.DataFrame(
        {
            "n_periods": g.size(),
            "total": g["y"].sum(),
            "mean": g["y"].mean(),
            "std": g["y"].std(ddof=1),
            "zero_share": g["y"].apply(lambda s: float((s == 0).mean())),
            "selling_periods": g["y"].apply(lambda s: int((s > 0).sum())),
            "first_sale": sales.min(),
            "last_sale": sales.max(),
        }
    )
    got = got.set_index("unique_id")
    assert got.index.tolist() == want.index.tolist()
    np.testing.assert_array_equal(got["n_periods"], want["n_periods"])
    np.testing.assert_array_equal(got["selling_periods"], want["selling_periods"])
    for col in ["total", "mean", "std", "zero_share"]:
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9, atol=1e-12, err_msg=col)
    for col in ["first_sale", "last_sale"]:
        np.testing.assert_array_equal(
            got[col].to_numpy(), want[col].reindex(got.index).to_numpy(), err_msg=col
        )


def test_summary_hand_example(small_panel):
    df = small_panel.copy()
    # A series that never sells and a one-period series.
    extra = pd.DataFrame(
        {
            "unique_id": ["never"] * 3 + ["one"],
            "ds": [*pd.date_range("2024-01-01", periods=3), pd.Timestamp("2024-02-01")],
            "y": [0.0, 0.0, 0.0, 4.0],
        }
    )
    s = SalesMetrics(pd.concat([df, extra], ignore_index=True)).summary().set_index("unique_id")
    never, one, c = s.loc["never"], s.loc["one"], s.loc["c"]
    assert never["total"] == 0 and never["zero_share"] == 1.0 and never["selling_periods"] == 0
    assert pd.isna(never["first_sale"]) and pd.isna(never["last_sale"])
    assert one["n_periods"] == 1 and np.isnan(one["std"]) and one["mean"] == 4.0
    assert c["first_sale"] == pd.Timestamp("2024-01-11")
    assert c["last_sale"] == pd.Timestamp("2024-01-14")
    assert c["zero_share"] == pytest.approx(2 / 5)
    assert c["std"] == pytest.approx(np.std([0, 2, 1, 0, 7], ddof=1))


def test_summary_regularity_and_freq_none(small_panel):
    gappy = small_panel.drop(index=3)
    with pytest.raises(InvalidSeriesError, match="'a'"):
        SalesMetrics(gappy)
    s = SalesMetrics(gappy, freq=None).summary()
    assert s.set_index("unique_id").loc["a", "n_periods"] == 11


def test_summary_input_not_mutated(small_panel):
    df = small_panel.sample(frac=1.0, random_state=1)
    before = copy.deepcopy(df)
    SalesMetrics(df).summary()
    pd.testing.assert_frame_equal(df, before)


def test_summary_repr(small_panel):
    assert repr(SalesMetrics(small_panel)) == "SalesMetrics(n_series=3, n_rows=37)"


# ---------------------------------------------------------- against utilsforecast
def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("unique_id").reset_index(drop=True)


@pytest.mark.parametrize("metric", ["mae", "mse", "rmse"])
def test_evaluate_matches_utilsforecast(evaluation, metric):
    merged, _ = evaluation
    got = SalesMetrics.evaluate(merged, [metric])
    assert list(got.columns) == ["unique_id", "metric", *MODELS]
    assert (got["metric"] == metric).all()
    ref = _sorted(getattr(losses, metric)(merged, MODELS))
    got = _sorted(got)
    np.testing.assert_array_equal(got["unique_id"], ref["unique_id"])
    for m in MODELS:
        np.testing.assert_allclose(got[m], ref[m], rtol=1e-9, atol=1e-12, err_msg=m)


@pytest.mark.parametrize("metric", ["mase", "rmsse"])
def test_scaled_metrics_match_utilsforecast(evaluation, metric):
    merged, train = evaluation
    got = _sorted(SalesMetrics.evaluate(merged, [metric], train_df=train, seasonality=7))
    ref = _sorted(getattr(losses, metric)(merged, MODELS, seasonality=7, train_df=train))
    np.testing.assert_array_equal(got["unique_id"], ref["unique_id"])
    for m in MODELS:
        a, b = got[m].to_numpy(), ref[m].to_numpy()
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
        ok = np.isfinite(b)
        assert ok.sum() > 0.9 * len(b)
        np.testing.assert_allclose(a[ok], b[ok], rtol=1e-9, atol=1e-12, err_msg=m)


def test_evaluate_layout_and_aggregate(evaluation):
    merged, train = evaluation
    per_series = SalesMetrics.evaluate(merged, ALL_METRICS, train_df=train, seasonality=7)
    n = merged["unique_id"].nunique()
    assert len(per_series) == n * len(ALL_METRICS)
    assert per_series["metric"].tolist()[: len(ALL_METRICS)] == ALL_METRICS
    assert per_series["unique_id"].is_monotonic_increasing
    agg = SalesMetrics.evaluate(merged, ALL_METRICS, train_df=train, seasonality=7, aggregate=True)
    assert list(agg.columns) == ["metric", *MODELS]
    assert agg["metric"].tolist() == ALL_METRICS
    want = per_series.drop(columns="unique_id").groupby("metric", sort=False).mean()
    np.testing.assert_allclose(agg[MODELS].to_numpy(), want[MODELS].to_numpy(), rtol=1e-12)
    # The aggregated mae is utilsforecast's mean over series.
    ref = losses.mae(merged, MODELS)[MODELS].mean()
    mae_row = agg[agg["metric"] == "mae"].iloc[0]
    for m in MODELS:
        assert mae_row[m] == pytest.approx(ref[m], rel=1e-9)


def test_evaluate_unsorted_input_and_selected_models(evaluation):
    merged, train = evaluation
    shuffled = merged.sample(frac=1.0, random_state=4)
    before = copy.deepcopy(shuffled)
    a = SalesMetrics.evaluate(shuffled, ["mae", "mase"], models=["Naive"], train_df=train)
    b = SalesMetrics.evaluate(merged, ["mae", "mase"], models=["Naive"], train_df=train)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["unique_id", "metric", "Naive"]
    pd.testing.assert_frame_equal(shuffled, before)


def test_constant_training_series_like_utilsforecast():
    # utilsforecast divides by the scale: positive error / 0 = inf, 0 / 0 = NaN, and a
    # training series not longer than the seasonality has a NaN scale.
    train = pd.DataFrame(
        {
            "unique_id": ["c"] * 10 + ["z"] * 10 + ["s"] * 3,
            "ds": list(pd.date_range("2024-01-01", periods=10)) * 2
            + list(pd.date_range("2024-01-01", periods=3)),
            "y": [3.0] * 10 + [0.0] * 10 + [1.0, 2.0, 3.0],
        }
    )
    df = pd.DataFrame(
        {
            "unique_id": ["c"] * 3 + ["z"] * 3 + ["s"] * 3,
            "ds": list(pd.date_range("2024-01-11", periods=3)) * 2
            + list(pd.date_range("2024-01-04", periods=3)),
            "y": [3.0, 3, 3, 1, 0, 0, 1, 2, 3],
            "exact": [3.0, 3, 3, 0, 0, 0, 1, 2, 3],
            "off": [4.0, 3, 3, 1, 0, 0, 1, 2, 4],
        }
    )
    for metric in ["mase", "rmsse"]:
        got = _sorted(SalesMetrics.evaluate(df, [metric], train_df=train, seasonality=7))
        ref = _sorted(getattr(losses, metric)(df, ["exact", "off"], seasonality=7, train_df=train))
        for m in ["exact", "off"]:
            np.testing.assert_array_equal(got[m].to_numpy(), ref[m].to_numpy())
        got = got.set_index("unique_id")
        assert np.isnan(got.loc["c", "exact"]) and got.loc["c", "off"] == np.inf
        assert got.loc["z", "exact"] == np.inf and np.isnan(got.loc["z", "off"])
        assert np.isnan(got.loc["s", "exact"]) and np.isnan(got.loc["s", "off"])


# ------------------------------------------------------------- plain functions
def test_plain_functions_by_hand():
    y = np.array([1.0, 2.0, 3.0, 10.0])
    f = np.array([2.0, 2.0, 1.0, 7.0])
    train = np.array([1.0, 3.0, 2.0, 4.0, 8.0, 5.0])
    e = y - f
    assert sm.mae(y, f) == pytest.approx(np.mean(np.abs(e)), rel=1e-15)
    assert sm.mse(y, f) == pytest.approx(np.mean(e**2), rel=1e-15)
    assert sm.rmse(y, f) == pytest.approx(np.sqrt(np.mean(e**2)), rel=1e-15)
    assert sm.bias(y, f) == pytest.approx(np.mean(f - y), rel=1e-15)
    for m in [1, 2, 3]:
        scale = np.mean(np.abs(train[m:] - train[:-m]))
        assert sm.mase(y, f, train, seasonality=m) == pytest.approx(
            np.mean(np.abs(e)) / scale, rel=1e-14
        )
        sq = np.mean((train[m:] - train[:-m]) ** 2)
        assert sm.rmsse(y, f, train, seasonality=m) == pytest.approx(
            np.sqrt(np.mean(e**2) / sq), rel=1e-14
        )
    # Lists and 2-d inputs are accepted (flattened).
    assert sm.mae([1, 2], [2, 2]) == 0.5
    assert sm.mae(y.reshape(2, 2), f.reshape(2, 2)) == sm.mae(y, f)


def test_plain_function_errors():
    with pytest.raises(ShapeError):
        sm.mae([1.0, 2.0], [1.0])
    with pytest.raises(InvalidInputError, match="empty"):
        sm.rmse([], [])
    with pytest.raises(InvalidSeriesError):
        sm.mae([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(InvalidSeriesError):
        sm.mae([1.0, 2.0], [1.0, np.inf])
    with pytest.raises(InvalidParameterError, match="seasonality"):
        sm.mase([1.0], [1.0], [1.0, 2.0], seasonality=0)


finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_subnormal=False)


@st.composite
def pairs(draw, min_size=1):
    n = draw(st.integers(min_value=min_size, max_value=30))
    y = draw(st.lists(finite, min_size=n, max_size=n))
    f = draw(st.lists(finite, min_size=n, max_size=n))
    return np.array(y), np.array(f)


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_mae_non_negative(yf):
    y, f = yf
    assert sm.mae(y, f) >= 0.0


@settings(max_examples=100, deadline=None)
@given(st.lists(finite, min_size=1, max_size=30))
def test_mae_of_perfect_forecast_is_zero(y):
    assert sm.mae(y, y) == 0.0
    assert sm.rmse(y, y) == 0.0


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_rmse_at_least_mae(yf):
    y, f = yf
    mae, rmse = sm.mae(y, f), sm.rmse(y, f)
    assert rmse >= mae * (1 - 1e-12) - 1e-12
    assert rmse == pytest.approx(np.sqrt(sm.mse(y, f)), rel=1e-12, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    pairs(),
    st.lists(finite, min_size=2, max_size=30),
    st.floats(min_value=1e-3, max_value=1e3),
    st.integers(min_value=1, max_value=3),
)
def test_mase_scale_invariant(yf, train, c, m):
    y, f = yf
    train = np.array(train)
    assume(len(train) > m)
    assume(np.mean(np.abs(train[m:] - train[:-m])) > 1e-3)
    base = sm.mase(y, f, train, seasonality=m)
    scaled = sm.mase(c * y, c * f, c * train, seasonality=m)
    assert scaled == pytest.approx(base, rel=1e-9, abs=1e-12)
    assert base >= 0.0


# ------------------------------------------------------------------- errors
def test_unknown_metric(evaluation):
    merged, _ = evaluation
    with pytest.raises(InvalidParameterError, match="nonsense"):
        SalesMetrics.evaluate(merged, ["mae", "nonsense"])


def test_no_metric(evaluation):
    merged, _ = evaluation
    with pytest.raises(InvalidParameterError):
        SalesMetrics.evaluate(merged, [])


@pytest.mark.parametrize("metric", ["mase", "rmsse"])
def test_scaled_metric_needs_train_df(evaluation, metric):
    merged, _ = evaluation
    with pytest.raises(InvalidParameterError, match="train_df"):
        SalesMetrics.evaluate(merged, ["mae", metric])


def test_series_missing_from_train_df(evaluation):
    merged, train = evaluation
    first = train["unique_id"].iloc[0]
    with pytest.raises(InvalidInputError, match=str(first)):
        SalesMetrics.evaluate(merged, ["mase"], train_df=train[train["unique_id"] != first])


def test_bad_model_columns(evaluation):
    merged, _ = evaluation
    with pytest.raises(MissingColumnError, match="Prophet"):
        SalesMetrics.evaluate(merged, ["mae"], models=["Prophet"])
    with pytest.raises(InvalidParameterError, match="no model column"):
        SalesMetrics.evaluate(merged[["unique_id", "ds", "y"]], ["mae"])
    with pytest.raises(ColumnTypeError, match="Naive"):
        SalesMetrics.evaluate(merged.assign(Naive="x"), ["mae"], models=["Naive"])


def test_nan_actual_names_series(evaluation):
    merged, _ = evaluation
    bad = merged.copy()
    bad.loc[5, "y"] = np.nan
    with pytest.raises(InvalidSeriesError, match=str(bad.loc[5, "unique_id"])):
        SalesMetrics.evaluate(bad, ["mae"])


def test_nan_forecast_names_series_id():
    df = pd.DataFrame(
        {
            "unique_id": ["sku-a"] * 3 + ["sku-b"] * 3,
            "ds": list(pd.date_range("2024-01-01", periods=3)) * 2,
            "y": [1.0, 2, 3, 4, 5, 6],
            "model": [1.0, 2, 3, 4, np.nan, 6],
        }
    )
    with pytest.raises(InvalidSeriesError) as info:
        SalesMetrics.evaluate(df, ["mae"])
    assert "sku-b" in str(info.value)
