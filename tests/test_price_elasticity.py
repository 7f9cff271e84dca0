"""Price elasticity (linfa-linear OLS) against statsmodels OLS on the same rows, recovery
of a known elasticity, pooled fixed-effects fits, and constant-elasticity optimal prices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shelfcast
from shelfcast.exceptions import InvalidInputError, InvalidParameterError, InvalidSeriesError

sm_api = pytest.importorskip("statsmodels.api")

SM = shelfcast.SalesMetrics
TRUE_EPS = {"a": -2.5, "b": -1.2, "c": -0.6}


def _panel(seed: int = 0, n: int = 400, noise: float = 0.15) -> pd.DataFrame:
    """Daily sales generated from ln q = α + ε ln p + 0.3·promo + weekday effect + noise."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, (uid, eps) in enumerate(TRUE_EPS.items()):
        ds = pd.date_range("2023-01-02", periods=n, freq="D")
        price = np.round(np.exp(rng.normal(np.log(3.0 + k), 0.2, n)), 2)
        promo = (rng.random(n) < 0.2).astype(float)
        weekday = np.array([0.0, 0.1, 0.1, 0.2, 0.4, 0.6, -0.3])[ds.dayofweek]
        log_q = 3.0 + k + eps * np.log(price) + 0.3 * promo + weekday
        y = np.exp(log_q + rng.normal(0, noise, n))
        y[rng.random(n) < 0.1] = 0.0  # zero-sale days are left out of the fit
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": ds,
                    "y": y,
                    "price": price,
                    "promo": promo,
                    "category": "x" if k < 2 else "z",
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    return _panel()


def _statsmodels(df: pd.DataFrame, dow: bool, promo: bool):
    d = df[(df.y > 0) & (df.price > 0)]
    cols = [np.log(d.price.to_numpy())]
    if promo:
        cols.append(d.promo.to_numpy())
    if dow:
        wd = d.ds.dt.dayofweek.to_numpy()
        cols += [(wd == j).astype(float) for j in range(1, 7)]
    x = sm_api.add_constant(np.column_stack(cols))
    return sm_api.OLS(np.log(d.y.to_numpy()), x).fit(), len(d)


@pytest.mark.parametrize(("dow", "promo"), [(False, False), (True, True), (False, True)])
def test_per_item_fit_matches_statsmodels_ols(sales, dow, promo):
    out = (
        SM(sales, price_col="price")
        .price_elasticity(["promo"] if promo else [], calendar=["dow"] if dow else [])
        .set_index("unique_id")
    )
    for uid in TRUE_EPS:
        res, n = _statsmodels(sales[sales.unique_id == uid], dow, promo)
        row = out.loc[uid]
        assert row.status == "ok" and row.n_obs == n
        assert row.elasticity == pytest.approx(res.params[1], rel=1e-6, abs=1e-9)
        assert row.se == pytest.approx(res.bse[1], rel=1e-6)
        assert row.intercept == pytest.approx(res.params[0], rel=1e-6, abs=1e-9)
        assert row.r2 == pytest.approx(res.rsquared, rel=1e-6)
        assert row.n_params == len(res.params)


def test_recovers_the_elasticity_the_data_were_made_with():
    df = _panel(seed=7, n=2000, noise=0.1)
    out = SM(df, price_col="price").price_elasticity(["promo"], calendar=["dow"])
    for uid, eps in TRUE_EPS.items():
        row = out.set_index("unique_id").loc[uid]
        assert abs(row.elasticity - eps) < 4 * row.se and row.se < 0.05, (uid, row)
        assert row.ci_low < eps < row.ci_high


def test_pooled_fit_matches_statsmodels_with_item_dummies(sales):
    out = (
        SM(sales, price_col="price")
        .price_elasticity(["promo"], calendar=["dow"], groups="category")
        .set_index("group")
    )
    assert list(out.index) == ["x", "z"]
    assert out.n_items.to_dict() == {"x": 2, "z": 1}
    d = sales[(sales.category == "x") & (sales.y > 0)]
    wd = d.ds.dt.dayofweek.to_numpy()
    item = (d.unique_id == "b").to_numpy(dtype=float)
    x = np.column_stack(
        [np.log(d.price), d.promo, *[(wd == j).astype(float) for j in range(1, 7)], item]
    )
    res = sm_api.OLS(np.log(d.y.to_numpy()), sm_api.add_constant(x)).fit()
    row = out.loc["x"]
    assert row.elasticity == pytest.approx(res.params[1], rel=1e-6)
    assert row.se == pytest.approx(res.bse[1], rel=1e-6)
    assert row.n_obs == len(d) and row.n_params == len(res.params)
    # a single-item group equals that item's own fit
    own = SM(sales, price_col="price").price_elasticity(["promo"], calendar=["dow"])
    c = own.set_index("unique_id").loc["c"]
    assert out.loc["z"].elasticity == pytest.approx(c.elasticity, rel=1e-9)
    assert out.loc["z"].se == pytest.approx(c.se, rel=1e-9)
    mapping = SM(sales, price_col="price").price_elasticity(groups={"a": 1, "b": 1})
    assert mapping.group.tolist() == [1] and mapping.n_items.tolist() == [2]


