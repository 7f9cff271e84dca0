"""Global machine-learning models in DemandForecaster: linear coefficients vs scikit-learn,
accuracy vs a seasonal-naive baseline, reproducibility, missing features, exogenous
future rows, intervals, cross-validation and persistence."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import shelfcast
from shelfcast import features as F
from shelfcast.exceptions import InvalidInputError, InvalidParameterError
from shelfcast.models import (
    GradientBoosting,
    LinearRegression,
    PoissonRegressor,
    RandomForest,
    Ridge,
    SeasonalNaive,
)

sklearn = pytest.importorskip("sklearn")
from sklearn.linear_model import PoissonRegressor as SkPoisson  # noqa: E402
from sklearn.linear_model import Ridge as SkRidge  # noqa: E402

KW = {
    "lags": [1, 7, 14, 28],
    "lag_transforms": {1: [F.RollingMean(7)], 7: [F.RollingMean(28)]},
    "date_features": ["dayofweek", "month", "day"],
}


def _scores(test: pd.DataFrame, fc_df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    m = test.merge(fc_df, on=["unique_id", "ds"])
    assert len(m) == len(test)
    return pd.DataFrame(
        {
            c: {"mae": (m["y"] - m[c]).abs().mean(), "rmse": np.sqrt(((m["y"] - m[c]) ** 2).mean())}
            for c in cols
        }
    )


@pytest.fixture(scope="module")
def small(retail_split: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, test = retail_split
    ids = np.sort(train["unique_id"].unique())[:80]
    return (
        train[train["unique_id"].isin(ids)].reset_index(drop=True),
        test[test["unique_id"].isin(ids)].reset_index(drop=True),
    )


def test_ridge_and_poisson_match_sklearn(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = small
    kw = {"lags": [1, 7], "date_features": ["dayofweek"]}
    fc = shelfcast.DemandForecaster(
        [Ridge(10.0), PoissonRegressor(0.5, tol=1e-10, max_iter=300)], freq="D", **kw
    ).fit(train)
    X = fc.feature_matrix(train).dropna()
    x, y = X[fc.feature_names].to_numpy(), X["y"].to_numpy()
    sk = SkRidge(alpha=10.0).fit(x, y)
    coef, b = fc._ml.linear_coefficients(0)
    np.testing.assert_allclose(coef, sk.coef_, rtol=1e-6, atol=1e-9)
    assert b == pytest.approx(sk.intercept_, rel=1e-6)
    skp = SkPoisson(alpha=0.5, tol=1e-10, max_iter=300, solver="newton-cholesky").fit(x, y)
    coef, b = fc._ml.linear_coefficients(1)
    np.testing.assert_allclose(coef, skp.coef_, rtol=1e-4, atol=1e-6)
    assert b == pytest.approx(skp.intercept_, rel=1e-4, abs=1e-6)


def test_trees_beat_seasonal_naive_on_holdout(
    retail_split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    train, test = retail_split
    models = [
        SeasonalNaive(7),
        GradientBoosting(objective="tweedie", seed=1),
        RandomForest(n_estimators=20, min_samples_leaf=50, max_features=0.5, seed=1),
    ]
    fc = shelfcast.DemandForecaster(models, freq="D", **KW)  # type: ignore[arg-type]
    s = _scores(test, fc.forecast(train, h=28), fc.model_names)
    # boosting (tweedie) wins on both metrics; the forest (squared error) on RMSE, the
    # loss it minimises (on this intermittent panel the median, mostly 0, wins on MAE)
    assert s.loc["mae", "GradientBoosting"] < s.loc["mae", "SeasonalNaive"]
    assert s.loc["rmse", "GradientBoosting"] < s.loc["rmse", "SeasonalNaive"]
    assert s.loc["rmse", "RandomForest"] < s.loc["rmse", "SeasonalNaive"]


def test_reproducible_with_seed_and_nan_features(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = small
    models = [
        GradientBoosting(n_estimators=30, bagging_fraction=0.7, feature_fraction=0.6, seed=3),
        RandomForest(n_estimators=8, max_features=0.5, min_samples_leaf=5, seed=3),
    ]
    # dropna=False keeps the rows whose lags reach before the history: NaN features
    runs = [
        shelfcast.DemandForecaster(models, freq="D", dropna=False, **KW).forecast(train, h=14)  # type: ignore[arg-type]
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    for c in ("GradientBoosting", "RandomForest"):
        assert np.isfinite(runs[0][c]).all()
    other = shelfcast.DemandForecaster(
        [GradientBoosting(n_estimators=30, bagging_fraction=0.7, feature_fraction=0.6, seed=4)],
        freq="D",
        dropna=False,
        **KW,  # type: ignore[arg-type]
    ).forecast(train, h=14)
    assert not np.allclose(other["GradientBoosting"], runs[0]["GradientBoosting"])
    # a series shorter than the largest lag still gets finite forecasts
    short = train[train["unique_id"] == train["unique_id"].iloc[0]].tail(10)
    with pytest.raises(InvalidParameterError):
        shelfcast.DemandForecaster(models, freq="D", **KW).fit(short)  # type: ignore[arg-type]
    out = shelfcast.DemandForecaster(models, freq="D", dropna=False, **KW).forecast(
        pd.concat([train, short.assign(unique_id="short")]),
        h=7,  # type: ignore[arg-type]
    )
    assert (
        np.isfinite(out[out.unique_id == "short"][["GradientBoosting", "RandomForest"]]).all().all()
    )


def _with_price(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(price=1.0 + (df["ds"].dt.dayofweek == 5), promo=(df["ds"].dt.day == 1))


def test_every_step_uses_its_own_exogenous_row(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, test = small
    train, test = _with_price(train), _with_price(test)
    fc = shelfcast.DemandForecaster(
        [LinearRegression(), GradientBoosting(n_estimators=20)],
        freq="D",
        **KW,  # type: ignore[arg-type]
    ).fit(train)
    assert fc.feature_names[-2:] == ["price", "promo"]
    x = test[["unique_id", "ds", "price", "promo"]]
    base = fc.predict(28, X_df=x)
    # change only step 5's price: steps 1-4 are unchanged, step 5 moves (linear model)
    step5 = x["ds"] == x["ds"].min() + pd.Timedelta(days=4)
    bumped = fc.predict(28, X_df=x.assign(price=np.where(step5, 10.0, x["price"])))
    first4 = base["ds"] < base["ds"].min() + pd.Timedelta(days=4)
    np.testing.assert_array_equal(
        bumped.loc[first4, "LinearRegression"], base.loc[first4, "LinearRegression"]
    )
    coef = fc._ml.linear_coefficients(0)[0][-2]
    s5 = base["ds"] == base["ds"].min() + pd.Timedelta(days=4)
    moved = (
        bumped.loc[s5, "LinearRegression"].to_numpy() - base.loc[s5, "LinearRegression"].to_numpy()
    )
    np.testing.assert_allclose(moved, coef * (10.0 - x.loc[step5, "price"].to_numpy()), rtol=1e-9)
    # X_df rows in any order give the same forecasts
    pd.testing.assert_frame_equal(fc.predict(28, X_df=x.sample(frac=1, random_state=0)), base)
    # missing rows: the error names the series and the dates
    sid = x["unique_id"].iloc[0]
    holes = x.drop(index=x.index[(x["unique_id"] == sid)][3:5])
    with pytest.raises(InvalidInputError, match=f"{sid}.*2011-11-1[45]"):
        fc.predict(28, X_df=holes)
    with pytest.raises(InvalidParameterError, match="X_df"):
        fc.predict(28)


def test_mixed_models_intervals_cv_and_quantile_objective(
    small: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    train, _ = small
    models = [
        SeasonalNaive(7),
        GradientBoosting(n_estimators=30, objective="poisson"),
        GradientBoosting(n_estimators=30, objective="quantile", alpha=0.9, alias="GB90"),
        GradientBoosting(n_estimators=30, objective="quantile", alpha=0.5, alias="GB50"),
    ]
    fc = shelfcast.DemandForecaster(models, freq="D", conformal_windows=2, **KW)  # type: ignore[arg-type]
    out = fc.fit(train).predict(14, level=[80])
    assert list(out.columns[:6]) == [
        "unique_id",
        "ds",
        "SeasonalNaive",
        "GradientBoosting",
        "GB90",
        "GB50",
    ]
    lo, hi = out["GradientBoosting-lo-80"], out["GradientBoosting-hi-80"]
    assert (lo <= out["GradientBoosting"] + 1e-9).all() and (
        hi >= out["GradientBoosting"] - 1e-9
    ).all()
    assert (hi > lo).mean() > 0.5
    assert out["GB90"].mean() > out["GB50"].mean()
    cv = fc.cross_validation(train, h=7, n_windows=2)
    assert {"cutoff", "y", "SeasonalNaive", "GradientBoosting"} <= set(cv.columns)
    assert cv["cutoff"].nunique() == 2
    imp = fc.feature_importances()
    np.testing.assert_allclose(imp.sum(), 1.0)
    assert list(imp.index) == fc.feature_names


@pytest.mark.filterwarnings("ignore::shelfcast.exceptions.ExogenousWarning")
def test_pickle_and_save_load_round_trip(
    small: tuple[pd.DataFrame, pd.DataFrame], tmp_path
) -> None:
    train, test = small
    train, test = _with_price(train), _with_price(test)
    models = [
        SeasonalNaive(7),
        Ridge(1.0),
        GradientBoosting(n_estimators=10),
        RandomForest(n_estimators=3),
    ]
    fc = shelfcast.DemandForecaster(
        models,
        freq="D",
        target_transforms=[F.Log1p()],
        **KW,  # type: ignore[arg-type]
    ).fit(train)
    x = test[["unique_id", "ds", "price", "promo"]]
    want = fc.predict(28, X_df=x, level=[90])
    again = pickle.loads(pickle.dumps(fc))
    pd.testing.assert_frame_equal(again.predict(28, X_df=x, level=[90]), want)
    fc.save(tmp_path / "m.npz")
    loaded = shelfcast.DemandForecaster.load(tmp_path / "m.npz")
    pd.testing.assert_frame_equal(loaded.predict(28, X_df=x, level=[90]), want)
    assert loaded.feature_names == fc.feature_names


def test_model_validation_is_eager() -> None:
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        GradientBoosting(learning_rate=0.0)
    with pytest.raises(InvalidParameterError, match="objective"):
        GradientBoosting(objective="huber")
    with pytest.raises(InvalidParameterError, match="alpha"):
        GradientBoosting(alpha=0.9)  # only for the quantile objective
    with pytest.raises(InvalidParameterError, match="max_features"):
        RandomForest(max_features=1.5)
    with pytest.raises(InvalidParameterError, match="alpha"):
        Ridge(-1.0)
    assert "num_leaves=63" in repr(GradientBoosting(num_leaves=63))
    assert pickle.loads(pickle.dumps(RandomForest(seed=2))) == RandomForest(seed=2)


def test_forest_tree_splits_exactly_like_sklearn(
    retail_split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """One unbootstrapped tree over every feature is scikit-learn's CART tree: exact
    thresholds halfway between a node's adjacent values (the rolling means have far more
    than 255 distinct values), min_samples_leaf counted in rows. Its one-step forecasts
    (features from actual history only) equal a DecisionTreeRegressor's on mlforecast's
    features."""
    mlforecast = pytest.importorskip("mlforecast")
    from mlforecast.lag_transforms import RollingMean
    from sklearn.tree import DecisionTreeRegressor

    train, _ = retail_split
    top = train.groupby("unique_id")["y"].sum().nlargest(150).index
    # end on a Monday-Thursday: the forecast day is a trading day (no sales on Saturdays)
    end = train["ds"][train["ds"].dt.dayofweek <= 3].max()
    train = train[train["unique_id"].isin(top) & (train["ds"] <= end)].reset_index(drop=True)
    assert RandomForest().max_bins == 65535
    tree = RandomForest(n_estimators=1, bootstrap=False, max_features=1.0, min_samples_leaf=5)
    fc = shelfcast.DemandForecaster([tree], freq="D", **KW)  # type: ignore[arg-type]
    ours = fc.fit(train).predict(1)
    mlf = mlforecast.MLForecast(
        models={"sk": DecisionTreeRegressor(min_samples_leaf=5, random_state=0)},
        freq="D",
        lags=KW["lags"],
        lag_transforms={1: [RollingMean(7)], 7: [RollingMean(28)]},
        date_features=KW["date_features"],
    )
    X = mlf.preprocess(train, static_features=[])
    assert X["rolling_mean_lag7_window_size28"].nunique() > 255
    peer = mlf.fit(train, static_features=[]).predict(1)
    m = ours.merge(peer, on=["unique_id", "ds"])
    assert len(m) == train["unique_id"].nunique()
    assert m["sk"].nunique() > 20
    # equal but for ties between features of equal gain (sklearn visits features in a
    # random order, shelfcast in column order)
    same = np.isclose(m["RandomForest"], m["sk"], rtol=1e-12, atol=1e-12).mean()
    assert same >= 0.95, same
    # coarse bins (the old 255) cannot reproduce it
    coarse = RandomForest(
        n_estimators=1, bootstrap=False, max_features=1.0, min_samples_leaf=5, max_bins=255
    )
    fc2 = shelfcast.DemandForecaster([coarse], freq="D", **KW)  # type: ignore[arg-type]
    other = fc2.fit(train).predict(1).merge(peer, on=["unique_id", "ds"])
    coarse_same = np.isclose(other["RandomForest"], other["sk"], rtol=1e-12, atol=1e-12).mean()
    assert coarse_same < same


_THREADS_SCRIPT = """
import sys
import numpy as np
import shelfcast
from shelfcast import features as F
from shelfcast.datasets import load_online_retail
from shelfcast.models import GradientBoosting, LinearRegression, RandomForest

