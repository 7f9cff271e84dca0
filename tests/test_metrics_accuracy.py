"""Forecast accuracy (shelfcast.metrics, SalesMetrics.evaluate) against utilsforecast,
scikit-learn and sktime where the definitions agree, and against the documented formulas
by hand where they do not (sMAPE scale, MAPE percent, M5 leading-zero trimming)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import shelfcast
from hypothesis import given, settings
from hypothesis import strategies as st
from shelfcast import metrics as M
from shelfcast.exceptions import (
    DuplicateRowError,
    InvalidInputError,
    InvalidParameterError,
    InvalidSeriesError,
    ShelfcastError,
    UndefinedMetricWarning,
)

ufl = pytest.importorskip("utilsforecast.losses")
from utilsforecast.evaluation import evaluate as uf_evaluate  # noqa: E402

SM = shelfcast.SalesMetrics
LEVELS = [80, 95]
H = 5


def _history(seed: int = 0, n_series: int = 6, n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        y = rng.poisson(3.0 + i, n).astype(float)
        y[rng.random(n) < 0.3] = 0.0
        if i % 2 == 0:  # leading zeros: the M5 scale differs from the plain one
            y[: 3 + i] = 0.0
        y[-2 * H] = max(y[-2 * H], 1.0)  # every window has a non-zero actual
        y[-H] = max(y[-H], 1.0)
        ds = pd.date_range("2024-01-01", periods=n, freq="D")
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def _cv_frame(history: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """A cross_validation-like frame: two cutoffs, two models with 80/95 intervals."""
    rng = np.random.default_rng(seed)
    last = history.ds.max()
    parts = []
    for cutoff in (last - pd.Timedelta(days=2 * H), last - pd.Timedelta(days=H)):
        win = history[(history.ds > cutoff) & (history.ds <= cutoff + pd.Timedelta(days=H))]
        part = win.assign(cutoff=cutoff).copy()
        for model, noise in (("A", 1.0), ("B", 2.5)):
            mean = np.maximum(part.y + rng.normal(0, noise, len(part)), 0.0)
            part[model] = mean
            for lv in LEVELS:
                half = noise * (1.3 if lv == 80 else 2.0) * rng.uniform(0.5, 1.5, len(part))
                part[f"{model}-lo-{lv}"] = mean - half
                part[f"{model}-hi-{lv}"] = mean + half
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out[
        [
            "unique_id",
            "ds",
            "cutoff",
            *[c for c in out.columns if c not in ("unique_id", "ds", "cutoff")],
        ]
    ]


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return _history()


@pytest.fixture(scope="module")
def cv(history) -> pd.DataFrame:
    return _cv_frame(history)


def _ours(cv, metrics, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        out = SM.evaluate(cv, metrics, models=["A", "B"], **kw)
    return out


def _theirs(cv, losses, **kw) -> pd.DataFrame:
    return uf_evaluate(cv, losses, models=["A", "B"], **kw)


def _compare(ours, theirs, our_name, their_name, factor=1.0, rtol=1e-12):
    a = ours[ours.metric == our_name].set_index(["unique_id", "cutoff"])[["A", "B"]]
    b = theirs[theirs.metric == their_name].set_index(["unique_id", "cutoff"])[["A", "B"]]
    assert len(a) == len(b) > 0
    a = a.sort_index()
    b = b.reindex(a.index)
    np.testing.assert_allclose(a.to_numpy(), factor * b.to_numpy(), rtol=rtol, atol=1e-12)


# ---------------------------------------------------------------- utilsforecast, same definitions


@pytest.mark.parametrize(
    ("ours", "loss"),
    [
        ("mae", ufl.mae),
        ("mse", ufl.mse),
        ("rmse", ufl.rmse),
        ("bias", ufl.bias),
        ("wape", ufl.wape),
    ],
)
def test_point_metrics_match_utilsforecast_per_series_and_cutoff(cv, ours, loss):
    _compare(_ours(cv, [ours]), _theirs(cv, [loss]), ours, loss.__name__)


def test_mape_is_100x_utilsforecast_and_skips_zero_actuals(cv):
    assert (cv.y == 0).any()  # the zero-actual periods are really skipped
    _compare(_ours(cv, ["mape"]), _theirs(cv, [ufl.mape]), "mape", "mape", factor=100.0)


def test_smape_is_m4_definition_200x_utilsforecast(cv):
    _compare(_ours(cv, ["smape"]), _theirs(cv, [ufl.smape]), "smape", "smape", factor=200.0)


@pytest.mark.parametrize("m", [1, 7])
@pytest.mark.parametrize(("ours", "name"), [("mase", "mase"), ("rmsse", "rmsse")])
def test_plain_scaled_metrics_match_utilsforecast_with_cutoffs(history, cv, ours, name, m):
    from functools import partial

    loss = partial(getattr(ufl, name), seasonality=m)
    loss.__name__ = name  # type: ignore[attr-defined]
    theirs = _theirs(cv, [loss], train_df=history)
    _compare(_ours(cv, [ours], train_df=history, seasonality=m), theirs, ours, name)


def _trim_leading_zeros(df: pd.DataFrame) -> pd.DataFrame:
    started = df.groupby("unique_id").y.transform(lambda s: (s != 0).cummax())
    return df[started].reset_index(drop=True)


@pytest.mark.parametrize(("ours", "name"), [("mase_m5", "mase"), ("rmsse_m5", "rmsse")])
def test_m5_scale_is_utilsforecast_on_the_trimmed_history(history, cv, ours, name):
    from functools import partial

    loss = partial(getattr(ufl, name), seasonality=1)
    loss.__name__ = name  # type: ignore[attr-defined]
    trimmed = _trim_leading_zeros(history)
    theirs_trimmed = _theirs(cv, [loss], train_df=trimmed)
    ours = _ours(cv, [ours, name], train_df=history)
    _compare(ours, theirs_trimmed, ours_name := ours.metric.iloc[0], name)
    # and the two scales really differ on the series with leading zeros
    a = ours[ours.metric == ours_name].set_index(["unique_id", "cutoff"]).A
    b = ours[ours.metric == name].set_index(["unique_id", "cutoff"]).A
    lead = history.groupby("unique_id").y.first() == 0
    assert not np.allclose(a[lead[lead].index], b[lead[lead].index])
    np.testing.assert_allclose(a[lead[~lead].index], b[lead[~lead].index], rtol=1e-12)


def test_quantile_and_interval_metrics_match_utilsforecast(history, cv):
    from functools import partial

    ours = _ours(
        cv,
        ["pinball", "spl", "coverage", "winkler", "pinball_q0.025", "pinball_q0.9"],
        train_df=history,
    )
    sq = partial(ufl.scaled_mqloss, seasonality=1)
    sq.__name__ = "scaled_mqloss"  # type: ignore[attr-defined]
    theirs = _theirs(
        cv,
        [ufl.mqloss, sq, ufl.coverage, ufl.winkler_score, ufl.quantile_loss],
        train_df=history,
        level=LEVELS,
    )
    _compare(ours, theirs, "pinball", "mqloss")
    _compare(ours, theirs, "spl", "scaled_mqloss")
    for lv in LEVELS:
        _compare(ours, theirs, f"coverage_{lv}", f"coverage_level{lv}")
        _compare(ours, theirs, f"winkler_{lv}", f"winkler_score_level{lv}")
    _compare(ours, theirs, "pinball_q0.025", "quantile_loss_q0.025")
    _compare(ours, theirs, "pinball_q0.9", "quantile_loss_q0.9")


def test_aggregate_matches_utilsforecast_mean(history, cv):
    ours = _ours(cv, ["mae", "rmse"], aggregate=True)
    theirs = _theirs(cv, [ufl.mae, ufl.rmse])
    for name in ("mae", "rmse"):
        want = theirs[theirs.metric == name][["A", "B"]].mean().to_numpy()
        got = ours.set_index("metric").loc[name, ["A", "B"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, want, rtol=1e-12)


# ---------------------------------------------------------------- scikit-learn and sktime


def test_single_series_functions_match_sklearn():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y = rng.uniform(1, 10, 30)
    f = y + rng.normal(0, 2, 30)
    assert M.mae(y, f) == pytest.approx(skm.mean_absolute_error(y, f), rel=1e-12)
    assert M.mse(y, f) == pytest.approx(skm.mean_squared_error(y, f), rel=1e-12)
    assert M.rmse(y, f) == pytest.approx(skm.root_mean_squared_error(y, f), rel=1e-12)
    # no zero actuals: sklearn's MAPE (a fraction) agrees after the percent factor
    assert M.mape(y, f) == pytest.approx(100 * skm.mean_absolute_percentage_error(y, f))
    for q in (0.05, 0.5, 0.9):
        got = M.pinball(y, f, q)
        assert got == pytest.approx(skm.mean_pinball_loss(y, f, alpha=q), rel=1e-12)


def test_single_series_functions_match_sktime():
    pytest.importorskip("sktime")
    from sktime.performance_metrics.forecasting import (
        mean_absolute_percentage_error,
        mean_absolute_scaled_error,
        mean_squared_scaled_error,
    )

    rng = np.random.default_rng(4)
    train = rng.poisson(4, 60).astype(float)
    train[:5] = 0.0
    y = rng.poisson(4, 14).astype(float) + 1
    f = y + rng.normal(0, 1.5, 14)
    for m in (1, 7):
        want = mean_absolute_scaled_error(y, f, y_train=train, sp=m)
        assert M.mase(y, f, train, m) == pytest.approx(want, rel=1e-12)
        want = mean_squared_scaled_error(y, f, y_train=train, sp=m, square_root=True)
        assert M.rmsse(y, f, train, m) == pytest.approx(want, rel=1e-12)
    # sktime does not trim leading zeros either: our M5 scale equals sktime on the trimmed
    # history, and differs from sktime on the raw one
    want = mean_squared_scaled_error(y, f, y_train=train[5:], sp=1, square_root=True)
    assert M.rmsse(y, f, train, scale="m5") == pytest.approx(want, rel=1e-12)
    assert M.rmsse(y, f, train, scale="m5") != pytest.approx(M.rmsse(y, f, train))
    # sktime's symmetric MAPE is a fraction in [0, 2]: ours is 100x
    want = mean_absolute_percentage_error(y, f, symmetric=True)
    assert M.smape(y, f) == pytest.approx(100 * want, rel=1e-12)


# ---------------------------------------------------------------- the formulas by hand


def test_point_formulas_by_hand():
    y = [2.0, 0.0, 4.0, 5.0]
    f = [1.0, 0.0, 6.0, 5.0]
    assert M.mae(y, f) == 0.75
    assert M.mse(y, f) == 1.25
    assert M.rmse(y, f) == pytest.approx(np.sqrt(1.25))
    assert M.bias(y, f) == 0.25
    assert M.mape(y, f) == pytest.approx(100 * (0.5 + 0.5 + 0) / 3)  # y = 0 skipped
    assert M.smape(y, f) == pytest.approx(200 / 4 * (1 / 3 + 0 + 2 / 10 + 0))  # 0/0 -> 0
    assert M.wape(y, f) == pytest.approx(3 / 11)
    assert M.smape([0.0], [5.0]) == 200.0  # the M4 upper bound


def test_zero_denominators():
    assert np.isnan(M.mape([0, 0], [1, 2]))
    assert M.wape([0, 0], [1, 0]) == np.inf
    assert np.isnan(M.wape([0, 0], [0, 0]))
    assert M.mase([1, 2], [1, 3], [5, 5, 5]) == np.inf  # constant history: scale 0
    assert np.isnan(M.mase([1, 2], [1, 2], [5, 5, 5]))
    assert np.isnan(M.mase([1], [1], [0, 0, 0], scale="m5"))  # no non-zero history


def test_scaled_by_hand():
    y, f, train = [1.0, 2.0, 3.0], [2.0, 2.0, 1.0], [0.0, 0.0, 1.0, 3.0, 2.0, 4.0]
    # plain scale over |0|, |1|, |2|, |-1|, |2| = 6/5; M5 scale over |2|, |-1|, |2| = 5/3
    assert M.mase(y, f, train) == pytest.approx(1 / (6 / 5))
    assert M.mase(y, f, train, scale="m5") == pytest.approx(0.6)
    assert M.rmsse(y, f, train, scale="m5") == pytest.approx(np.sqrt((5 / 3) / 3))
    # seasonality 2, plain: |1-0|, |3-0|, |2-1|, |4-3| = 6/4
    assert M.mase(y, f, train, 2) == pytest.approx(1 / 1.5)
    # SPL (M5): quantiles 0.25 and 0.75, scale 5/3
    q25, q75 = [0.0, 1.0, 2.0], [2.0, 3.0, 4.0]
    p25 = np.mean([0.25, 0.25, 0.25])
    p75 = np.mean([0.25, 0.25, 0.25])
    assert M.spl(y, {0.25: q25, 0.75: q75}, train) == pytest.approx((p25 + p75) / 2 / (5 / 3))
    assert M.coverage(y, q25, q75) == 1.0
    assert M.winkler([1.0, 5.0, 3.0], [1, 0, 4], [2, 4, 6], 80) == pytest.approx(9.0)


def test_single_series_errors():
    with pytest.raises(shelfcast.exceptions.ShapeError):
        M.mae([1, 2], [1])
    with pytest.raises(InvalidInputError):
        M.mae([], [])
    with pytest.raises(InvalidSeriesError, match="not finite"):
        M.mae([1, 2], [1, np.nan])
    with pytest.raises(InvalidParameterError, match="seasonality"):
        M.mase([1], [1], [1, 2], 0)
    with pytest.raises(InvalidParameterError, match="scale"):
        M.mase([1], [1], [1, 2], scale="m4")
    with pytest.raises(InvalidParameterError):
        M.pinball([1], [1], 1.5)
    with pytest.raises(InvalidParameterError):
        M.winkler([1], [0], [2], 100)
    with pytest.raises(InvalidSeriesError, match="lower bound"):
        M.coverage([1], [2], [1])


# ---------------------------------------------------------------- evaluate: layout and errors


def test_evaluate_layout_with_cutoffs(cv, history):
    out = _ours(cv, ["mae", "rmsse"], train_df=history)
    assert list(out.columns) == ["unique_id", "cutoff", "metric", "A", "B"]
    n_groups = cv.groupby(["unique_id", "cutoff"]).ngroups
    assert len(out) == 2 * n_groups
    assert out.metric.tolist()[:2] == ["mae", "rmsse"]
    assert (
        out[["unique_id", "cutoff"]]
        .drop_duplicates()
        .equals(out[["unique_id", "cutoff"]].drop_duplicates().sort_values(["unique_id", "cutoff"]))
    )
    long = _ours(cv, ["mae"], long=True)
    assert list(long.columns) == ["unique_id", "cutoff", "model", "metric", "value"]
    assert len(long) == 2 * n_groups
    wide = _ours(cv, ["mae"]).set_index(["unique_id", "cutoff"])
    got = long[long.model == "B"].set_index(["unique_id", "cutoff"]).value
    np.testing.assert_array_equal(got.to_numpy(), wide.B.reindex(got.index).to_numpy())


def test_evaluate_ignores_row_order(cv, history):
    shuffled = cv.sample(frac=1.0, random_state=0)
    a = _ours(cv, ["mae", "mase", "coverage"], train_df=history)
    b = _ours(shuffled, ["mae", "mase", "coverage"], train_df=history.iloc[::-1])
    pd.testing.assert_frame_equal(a, b)


def test_evaluate_without_cutoff_keeps_the_legacy_layout(history):
    test = history[history.ds > history.ds.max() - pd.Timedelta(days=H)].copy()
    train = history[history.ds <= history.ds.max() - pd.Timedelta(days=H)]
    test["Naive"] = test.y.mean()
    out = SM.evaluate(test, ["mae", "rmsse"], train_df=train)
    assert list(out.columns) == ["unique_id", "metric", "Naive"]
    agg = SM.evaluate(test, ["mae", "rmsse"], train_df=train, aggregate=True)
    assert list(agg.columns) == ["metric", "Naive"]
    assert agg.Naive.iloc[0] == pytest.approx(out[out.metric == "mae"].Naive.mean())


def test_seasonality_none_means_one(cv, history):
    a = _ours(cv, ["mase"], train_df=history)
    b = _ours(cv, ["mase"], train_df=history, seasonality=1)
    pd.testing.assert_frame_equal(a, b)


def test_evaluate_errors_name_the_culprit(cv, history):
    with pytest.raises(InvalidParameterError, match="unknown metric 'mad'"):
        SM.evaluate(cv, ["mad"])
    with pytest.raises(InvalidParameterError, match="train_df"):
        SM.evaluate(cv, ["mase"])
    with pytest.raises(InvalidInputError, match="'s3'"):
        SM.evaluate(cv, ["mase"], train_df=history[history.unique_id != "s3"])
    bad = cv.copy()
    bad.loc[7, "A"] = np.nan
    with pytest.raises(InvalidSeriesError, match=r"'A' is nan for series 's\d'.*cutoff"):
        SM.evaluate(bad, ["mae"])
    dup = pd.concat([cv, cv.iloc[[3]]])
    with pytest.raises(DuplicateRowError, match="cutoff"):
        SM.evaluate(dup, ["mae"])
    with pytest.raises(InvalidParameterError, match="seasonality"):
        SM.evaluate(cv, ["mase"], train_df=history, seasonality=0)
    with pytest.raises(InvalidParameterError, match="quantile"):
        SM.evaluate(cv[["unique_id", "ds", "cutoff", "y", "A"]], ["pinball"])
    with pytest.raises(InvalidParameterError, match="coverage"):
        SM.evaluate(cv[["unique_id", "ds", "cutoff", "y", "A"]], ["coverage"])
    with pytest.raises(InvalidParameterError, match="level 90"):
        SM.evaluate(cv, ["coverage"], level=[90])
    with pytest.raises(ShelfcastError):
        SM.evaluate(cv.drop(columns="y"), ["mae"])


def test_undefined_scores_warn_and_name_a_series():
    df = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "b"],
            "ds": pd.to_datetime(["2024-01-05", "2024-01-06"] * 2),
            "y": [1.0, 2.0, 3.0, 3.0],
            "M": [1.0, 2.0, 2.0, 3.0],
        }
    )
    train = pd.DataFrame(
        {
            "unique_id": ["a"] * 3 + ["b"] * 3,
            "ds": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"] * 2),
            "y": [1.0, 2.0, 4.0, 5.0, 5.0, 5.0],
        }
    )
    with pytest.warns(UndefinedMetricWarning, match="series 'b'"):
        out = SM.evaluate(df, ["mase", "mae"], train_df=train)
    assert out.M.iloc[0] == 0.0 and out.M.iloc[2] == np.inf  # a: 0/s, b: 0.5/0
    with pytest.warns(UndefinedMetricWarning):
        agg = SM.evaluate(df, ["mase"], train_df=train, aggregate=True)
    assert agg.M.iloc[0] == np.inf


def test_models_default_includes_quantile_only_models(cv):
    df = cv[["unique_id", "ds", "cutoff", "y"]].copy()
    df["Q-q-10"] = cv["A"] - 1
    df["Q-q-50"] = cv["A"]
    df["Q-q-90"] = cv["A"] + 1
    out = SM.evaluate(df, ["pinball", "pinball_q0.5"])
    assert list(out.columns) == ["unique_id", "cutoff", "metric", "Q"]
    first = cv[(cv.unique_id == "s0") & (cv.cutoff == cv.cutoff.min())]
    got = out[(out.unique_id == "s0") & (out.metric == "pinball_q0.5")].Q.iloc[0]
    assert got == pytest.approx(M.pinball(first.y, first.A, 0.5))
    want = np.mean([M.pinball(first.y, first.A + d, q) for d, q in ((-1, 0.1), (0, 0.5), (1, 0.9))])
    assert out[(out.unique_id == "s0") & (out.metric == "pinball")].Q.iloc[0] == pytest.approx(want)
    with pytest.raises(InvalidParameterError, match="point forecasts"):
        SM.evaluate(df, ["mae"])


# ---------------------------------------------------------------- invariants (hypothesis)

finite = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=30))
def test_invariants(pairs):
    y = np.array([p[0] for p in pairs])
    f = np.array([p[1] for p in pairs])
    assert M.mae(y, f) >= 0 and M.mae(y, y) == 0
    assert M.rmse(y, f) >= M.mae(y, f) - 1e-9 * max(1.0, M.mae(y, f))
    assert 0 <= M.smape(y, f) <= 200 and M.smape(y, y) == 0
    assert M.bias(y, f) == pytest.approx(-M.bias(f, y))
    assert 0 <= M.coverage(y, np.minimum(y, f), np.maximum(y, f)) == 1.0
    for q in (0.1, 0.5, 0.9):
        assert M.pinball(y, f, q) >= 0 and M.pinball(y, y, q) == 0
    assert M.pinball(y, f, 0.5) == pytest.approx(M.mae(y, f) / 2)


# ---------------------------------------------------------------- WRMSSE / WSPL by hand

TRAIN_Y = {  # 6 training days; s1 and s3 start with zeros (trimmed by the M5 scale)
    "s1": [0, 0, 2, 4, 3, 5],
    "s2": [1, 2, 1, 3, 2, 2],
    "s3": [0, 1, 0, 2, 0, 1],
    "s4": [4, 4, 5, 6, 5, 4],
}
PRICE = {"s1": 2.0, "s2": 1.0, "s3": 10.0, "s4": 0.5}
STORE = {"s1": "A", "s2": "A", "s3": "B", "s4": "B"}
TEST_Y = {"s1": [4, 6], "s2": [2, 1], "s3": [0, 3], "s4": [5, 5]}
FC = {"s1": [4, 4], "s2": [2, 2], "s3": [1, 1], "s4": [5, 4]}


def _hier_frames():
    days = pd.date_range("2024-03-01", periods=8, freq="D")
    train = pd.DataFrame(
        [(u, days[t], float(v), PRICE[u]) for u, ys in TRAIN_Y.items() for t, v in enumerate(ys)],
        columns=["unique_id", "ds", "y", "price"],
    )
    test = pd.DataFrame(
        [(u, days[6 + t], float(TEST_Y[u][t]), float(FC[u][t])) for u in TEST_Y for t in range(2)],
        columns=["unique_id", "ds", "y", "M"],
    )
    hier = pd.DataFrame({"unique_id": list(STORE), "store": list(STORE.values())})
    return train, test, hier


def _rmsse_m5(train, y, f):
    x = np.asarray(train, float)
    x = x[np.argmax(x != 0) :]
    scale = np.mean(np.diff(x) ** 2)
    return np.sqrt(np.mean((np.asarray(y, float) - np.asarray(f, float)) ** 2) / scale)


def _by_hand_wrmsse(weight_periods=3):
    nodes = {
        "total": list(STORE),
        "store=A": ["s1", "s2"],
        "store=B": ["s3", "s4"],
        **{u: [u] for u in STORE},
    }
    levels = {"total": ["total"], "store": ["store=A", "store=B"], "unique_id": list(STORE)}
    dollars = {u: PRICE[u] * sum(TRAIN_Y[u][-weight_periods:]) for u in STORE}
    out = {}
    for lv, members in levels.items():
        total = sum(dollars[u] for n in members for u in nodes[n])
        score = 0.0
        for n in members:
            us = nodes[n]
            w = sum(dollars[u] for u in us) / total
            tr = np.sum([TRAIN_Y[u] for u in us], axis=0)
            y = np.sum([TEST_Y[u] for u in us], axis=0)
            f = np.sum([FC[u] for u in us], axis=0)
            score += w * _rmsse_m5(tr, y, f)
        out[lv] = score
    out["WRMSSE"] = np.mean(list(out.values()))
    return out


def test_wrmsse_on_a_hand_computed_hierarchy():
    train, test, hier = _hier_frames()
    got = M.wrmsse(test, train, hier, weight_periods=3).set_index("level").M
    want = _by_hand_wrmsse(3)
    assert list(got.index) == ["total", "store", "unique_id", "WRMSSE"]
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-12), k
    # one number fully by hand: s2 alone, weight 7/(2*12 + 7 + 10*3 + 0.5*15) = 7/68.5
    s2 = _rmsse_m5(TRAIN_Y["s2"], TEST_Y["s2"], FC["s2"])
    assert s2 == pytest.approx(np.sqrt(0.5 / (7 / 5)))  # diffs 1, -1, 2, -1, 0
    weights = M.hierarchy_weights(train, hier, weight_periods=3)
    w = weights.set_index(["level", "unique_id"]).weight
    assert w["unique_id", "s2"] == pytest.approx(7 / 68.5)
    assert w.groupby(level=0).sum().to_numpy() == pytest.approx(np.ones(3))


def test_wrmsse_per_cutoff_uses_history_up_to_the_cutoff():
    train, test, hier = _hier_frames()
    cutoff = train.ds.max()
    cv = pd.concat([test.assign(cutoff=cutoff), test.assign(cutoff=cutoff, M=test.M + 1)])
    cv["cutoff"] = [cutoff] * len(test) + [cutoff - pd.Timedelta(days=1)] * len(test)
    # the second "cutoff" is a day earlier: its history and weights stop one day earlier
    out = M.wrmsse(cv, train, hier, weight_periods=3)
    assert list(out.columns) == ["cutoff", "level", "M"]
    late = out[out.cutoff == cutoff].set_index("level").M
    assert late["WRMSSE"] == pytest.approx(_by_hand_wrmsse(3)["WRMSSE"], rel=1e-12)
    assert len(out) == 8


def test_wrmsse_units_weights_and_errors():
    train, test, hier = _hier_frames()
    units = M.wrmsse(test, train, hier, weight_periods=3, price_col=None)
    assert units.M.iloc[-1] != pytest.approx(M.wrmsse(test, train, hier).M.iloc[-1])
    with pytest.raises(InvalidInputError, match="'s9'"):
        M.wrmsse(test.assign(unique_id=test.unique_id.replace("s1", "s9")), train, hier)
    with pytest.raises(shelfcast.exceptions.MissingColumnError, match="region"):
        M.wrmsse(test, train, hier, levels=[["region"]])
    bad = train.copy()
    bad.loc[3, "price"] = np.nan  # s1 sold 4 units that day
    with pytest.raises(InvalidSeriesError, match="'price' is missing for series 's1'"):
        M.wrmsse(test, bad, hier)


def test_wspl_on_a_hand_computed_hierarchy():
    train, test, hier = _hier_frames()
    # node-level quantile forecasts: bottom forecasts summed, ±1 for the 50% interval
    nodes = M.aggregate_hierarchy(test, hier).drop(columns="level")
    nodes["M-lo-50"] = nodes.M - 1
    nodes["M-hi-50"] = nodes.M + 1
    nodes["M-q-50"] = nodes.M
    got = M.wspl(nodes, train, hier, weight_periods=3, models=["M"]).set_index("level").M
    # by hand: SPL_i = mean_u pinball_u / M5 abs scale, quantiles 0.25, 0.5, 0.75
    members = {"total": list(STORE), "store=A": ["s1", "s2"], "store=B": ["s3", "s4"]}
    members.update({u: [u] for u in STORE})
    dollars = {u: PRICE[u] * sum(TRAIN_Y[u][-3:]) for u in STORE}

    def spl(node):
        us = members[node]
        tr = np.sum([TRAIN_Y[u] for u in us], axis=0).astype(float)
        tr = tr[np.argmax(tr != 0) :]
        y = np.sum([TEST_Y[u] for u in us], axis=0)
        f = np.sum([FC[u] for u in us], axis=0)
        loss = np.mean([M.pinball(y, f + d, u) for d, u in ((-1, 0.25), (0, 0.5), (1, 0.75))])
        return loss / np.mean(np.abs(np.diff(tr)))

    levels = {"total": ["total"], "store": ["store=A", "store=B"], "unique_id": list(STORE)}
    want = {}
    for lv, ns in levels.items():
        tot = sum(dollars[u] for n in ns for u in members[n])
        want[lv] = sum(sum(dollars[u] for u in members[n]) / tot * spl(n) for n in ns)
    want["WSPL"] = np.mean(list(want.values()))
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-12), k
    with pytest.raises(InvalidInputError, match="store=B"):
        M.wspl(nodes[nodes.unique_id != "store=B"], train, hier, models=["M"])
