"""AutoETS, Holt and HoltWinters against statsforecast 2.1 (the oracle), plus degenerate
series, validation and persistence.

statsforecast 2.1's damped-trend forecasts add φ twice (fixed upstream later); shelfcast
uses the textbook φ + … + φʰ, so forecasts are compared with statsforecast's fitted final
states projected with the textbook formula (``conftest.ets_textbook``). Selections and every
undamped forecast are compared as they are.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ets_textbook
from shelfcast import DemandForecaster, _core
from shelfcast.datasets import load_online_retail
from shelfcast.exceptions import InvalidParameterError
from shelfcast.models import AutoETS, Holt, HoltWinters, Naive, resolve_models

ets = pytest.importorskip("statsforecast.ets")

H = 28
M5_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "m5_excerpt"


def _sf_code(model: dict) -> str:
    """statsforecast's component string ("AAND") in shelfcast's form ("AAN", "AAdN")."""
    e, t, s, d = model["components"]
    return e + t + ("d" if d == "D" else "") + s


def _fit(models, df: pd.DataFrame, h: int = H) -> tuple[DemandForecaster, np.ndarray]:
    fc = DemandForecaster(models, freq="D")
    out = fc.forecast(df, h=h)
    values = out[fc.model_names].to_numpy().reshape(-1, h, len(fc.model_names))
    return fc, values


def _compare(df: pd.DataFrame, spec: AutoETS, **sf_kwargs) -> tuple[float, np.ndarray]:
    """Selection agreement share and per-series max |Δforecast| / mean |y|."""
    fc, values = _fit([spec], df)
    chosen = fc._core.ets_components(0)
    agree, diffs = [], []
    for i, (_, g) in enumerate(df.groupby("unique_id", sort=True)):
        y = g["y"].to_numpy(float)
        ref = ets.ets_f(y, spec.season_length or 7, **sf_kwargs)
        agree.append(_sf_code(ref) == chosen[i])
        scale = max(np.abs(y).mean(), 1e-12)
        diffs.append(np.abs(values[i, :, 0] - ets_textbook(ref, H)).max() / scale)
    return float(np.mean(agree)), np.array(diffs)


@pytest.fixture(scope="module")
def retail_train() -> pd.DataFrame:
    """A fixed sample of 150 bundled series, last 28 days held out."""
    df = load_online_retail(min_days=365)
    ids = np.random.default_rng(0).choice(np.sort(df["unique_id"].unique()), 150, replace=False)
    df = df[df["unique_id"].isin(ids)].sort_values(["unique_id", "ds"])
    cutoff = df.groupby("unique_id")["ds"].transform("max") - pd.Timedelta(days=H)
    return df.loc[df["ds"] <= cutoff, ["unique_id", "ds", "y"]]


@pytest.mark.parametrize("chunk", range(5))
def test_autoets_selects_and_forecasts_like_statsforecast(retail_train, chunk):
    ids = np.sort(retail_train["unique_id"].unique())[chunk::5]
    df = retail_train[retail_train["unique_id"].isin(ids)]
    share, diffs = _compare(df, AutoETS(7))
    # Bounds leave room for other platforms' rounding; bench_ets.py prints measured values.
    assert share >= 0.95
    assert np.median(diffs) < 1e-8
    assert np.quantile(diffs, 0.95) < 1e-4


def test_autoets_rmsse_matches_statsforecast_on_holdout():
    df = load_online_retail(min_days=365)
    ids = np.sort(df["unique_id"].unique())[::200]
    df = df[df["unique_id"].isin(ids)].sort_values(["unique_id", "ds"])
    cutoff = df.groupby("unique_id")["ds"].transform("max") - pd.Timedelta(days=H)
    train, test = df[df["ds"] <= cutoff], df[df["ds"] > cutoff]
    _, values = _fit([AutoETS(7)], train[["unique_id", "ds", "y"]])
    ours, theirs = [], []
    for i, (uid, g) in enumerate(train.groupby("unique_id", sort=True)):
        y = g["y"].to_numpy(float)
        actual = test.loc[test["unique_id"] == uid, "y"].to_numpy(float)
        raw = ets.forecast_ets(ets.ets_f(y, 7), H)["mean"]  # statsforecast as shipped
        scale = np.mean(np.diff(y) ** 2)
        ours.append(np.sqrt(np.mean((actual - values[i, :, 0]) ** 2) / scale))
        theirs.append(np.sqrt(np.mean((actual - raw) ** 2) / scale))
    assert abs(np.mean(ours) / np.mean(theirs) - 1) < 0.01


def _m5_long() -> pd.DataFrame:
    wide = pd.read_csv(M5_DIR / "sales_train_validation_10series.csv")
    cal = pd.read_csv(M5_DIR / "calendar.csv", usecols=["d", "date"])
    days = [c for c in wide.columns if c.startswith("d_")]
    long = wide.melt(id_vars=["id"], value_vars=days, var_name="d", value_name="y")
    long = long.merge(cal, on="d")
    long["ds"] = pd.to_datetime(long["date"])
    long = long.rename(columns={"id": "unique_id"})[["unique_id", "ds", "y"]]
    return long.sort_values(["unique_id", "ds"]).reset_index(drop=True)


@pytest.mark.skipif(not M5_DIR.is_dir(), reason="M5 excerpt not available")
@pytest.mark.parametrize(
    ("model", "sf_kwargs"),
    [(AutoETS(7), {}), (Holt(7), {"model": "AAN"})],
)
def test_m5_excerpt_like_statsforecast(model, sf_kwargs):
    share, diffs = _compare(_m5_long(), model, **sf_kwargs)
    assert share == 1.0
    assert diffs.max() < 1e-5


def _positive_panel(n_series: int = 8, n: int = 150) -> pd.DataFrame:
    """Seasonal, trending, strictly positive series (multiplicative models apply)."""
    rng = np.random.default_rng(42)
    t = np.arange(n)
    frames = []
    for i in range(n_series):
        y = 40 * (1 + 0.003 * i * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 7 + i))
        y *= np.exp(rng.normal(0, 0.08, n))
        frames.append(
            pd.DataFrame(
                {"unique_id": f"s{i}", "ds": pd.date_range("2024-01-01", periods=n), "y": y}
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(
    ("model", "damped"),
    [
        ("ZZZ", None),
        ("AAA", None),
        ("MAM", None),
        ("MAM", True),
        ("MNM", False),
        ("MAN", False),
        ("MMN", None),
        ("MMM", False),
        ("ANA", False),
        ("AAN", True),
    ],
)
def test_fixed_specs_like_statsforecast(model, damped):
    share, diffs = _compare(
        _positive_panel(), AutoETS(7, model=model, damped=damped), model=model, damped=damped
    )
    assert share == 1.0
    assert diffs.max() < 1e-6


def test_holt_and_holtwinters_are_fixed_model_strings():
    assert Holt()._native(7) == ("AutoETS", {"season_length": 7.0}, {"model": "AAN"})
    assert HoltWinters(12, "M")._native(7) == (
        "AutoETS",
        {"season_length": 12.0},
        {"model": "MAM"},
    )
    assert AutoETS(model="AAN", damped=True)._native(7)[1] == {"season_length": 7.0, "damped": 1.0}
    assert repr(Holt(error_type="M")) == "Holt(season_length=None, error_type='M')"
    assert [type(m) for m in resolve_models(["AutoETS", "Holt", "HoltWinters"])] == [
        AutoETS,
        Holt,
        HoltWinters,
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": "ZZ"},
        {"model": "NNN"},
        {"model": "azz"},
        {"model": 3},
        {"model": "AAM"},
        {"model": "AMN"},
        {"model": "ZMA"},
        {"model": "ANN", "damped": True},
        {"damped": "yes"},
        {"damped": 1},
        {"season_length": 0},
        {"season_length": 1, "model": "AAA"},
    ],
)
def test_autoets_rejects_bad_arguments(kwargs):
    with pytest.raises(InvalidParameterError):
        AutoETS(**kwargs)


def test_holt_rejects_bad_error_type():
    with pytest.raises(InvalidParameterError):
        Holt(error_type="N")
    with pytest.raises(InvalidParameterError):
        HoltWinters(error_type="Z")
    with pytest.raises(InvalidParameterError, match="needs season_length"):
        DemandForecaster([HoltWinters()], season_length=1)


def _frame(series: dict[str, list[float]]) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": k, "ds": pd.date_range("2024-01-01", periods=len(v)), "y": v}
            )
            for k, v in series.items()
        ],
        ignore_index=True,
    )


def test_degenerate_series_fall_back_and_never_fail():
    wave = [float(3 + (t % 7) + (t % 3)) for t in range(40)]
    df = _frame(
        {
            "a_zeros": [0.0] * 30,
            "b_constant": [5.0] * 20,
            "c_single": [2.0],
            "d_tiny": [1.0, 0.0, 3.0, 2.0, 0.0],
            "e_short_season": wave[:10],
            "f_with_zeros": [0.0 if t % 5 == 0 else v for t, v in enumerate(wave)],
            "g_fine": wave,
        }
    )
    fc, values = _fit([AutoETS(7), HoltWinters(7, "M"), AutoETS(7, "MNM", alias="MNM")], df, h=7)
    assert np.isfinite(values).all()
    assert (values[0] == 0).all() and (values[1] == 5).all() and (values[2] == 2).all()
    assert (values[3, :, 0] == 0).all()  # Naive: the last value
    reasons = dict(_core.fallback_reasons())
    fb = fc.fallbacks_.set_index(["unique_id", "model"])["reason"]
    assert fb[("a_zeros", "AutoETS")] == reasons[10]
    assert fb[("d_tiny", "AutoETS")] == reasons[4]  # TooShort (shared with theta)
    assert fb[("e_short_season", "HoltWinters")] == reasons[11]
    assert fb[("f_with_zeros", "HoltWinters")] == reasons[12]
    assert ("g_fine", "AutoETS") not in fb.index
    assert ("g_fine", "HoltWinters") not in fb.index
    comps = [fc._core.ets_components(j) for j in range(3)]
    assert comps[0][3] == ""  # Naive fallback
    assert comps[1][5] in ("AAA", "AAdA")  # multiplicative became additive
    assert comps[2][6] == "MNM"
    params = fc._core.ets_params(2)
    assert params.shape == (7, 4)
    assert np.isnan(params[6, [1, 3]]).all() and (params[6, [0, 2]] > 0).all()


def test_ets_accessors_validate_model_index():
    df = _frame({"a": [float(t % 4) for t in range(30)]})
    fc, _ = _fit([Naive(), AutoETS(4)], df, h=3)
    assert fc._core.ets_components(1)[0] != ""
    with pytest.raises(InvalidParameterError, match="not an ETS model"):
        fc._core.ets_components(0)
    with pytest.raises(InvalidParameterError, match="must be <"):
        fc._core.ets_params(2)


def test_pickle_and_bytes_round_trip():
    df = _positive_panel(n_series=3, n=60)
    fc, _ = _fit([AutoETS(7), Holt(), HoltWinters(7, "M")], df, h=10)
    again = pickle.loads(pickle.dumps(fc))
    assert again.models == fc.models
    pd.testing.assert_frame_equal(again.predict(10), fc.predict(10))
    core = _core.DemandForecaster.from_bytes(fc._core.to_bytes())
    np.testing.assert_array_equal(core.predict(10), fc._core.predict(10))
    for j in range(3):
        assert core.ets_components(j) == fc._core.ets_components(j)
        np.testing.assert_array_equal(core.ets_params(j), fc._core.ets_params(j))
    unfitted = pickle.loads(pickle.dumps(_core.DemandForecaster([AutoETS(7)._native(7)])))
    assert unfitted.model_names == ["AutoETS"]