df = load_online_retail()[["unique_id", "ds", "y"]]
ids = df.groupby("unique_id").size().sort_values(kind="stable").index[-300:]
df = df[df["unique_id"].isin(ids)]
fc = shelfcast.DemandForecaster(
    [
        GradientBoosting(objective="tweedie", n_estimators=30, seed=0),
        RandomForest(n_estimators=8, seed=0),
        LinearRegression(),
    ],
    freq="D",
    lags=[1, 7, 14],
    lag_transforms={1: [F.RollingMean(7)]},
    date_features=["dayofweek"],
)
out = fc.forecast(df, h=7)
np.save(sys.argv[1], out[["GradientBoosting", "RandomForest", "LinearRegression"]].to_numpy())
"""


def test_same_forecasts_for_any_number_of_threads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Work is split in parts sized by the data, never by the thread pool (histogram
    parts, QR chunks, trees): one and two native threads give bit-identical forecasts.
    Each run is its own process (the pool is sized once, from SHELFCAST_NUM_THREADS)."""
    import os
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(_THREADS_SCRIPT)
    results = []
    for threads in ("1", "2"):
        out = tmp_path / f"out{threads}.npy"
        env = {**os.environ, "SHELFCAST_NUM_THREADS": threads}
        subprocess.run([sys.executable, str(script), str(out)], env=env, check=True)
        results.append(np.load(out))
    assert results[0].shape == (300 * 7, 3)
    assert np.isfinite(results[0]).all()
    np.testing.assert_array_equal(results[0], results[1])
