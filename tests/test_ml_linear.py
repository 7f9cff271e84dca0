"""Linear global models on a design of many row chunks (the parallel QR reduction):
coefficients equal scikit-learn's on the same design matrix, for LinearRegression and
Ridge, and a constant feature (collinear with the intercept) gets scikit-learn's zero
weight instead of a rounding-noise solve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shelfcast
from shelfcast import features as F
from shelfcast.models import LinearRegression, Ridge

sklearn = pytest.importorskip("sklearn")
from sklearn.linear_model import LinearRegression as SkLinear  # noqa: E402
from sklearn.linear_model import Ridge as SkRidge  # noqa: E402

KW = {
    "lags": [1, 7, 14, 28],
    "lag_transforms": {1: [F.RollingMean(7), F.RollingMean(28)]},
    "date_features": ["dayofweek", "month", "day"],
}
CHUNK_ROWS = 2048  # src/ml/tsqr.rs


def _design(fc: shelfcast.DemandForecaster, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    X = fc.feature_matrix(df).dropna()
    return X[fc.feature_names].to_numpy(float), X["y"].to_numpy(float)


def test_many_chunks_match_sklearn(retail_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = retail_split
    fc = shelfcast.DemandForecaster(
        [
            LinearRegression(),
            Ridge(25.0),
            LinearRegression(fit_intercept=False, alias="ols0"),
        ],
        freq="D",
        **KW,
    ).fit(train)
    x, y = _design(fc, train)
    assert len(y) > 20 * CHUNK_ROWS
    for i, sk in enumerate([SkLinear(), SkRidge(alpha=25.0), SkLinear(fit_intercept=False)]):
        sk.fit(x, y)
        coef, b = fc._ml.linear_coefficients(i)
        np.testing.assert_allclose(coef, sk.coef_, rtol=1e-6, atol=1e-9, err_msg=str(sk))
        assert b == pytest.approx(sk.intercept_, rel=1e-6, abs=1e-9)


def test_constant_feature_gets_zero_weight(
    retail_split: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    train, _ = retail_split
    df = train.assign(price=2.5)  # a dynamic feature equal to 2.5 on every row
    fc = shelfcast.DemandForecaster([LinearRegression()], freq="D", lags=[1, 7]).fit(df)
    assert fc.feature_names == ["lag1", "lag7", "price"]
    x, y = _design(fc, df)
    sk = SkLinear().fit(x, y)  # min-norm: the constant column's weight is 0
    coef, b = fc._ml.linear_coefficients(0)
    assert coef[2] == 0.0
    np.testing.assert_allclose(coef, sk.coef_, rtol=1e-6, atol=1e-9)
    assert b == pytest.approx(sk.intercept_, rel=1e-6)
    last = df.groupby("unique_id")["ds"].max()
    future = pd.DataFrame(
        {
            "unique_id": np.repeat(last.index.to_numpy(), 7),
            "ds": (
                last.to_numpy()[:, None] + np.arange(1, 8)[None, :] * np.timedelta64(1, "D")
            ).ravel(),
            "price": 2.5,
        }
    )
    out = fc.predict(7, X_df=future)
    assert len(out) == 7 * len(last) and np.isfinite(out["LinearRegression"]).all()


def test_runaway_recursive_forecast_names_the_series() -> None:
    """A log-link model on the raw lags of a large, growing series feeds its own growth
    back until the forecast overflows: an error naming the series, not inf in the frame."""
    from shelfcast.exceptions import InvalidSeriesError
    from shelfcast.models import PoissonRegressor

    rng = np.random.default_rng(0)
    ds = pd.date_range("2024-01-01", periods=120, freq="D")
    growth = 3000.0 * np.exp(np.linspace(0.0, 1.5, len(ds)))
    df = pd.concat(
        [
            pd.DataFrame({"unique_id": "small", "ds": ds, "y": rng.poisson(3.0, len(ds))}),
            pd.DataFrame({"unique_id": "big", "ds": ds, "y": rng.poisson(growth)}),
        ],
        ignore_index=True,
    ).astype({"y": float})
    fc = shelfcast.DemandForecaster([PoissonRegressor(0.0)], freq="D", lags=[1])
    with pytest.raises(InvalidSeriesError, match=r"series 'big'.*ran away"):
        fc.forecast(df, h=60)
    # the same model on the well-behaved series alone forecasts finite values
    out = fc.forecast(df[df.unique_id == "small"], h=60)
    assert np.isfinite(out["PoissonRegressor"]).all()