def test_unusable_items_are_flagged(sales):
    flat = sales[sales.unique_id == "a"].assign(unique_id="flat", price=2.0)
    few = sales[sales.unique_id == "b"].iloc[:12].assign(unique_id="few")
    df = pd.concat([sales, flat, few], ignore_index=True)
    out = SM(df, price_col="price").price_elasticity(min_obs=20).set_index("unique_id")
    assert out.status["flat"] == "no_price_variation"
    assert out.status["few"] == "too_few_observations"
    assert np.isnan(out.elasticity["flat"]) and out.status["a"] == "ok"


def test_month_and_trend_controls_and_aliased_weekdays():
    df = _panel(seed=3, n=500)
    # item a never sells on Sundays: its Sunday dummy is aliased and dropped
    df.loc[(df.unique_id == "a") & (df.ds.dt.dayofweek == 6), "y"] = 0.0
    out = SM(df, price_col="price").price_elasticity(calendar=["dow", "month", "trend"])
    a = out.set_index("unique_id").loc["a"]
    assert a.status == "ok" and a.n_params == 1 + 1 + 5 + 11 + 1
    d = df[(df.unique_id == "a") & (df.y > 0)]
    wd, mth = d.ds.dt.dayofweek.to_numpy(), d.ds.dt.month.to_numpy()
    t = (d.ds - df.ds.min()).dt.days.to_numpy() / 365.25
    x = np.column_stack(
        [
            np.log(d.price),
            *[(wd == j).astype(float) for j in range(1, 6)],
            *[(mth == m).astype(float) for m in range(2, 13)],
            t,
        ]
    )
    res = sm_api.OLS(np.log(d.y.to_numpy()), sm_api.add_constant(x)).fit()
    assert a.elasticity == pytest.approx(res.params[1], rel=1e-6)
    assert a.se == pytest.approx(res.bse[1], rel=1e-6)


def test_elasticity_errors(sales):
    with pytest.raises(InvalidParameterError, match="price_col"):
        SM(sales).price_elasticity()
    s = SM(sales, price_col="price")
    with pytest.raises(InvalidParameterError, match="holiday"):
        s.price_elasticity(calendar=["holiday"])
    with pytest.raises(shelfcast.exceptions.MissingColumnError, match="discount"):
        s.price_elasticity(["discount"])
    with pytest.raises(InvalidParameterError, match="min_obs"):
        s.price_elasticity(min_obs=1)
    bad = sales.copy()
    bad.loc[bad.index[bad.y > 0][0], "promo"] = np.nan
    with pytest.raises(InvalidSeriesError, match="control"):
        SM(bad, price_col="price").price_elasticity(["promo"])
    varying = sales.assign(category=np.where(sales.index % 2 == 0, "x", "y"))
    with pytest.raises(InvalidInputError, match="constant per item"):
        SM(varying, price_col="price").price_elasticity(groups="category")


def test_optimal_price_constant_elasticity(sales):
    s = SM(sales, price_col="price")
    est = s.price_elasticity(["promo"], calendar=["dow"])
    out = s.optimal_price({"a": 2.0, "b": 1.0, "c": 1.0}, elasticity=est).set_index("unique_id")
    eps_a = est.set_index("unique_id").elasticity["a"]
    assert out.optimal_price["a"] == pytest.approx(2.0 * eps_a / (1 + eps_a))
    assert out.markup["a"] == pytest.approx(eps_a / (1 + eps_a))
    assert out.flag.to_dict() == {"a": "ok", "b": "ok", "c": "inelastic"}  # ε_c ≈ −0.6
    assert np.isnan(out.optimal_price["c"])
    # the optimum really maximises (p − c)·p^ε
    p = np.linspace(2.5, 30, 2000)
    profit = (p - 2.0) * p**eps_a
    assert abs(p[np.argmax(profit)] - out.optimal_price["a"]) < 0.02
    flat = s.optimal_price(1.5).set_index("unique_id")
    assert (flat.unit_cost == 1.5).all()
    failed = est.assign(status="too_few_observations")
    assert (s.optimal_price(1.0, elasticity=failed).flag == "no_estimate").all()
    with pytest.raises(InvalidParameterError, match="'c'"):
        s.optimal_price({"a": 1.0, "b": 1.0}, elasticity=est)
    with pytest.raises(InvalidParameterError):
        s.optimal_price(-1.0, elasticity=est)


def test_online_retail_smoke():
    df = shelfcast.datasets.load_online_retail(min_days=700)
    keep = df.unique_id.drop_duplicates().iloc[:200]
    out = SM(df[df.unique_id.isin(keep)], price_col="price").price_elasticity(calendar=["dow"])
    ok = out[out.status == "ok"]
    assert len(ok) > 100 and ok.elasticity.median() < 0  # demand falls with price
