"""Exogenous regressors for the statistical models: the WithRegressors wrapper (regress, then
model the residuals), future regressors per step, errors naming series and dates, and the
warning about models that ignore the regressors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster
from shelfcast.exceptions import (
    ExogenousWarning,
    InvalidInputError,
    InvalidParameterError,
)
from shelfcast.models import (
    AutoETS,
    CrostonSBA,
    GradientBoosting,
    Naive,
    SeasonalNaive,
    WithRegressors,
)


def planted(n: int = 200, beta: float = -4.0, seed: int = 0) -> pd.DataFrame:
    """Two daily series: y = 30 + beta·(price − mean) + promo·6 + weekly pattern + noise."""
    rng = np.random.default_rng(seed)
    frames = []
    for uid in ("a", "b"):
        ds = pd.date_range("2023-01-01", periods=n, freq="D")
        price = np.round(2.0 + rng.integers(0, 3, n) * 0.5, 2)
        promo = (rng.random(n) < 0.2).astype(float)
        week = np.array([0.0, 1.0, 2.0, 3.0, 2.0, 1.0, -2.0])[np.arange(n) % 7]
        y = 30 + beta * (price - 2.5) + 6 * promo + week + rng.normal(0, 0.5, n)
        frames.append(
            pd.DataFrame({"unique_id": uid, "ds": ds, "y": y, "price": price, "promo": promo})
        )
    return pd.concat(frames, ignore_index=True)


def future_of(df: pd.DataFrame, h: int, price: list[float]) -> pd.DataFrame:
    last = df.groupby("unique_id")["ds"].max()
    rows = []
    for uid, d in last.items():
        for k in range(h):
            rows.append((uid, d + pd.Timedelta(days=k + 1), price[k % len(price)], 0.0))
    return pd.DataFrame(rows, columns=["unique_id", "ds", "price", "promo"])


def test_recovers_a_planted_price_effect_and_responds_per_step():
    df = planted(n=700)
    fc = DemandForecaster([WithRegressors(SeasonalNaive(7)), SeasonalNaive(7)], freq="D")
    with pytest.warns(ExogenousWarning, match=r"ignored by \['SeasonalNaive'\]"):
        fc.fit(df)
    # a price that steps up by 0.5 every day: the forecast drops by |beta|·0.5 per step
    # more than the model of the adjusted series alone
    prices = [2.0, 2.5, 3.0, 3.5]
    X = future_of(df, 4, prices)
    out = fc.predict(4, X_df=X)
    flat = fc.predict(4, X_df=future_of(df, 4, [2.5]))
    for uid in ("a", "b"):
        got = out[out.unique_id == uid]["SeasonalNaive_X"].to_numpy()
        base = flat[flat.unique_id == uid]["SeasonalNaive_X"].to_numpy()
        slope = np.diff(got - base) / 0.5
        np.testing.assert_allclose(slope, -4.0, atol=0.3)


def test_regression_matches_least_squares_on_each_series():
    df = planted(beta=-3.0, seed=3)
    fc = DemandForecaster([WithRegressors(Naive())], freq="D")
    fc.fit(df)
    for uid, g in df.groupby("unique_id"):
        x = g[["price", "promo"]].to_numpy()
        design = np.column_stack([np.ones(len(g)), x])
        coef = np.linalg.lstsq(design, g["y"].to_numpy(), rcond=None)[0]
        # Naive of the adjusted series: last y − (x_T − x̄)·β; forecast adds (x_f − x̄)·β
        xf = np.array([[3.0, 1.0]])
        adjusted_last = g["y"].iloc[-1] - (x[-1] - x.mean(axis=0)) @ coef[1:]
        want = adjusted_last + (xf[0] - x.mean(axis=0)) @ coef[1:]
        X = pd.DataFrame(
            {
                "unique_id": [uid],
                "ds": [g["ds"].max() + pd.Timedelta(days=1)],
                "price": [3.0],
                "promo": [1.0],
            }
        )
        other = "b" if uid == "a" else "a"
        X = pd.concat([X, future_of(df[df.unique_id == other], 1, [2.5])], ignore_index=True)
        got = fc.predict(1, X_df=X).set_index("unique_id").loc[uid, "Naive_X"]
        assert got == pytest.approx(want, rel=1e-9)


def test_constant_regressor_in_a_series_is_left_out():
    df = planted()
    df.loc[df.unique_id == "a", "price"] = 2.0  # never changes for "a"
    fc = DemandForecaster([WithRegressors(Naive()), Naive()], freq="D")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExogenousWarning)
        fc.fit(df)
    X = future_of(df, 3, [5.0])
    out = fc.predict(3, X_df=X)
    a = out[out.unique_id == "a"]
    plain = DemandForecaster([WithRegressors(Naive())], freq="D").fit(df.drop(columns="price"))
    Xa = X.drop(columns="price")
    np.testing.assert_allclose(
        a["Naive_X"].to_numpy(),
        plain.predict(3, X_df=Xa).query("unique_id == 'a'")["Naive_X"].to_numpy(),
    )


def test_intervals_paths_and_cross_validation_use_the_regressors():
    df = planted()
    fc = DemandForecaster([WithRegressors(AutoETS(7, model="AAA")), WithRegressors(CrostonSBA())])
    fc.fit(df)
    X = future_of(df, 7, [2.0, 3.0])
    out = fc.predict(7, level=[80], X_df=X)
    for name in ("AutoETS_X", "CrostonSBA_X"):
        assert (out[f"{name}-lo-80"] <= out[name] + 1e-9).all()
        assert (out[f"{name}-hi-80"] >= out[name] - 1e-9).all()
    # the ETS distribution is shifted by the regressors: a higher price lowers every quantile
    cheap = fc.predict(7, level=[80], X_df=future_of(df, 7, [2.0]))
    dear = fc.predict(7, level=[80], X_df=future_of(df, 7, [3.0]))
    assert (dear["AutoETS_X-hi-80"] < cheap["AutoETS_X-hi-80"]).all()
    paths = fc.sample_paths(7, 50, seed=1, X_df=X)
    assert paths.shape == (2, 50, 7)
    cv = fc.cross_validation(df, h=7, n_windows=2)
    assert len(cv) == 2 * 2 * 7 and cv["AutoETS_X"].notna().all()
    err = (cv["y"] - cv["AutoETS_X"]).abs().mean()
    plain = DemandForecaster([AutoETS(7, model="AAA")]).cross_validation(
        df[["unique_id", "ds", "y"]], h=7, n_windows=2
    )
    assert err < (plain["y"] - plain["AutoETS"]).abs().mean()


def test_save_load_and_pickle_keep_the_regressions(tmp_path):
    df = planted()
    fc = DemandForecaster([WithRegressors(AutoETS(7, model="ANA"))]).fit(df)
    X = future_of(df, 5, [2.0, 3.0])
    want = fc.predict(5, level=[90], X_df=X)
    path = tmp_path / "m.npz"
    fc.save(path)
    for other in (DemandForecaster.load(path), pickle.loads(pickle.dumps(fc))):
        pd.testing.assert_frame_equal(other.predict(5, level=[90], X_df=X), want)
        assert other.models == fc.models


def test_errors_name_series_dates_and_columns():
    df = planted()
    fc = DemandForecaster([WithRegressors(Naive())])
    bad = df.copy()
    bad.loc[5, "price"] = np.nan
    with pytest.raises(InvalidInputError, match=r"'price'.*'a' at 2023-01-06"):
        fc.fit(bad)
    fc.fit(df)
    with pytest.raises(InvalidParameterError, match="X_df"):
        fc.predict(3)
    X = future_of(df, 3, [2.0])
    with pytest.raises(InvalidInputError, match=r"'b' at 2023-07-22"):
        fc.predict(3, X_df=X.drop(index=5))
    X.loc[1, "promo"] = np.inf
    with pytest.raises(InvalidInputError, match=r"'promo'.*'a' at 2023-07-21"):
        fc.predict(3, X_df=X)


def test_wrapper_validation_and_repr():
    with pytest.raises(InvalidParameterError, match="per-series"):
        WithRegressors(GradientBoosting())  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="cannot be wrapped"):
        WithRegressors(WithRegressors(Naive()))
    m = WithRegressors(CrostonSBA())
    assert m.alias == "CrostonSBA_X" and repr(m) == "WithRegressors(CrostonSBA())"
    assert repr(WithRegressors(Naive(), alias="n")) == "WithRegressors(Naive(), alias='n')"
    assert WithRegressors(Naive()) == WithRegressors(Naive())


def test_no_warning_without_regressors_or_when_every_model_uses_them():
    df = planted()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExogenousWarning)
        DemandForecaster([Naive()]).fit(df[["unique_id", "ds", "y"]])
        DemandForecaster([WithRegressors(Naive())]).fit(df)
    with pytest.warns(ExogenousWarning, match=r"\['price', 'promo'\].*ignored by \['Naive'\]"):
        DemandForecaster([Naive()]).fit(df)


def test_input_frames_are_not_modified():
    df = planted()
    before = df.copy()
    X = future_of(df, 3, [2.0])
    X_before = X.copy()
    fc = DemandForecaster([WithRegressors(Naive())]).fit(df)
    fc.predict(3, level=[80], X_df=X)
    pd.testing.assert_frame_equal(df, before)
    pd.testing.assert_frame_equal(X, X_before)


def test_planner_passes_the_future_regressors():
    from shelfcast import ReorderPlanner

    df = planted()
    fc = DemandForecaster([WithRegressors(AutoETS(7, model="ANA"))]).fit(df)
    inventory = pd.DataFrame(
        {
            "unique_id": ["a", "b"],
            "on_hand": [10.0, 200.0],
            "lead_time": [3, 3],
            "order_cost": [20.0, 20.0],
            "holding_cost": [0.1, 0.1],
        }
    )
    planner = ReorderPlanner(service_level=0.95, horizon=7, distribution="auto")
    with pytest.raises(InvalidParameterError, match="X_df"):
        planner.plan(fc, inventory)
    cheap = planner.plan(fc, inventory, X_df=future_of(df, 7, [2.0]))
    dear = planner.plan(fc, inventory, X_df=future_of(df, 7, [3.0]))
    # a higher price lowers demand (beta = -4), so lead-time demand and the reorder point
    assert (dear["lead_time_demand"] < cheap["lead_time_demand"] - 5).all()
    assert (dear["reorder_point"] < cheap["reorder_point"]).all()
    orders = planner.schedule(fc, inventory, X_df=future_of(df, 7, [2.0]))
    assert set(orders.columns) >= {"unique_id", "order_date", "quantity"}
