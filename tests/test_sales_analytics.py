"""SalesMetrics sales analytics: summary (vs pandas / numpy / statsmodels), ABC-XYZ and
Syntetos–Boylan classes on hand-made examples at their thresholds (≤ vs <)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import shelfcast
from shelfcast.exceptions import InvalidParameterError, InvalidSeriesError

SM = shelfcast.SalesMetrics


def _frame(series: dict[str, list[float]], prices: dict[str, list[float]] | None = None):
    rows = []
    for uid, ys in series.items():
        ds = pd.date_range("2024-01-01", periods=len(ys), freq="D")
        part = pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(ys, float)})
        if prices is not None:
            part["price"] = np.asarray(prices[uid], float)
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def retail() -> pd.DataFrame:
    df = shelfcast.datasets.load_online_retail(min_days=700)
    keep = df.unique_id.drop_duplicates().iloc[:300]
    return df[df.unique_id.isin(keep)].reset_index(drop=True)


# ---------------------------------------------------------------- summary


def test_summary_matches_pandas_numpy_and_statsmodels(retail):
    seasonal_decompose = pytest.importorskip("statsmodels.tsa.seasonal").seasonal_decompose
    s = SM(retail, price_col="price").summary().set_index("unique_id")
    g = retail.groupby("unique_id")
    np.testing.assert_allclose(s.total, g.y.sum(), rtol=1e-12)
    np.testing.assert_allclose(s["mean"], g.y.mean(), rtol=1e-12)
    np.testing.assert_allclose(s["std"], g.y.std(), rtol=1e-10)
    np.testing.assert_allclose(s.zero_share, g.y.apply(lambda v: (v == 0).mean()), rtol=1e-12)
    assert (s.selling_periods == g.y.apply(lambda v: int((v > 0).sum()))).all()
    np.testing.assert_allclose(
        s.revenue, (retail.y * retail.price).groupby(retail.unique_id).sum(), rtol=1e-12
    )
    np.testing.assert_allclose(s.avg_price, s.revenue / s.total, rtol=1e-12)
    for uid in s.index[:25]:
        y = retail.loc[retail.unique_id == uid, "y"].to_numpy()
        slope = np.polyfit(np.arange(len(y)), y, 1)[0]
        assert s.trend_slope[uid] == pytest.approx(slope, rel=1e-8, abs=1e-12)
        assert s.trend_growth[uid] == pytest.approx(slope * (len(y) - 1) / y.mean(), rel=1e-8)
        dec = seasonal_decompose(y, model="additive", period=7)
        ok = ~np.isnan(dec.resid)
        r, sr = dec.resid[ok], dec.resid[ok] + dec.seasonal[ok]
        want = max(0.0, 1 - r.var() / sr.var())
        assert s.seasonal_strength[uid] == pytest.approx(want, rel=1e-9, abs=1e-12)
        sales = retail.loc[(retail.unique_id == uid) & (retail.y > 0), "ds"]
        assert s.first_sale[uid] == sales.min() and s.last_sale[uid] == sales.max()


def test_summary_trend_and_season_by_hand():
    season = [5.0, 1.0, 1.0, 1.0, 2.0, 9.0, 0.0]
    df = _frame({"flat": [2.0] * 21, "season": season * 3, "ramp": list(range(1, 15))})
    s = SM(df).summary().set_index("unique_id")
    assert s.seasonal_strength["season"] == pytest.approx(1.0)
    assert s.seasonal_strength["flat"] == 0.0
    assert s.trend_slope["flat"] == 0.0 and s.trend_growth["flat"] == 0.0
    assert s.trend_slope["ramp"] == pytest.approx(1.0)
    assert s.trend_growth["ramp"] == pytest.approx(13 / 7.5)  # slope·(n−1)/mean
    assert np.isnan(SM(df).summary(season_length=1).seasonal_strength).all()
    assert not np.isnan(s.seasonal_strength["ramp"])  # 14 = 2·7 periods: defined
    weekly = SM(df).summary(season_length=10).set_index("unique_id")
    assert np.isnan(weekly.seasonal_strength["ramp"])  # shorter than two seasons
    assert "revenue" not in s.columns


def test_price_column_rules():
    df = _frame({"a": [0.0, 2.0, 3.0]}, {"a": [np.nan, 1.5, 2.0]})
    s = SM(df, price_col="price").summary()
    assert s.revenue.iloc[0] == 9.0
    bad = _frame({"a": [1.0, 2.0]}, {"a": [np.nan, 1.0]})
    with pytest.raises(InvalidSeriesError, match=r"'price' is nan for series 'a' at 2024-01-01"):
        SM(bad, price_col="price")
    with pytest.raises(shelfcast.exceptions.MissingColumnError, match="cost"):
        SM(df, price_col="cost")
    with pytest.raises(InvalidParameterError, match="season_length"):
        SM(df).summary(season_length=0)
    sm = SM(df, price_col="price")
    again = pickle.loads(pickle.dumps(sm))
    pd.testing.assert_frame_equal(again.summary(), sm.summary())
    assert "SalesMetrics(" in repr(sm)


# ---------------------------------------------------------------- ABC / XYZ


def test_abc_at_the_thresholds():
    # unit totals 50, 30, 15, 5 (shares .5, .3, .15, .05; items above hold 0, .5, .8, .95)
    df = _frame({"w": [15.0], "x": [50.0], "y": [5.0], "z": [30.0]})
    out = SM(df).abc_xyz(value="units").set_index("unique_id")
    # x: 0 above -> A; z: 0.5 < 0.8 -> A; w: 0.8 is not < 0.8 -> B; y: 0.95 not < 0.95 -> C
    assert out.abc.to_dict() == {"w": "B", "x": "A", "y": "C", "z": "A"}
    assert out["rank"].to_dict() == {"x": 1, "z": 2, "w": 3, "y": 4}
    np.testing.assert_allclose(out.cum_share[["x", "z", "w", "y"]], [0.5, 0.8, 0.95, 1.0])
    # with a = 0.5 the second item (0.5 above) drops to B; with b = 0.951 the last is B
    out = SM(df).abc_xyz(value="units", a=0.5, b=0.951).set_index("unique_id")
    assert out.abc.to_dict() == {"w": "B", "x": "A", "y": "B", "z": "B"}
    # one dominant item is A even though its own share exceeds a
    one = SM(_frame({"big": [99.0], "small": [1.0]})).abc_xyz(value="units")
    assert one.abc.tolist() == ["A", "C"]
    assert SM(_frame({"a": [0.0], "b": [0.0]})).abc_xyz(value="units").abc.tolist() == [
        "C",
        "C",
    ]


def test_abc_on_revenue_and_ties():
    df = _frame(
        {"a": [1.0, 1.0], "b": [4.0, 0.0], "c": [1.0, 1.0]},
        {"a": [10.0, 10.0], "b": [1.0, 1.0], "c": [10.0, 10.0]},
    )
    rev = SM(df, price_col="price").abc_xyz(a=0.5, b=0.9).set_index("unique_id")
    assert rev.value.to_dict() == {"a": 20.0, "b": 4.0, "c": 20.0}
    # a and c tie at 20: unique_id order breaks the tie (a first, above = 0 -> A; c: 20/44)
    assert rev.abc.to_dict() == {"a": "A", "c": "A", "b": "C"}
    units = SM(df, price_col="price").abc_xyz(value="units", a=0.5, b=0.9)
    assert units.set_index("unique_id").abc["b"] == "A"
    with pytest.raises(InvalidParameterError, match="price_col"):
        SM(df).abc_xyz()
    with pytest.raises(InvalidParameterError, match="value"):
        SM(df).abc_xyz(value="profit")
    with pytest.raises(InvalidParameterError):
        SM(df).abc_xyz(value="units", a=0.9, b=0.8)


def test_xyz_at_the_thresholds():
    # population CV: [1, 3] -> 1/2 = 0.5 exactly; [0, 2] -> 1/1 = 1.0; [0, 0, 3] -> √2
    df = _frame({"p": [1.0, 3.0], "q": [0.0, 2.0], "r": [0.0, 0.0, 3.0], "s": [0.0, 0.0]})
    out = SM(df).abc_xyz(value="units").set_index("unique_id")
    assert out.cv["p"] == 0.5 and out.cv["q"] == 1.0
    assert out.xyz.to_dict() == {"p": "X", "q": "Y", "r": "Z", "s": "Z"}  # CV ≤ x, ≤ z
    assert np.isnan(out.cv["s"])  # zero mean: CV undefined, class Z
    tight = SM(df).abc_xyz(value="units", x=0.49, z=0.99).set_index("unique_id")
    assert tight.xyz.to_dict() == {"p": "Y", "q": "Z", "r": "Z", "s": "Z"}
    assert out["class"]["p"] == out.abc["p"] + "X"


# ---------------------------------------------------------------- Syntetos–Boylan


def test_demand_classes_at_the_thresholds():
    at_adi = [4.0] * 25 + [0.0] * 8  # ADI = 33/25 = 1.32 exactly, CV² = 0 -> smooth
    above_adi = [4.0] * 25 + [0.0] * 9  # ADI = 34/25 > 1.32 -> intermittent
    at_cv2 = [17.0, 3.0] * 5  # sizes 17, 3: Var/mean² = 49/100 = 0.49 exactly -> smooth
    above_cv2 = [18.0, 3.0] * 5  # (7.5/10.5)² > 0.49 -> erratic
    lumpy = [18.0, 0.0, 3.0, 0.0] * 3
    df = _frame(
        {
            "at_adi": at_adi,
            "above_adi": above_adi,
            "at_cv2": at_cv2,
            "above_cv2": above_cv2,
            "lumpy": lumpy,
            "none": [0.0] * 5,
        }
    )
    out = SM(df).demand_classes().set_index("unique_id")
    assert out.adi["at_adi"] == 1.32 and out.cv2["at_cv2"] == 0.49
    assert out.demand_class.to_dict() == {
        "above_adi": "intermittent",
        "above_cv2": "erratic",
        "at_adi": "smooth",
        "at_cv2": "smooth",
        "lumpy": "lumpy",
        "none": "no_demand",
    }
    assert out.suggested_model["at_adi"] == "CrostonClassic"
    assert out.suggested_model["lumpy"] == "CrostonSBA"
    assert np.isnan(out.adi["none"])
    # slightly lower cut-offs move the boundary cases to the other side
    low = SM(df).demand_classes(adi_cut=1.3199, cv2_cut=0.4899).set_index("unique_id")
    assert low.demand_class["at_adi"] == "intermittent"
    assert low.demand_class["at_cv2"] == "erratic"


def test_demand_classes_count_from_the_first_sale():
    df = _frame({"late": [0.0] * 10 + [2.0] * 10})
    first = SM(df).demand_classes().set_index("unique_id")
    assert first.adi["late"] == 1.0 and first.demand_class["late"] == "smooth"
    full = SM(df).demand_classes(from_first_sale=False).set_index("unique_id")
    assert full.adi["late"] == 2.0 and full.demand_class["late"] == "intermittent"
    with pytest.raises(InvalidParameterError):
        SM(df).demand_classes(adi_cut=-1)


def test_demand_classes_match_a_pandas_reference(retail):
    out = SM(retail).demand_classes().set_index("unique_id")

    def ref(y: pd.Series) -> pd.Series:
        y = y.to_numpy()
        y = y[np.argmax(y != 0) :]
        nz = y[y != 0]
        return pd.Series({"adi": len(y) / len(nz), "cv2": nz.var() / nz.mean() ** 2})

    want = retail.groupby("unique_id").y.apply(ref).unstack()
    np.testing.assert_allclose(out.adi, want.adi, rtol=1e-12)
    np.testing.assert_allclose(out.cv2, want.cv2, rtol=1e-10)
    assert set(out.demand_class) <= {"smooth", "erratic", "intermittent", "lumpy"}
