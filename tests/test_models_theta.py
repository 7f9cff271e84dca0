"""The theta family vs statsforecast 2.1.1 (Theta, OptimizedTheta, DynamicTheta,
DynamicOptimizedTheta, AutoTheta), degenerate series, sigma and persistence.

shelfcast reproduces statsforecast's decomposition, recursion and Nelder–Mead step for step,
so forecasts agree to 1e-9 here (bit for bit on most series). statsforecast is slow on
these models (up to seconds per long series), so the comparison uses a small subset.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shelfcast import DemandForecaster, _core
from shelfcast.datasets import load_online_retail
from shelfcast.exceptions import InvalidParameterError
from shelfcast.models import (
    AutoTheta,
    DynamicOptimizedTheta,
    DynamicTheta,
    OptimizedTheta,
    Theta,
)

sf_models = pytest.importorskip("statsforecast.models")

H = 28
M = 7
TOL = 1e-9
M5_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "m5_excerpt"
OURS = {
    "Theta": Theta,
    "OptimizedTheta": OptimizedTheta,
    "DynamicTheta": DynamicTheta,
    "DynamicOptimizedTheta": DynamicOptimizedTheta,
    "AutoTheta": AutoTheta,
}
NAMES = list(OURS)


def _oracle(name: str, y: np.ndarray, m: int = M, decomposition: str = "multiplicative"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = getattr(sf_models, name)(season_length=m, decomposition_type=decomposition)
        return model.forecast(y=y.astype(np.float64), h=H)["mean"]


def _frame(series: dict[str, np.ndarray]) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"unique_id": k, "ds": pd.date_range("2020-01-01", periods=len(v)), "y": v})
        for k, v in series.items()
    ]
    return pd.concat(parts, ignore_index=True)


def _assert_close(ours: np.ndarray, oracle: np.ndarray, what: str) -> None:
    diff = np.abs(ours - oracle)
    assert np.all(diff <= TOL), f"{what}: max abs diff {diff.max():.3e}"
    rel = diff / np.where(oracle == 0, 1.0, np.abs(oracle))
    assert np.all(rel <= TOL), f"{what}: max rel diff {rel.max():.3e}"


def _check(df: pd.DataFrame, names: list[str], **kw) -> None:
    fc = DemandForecaster([OURS[n](**kw) for n in names], freq="D", season_length=M)
    out = fc.forecast(df, h=H)
    for uid, g in df.groupby("unique_id", sort=False):
        got = out[out["unique_id"] == uid]
        for name in names:
            want = _oracle(name, g["y"].to_numpy(), **_sf_kw(kw))
            _assert_close(got[name].to_numpy(), want, f"{name} {uid}")


def _sf_kw(kw: dict) -> dict:
    out = {}
    if "season_length" in kw:
        out["m"] = kw["season_length"]
    if "decomposition_type" in kw:
        out["decomposition"] = kw["decomposition_type"]
    return out


@pytest.fixture(scope="module")
def retail() -> pd.DataFrame:
    df = load_online_retail(min_days=100)
    return df[["unique_id", "ds", "y"]]


def test_online_retail_matches_statsforecast(retail):
    ids = retail["unique_id"].unique()[::600]  # 8 SKUs
    _check(retail[retail["unique_id"].isin(ids)], NAMES)


def test_m5_excerpt_matches_statsforecast():
    path = M5_DIR / "sales_train_validation_10series.csv"
    if not path.exists():
        pytest.skip("M5 excerpt not available")
    wide = pd.read_csv(path).iloc[[0]]  # one full-length series: statsforecast takes seconds
    days = [c for c in wide.columns if c.startswith("d_")]
    cal = pd.read_csv(M5_DIR / "calendar.csv", usecols=["d", "date"]).set_index("d")
    df = pd.DataFrame(
        {
            "unique_id": wide["id"].iloc[0],
            "ds": pd.to_datetime(cal.loc[days, "date"].to_numpy()),
            "y": wide[days].to_numpy(np.float64)[0],
        }
    )
    _check(df, ["Theta", "AutoTheta"])


def _weekly(n: int, seed: int, zeros: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    week = np.array([1.0, 1.2, 1.1, 0.9, 1.6, 2.4, 0.5])
    y = 20 * np.resize(week, n) * rng.gamma(20, 1 / 20, n) + np.linspace(0, 5, n)
    if zeros:
        y[rng.random(n) < 0.1] = 0.0
    return y


@pytest.mark.parametrize("decomposition", ["multiplicative", "additive"])
def test_seasonal_adjustment_matches_statsforecast(decomposition):
    df = _frame({"positive": _weekly(150, 1, False), "with_zeros": _weekly(120, 2, True)})
    _check(df, ["Theta", "DynamicOptimizedTheta"], decomposition_type=decomposition)
    # a season length without a seasonal signal, and one below the test's minimum of 4
    _check(df, ["OptimizedTheta"], season_length=12)
    _check(df, ["DynamicTheta"], season_length=3)


DEGENERATE = {
    "zeros": np.zeros(30),
    "constant": np.full(40, 3.0),
    "four": np.array([1.0, 0.0, 3.0, 2.0]),
    "late_demand": np.r_[np.zeros(29), 5.0],
    "early_demand": np.r_[2.5, np.zeros(29)],
    "negative": -np.arange(1.0, 20.0),
    "tiny": np.full(20, 1e-12),
}


def test_degenerate_series_follow_statsforecast():
    df = _frame(DEGENERATE)
    fc = DemandForecaster([cls() for cls in OURS.values()], freq="D", season_length=M)
    out = fc.forecast(df, h=H)
    for key, y in DEGENERATE.items():
        got = out[out["unique_id"] == key]
        for name in NAMES:
            _assert_close(got[name].to_numpy(), _oracle(name, y), f"{name} {key}")
    assert fc.fallbacks_.empty
    assert np.isfinite(fc.residual_std()[NAMES].to_numpy()).all()


def test_series_statsforecast_cannot_fit_fall_back_to_naive():
    huge = np.array([1e300, 0, 1e300, 5, 1e300, 2, 3, 1e300, 1, 1, 1, 1])
    df = _frame({"one": np.array([5.0]), "three": np.array([1.0, 2.0, 3.0]), "huge": huge})
    for y in (np.array([5.0]), huge):
        with pytest.raises(Exception):  # noqa: B017 - statsforecast raises bare Exception
            _oracle("AutoTheta", y)
    fc = DemandForecaster([AutoTheta(), Theta()], freq="D", season_length=M)
    out = fc.forecast(df, h=3)
    assert out.loc[out["unique_id"] == "three", "AutoTheta"].tolist() == [3.0] * 3
    assert out.loc[out["unique_id"] == "huge", "Theta"].tolist() == [1.0] * 3
    fell = fc.fallbacks_.sort_values(["unique_id", "model"]).reset_index(drop=True)
    assert fell["unique_id"].tolist() == ["huge", "huge", "one", "one", "three", "three"]
    reasons = dict(zip(fell["unique_id"], fell["reason"], strict=False))
    assert "used Naive" in reasons["one"] and "4" in reasons["one"]
    assert "could not be fitted" in reasons["huge"]


def test_sigma_is_rms_of_statsforecast_residuals(retail):
    y = retail.loc[retail["unique_id"] == retail["unique_id"].iloc[0], "y"].to_numpy()
    df = _frame({"a": y})
    for name in ("Theta", "DynamicOptimizedTheta"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = getattr(sf_models, name)(season_length=1).fit(y)
        want = np.sqrt(np.mean(model.model_["residuals"][3:] ** 2))
        fc = DemandForecaster([OURS[name](1)], freq="D").fit(df)
        assert fc.residual_std()[name].iloc[0] == pytest.approx(want, rel=1e-9)


def test_classes_validate():
    assert repr(Theta(7)) == "Theta(season_length=7, decomposition_type='multiplicative')"
    assert AutoTheta(decomposition_type="additive") != AutoTheta()
    with pytest.raises(InvalidParameterError, match="decomposition_type"):
        Theta(7, "mul")
    with pytest.raises(InvalidParameterError, match="season_length"):
        OptimizedTheta(0)
    for cls in OURS.values():
        assert "Args:" in cls.__doc__ and "Raises:" in cls.__doc__


def test_pickle_and_bytes_round_trip(retail):
    ids = retail["unique_id"].unique()[:6]
    df = pd.concat([retail[retail["unique_id"].isin(ids)], _frame({"short": np.ones(2)})])
    fc = DemandForecaster(
        [cls(decomposition_type=d) for cls in OURS.values() for d in ["additive"]]
        + [Theta(alias="ThetaMul")],
        freq="D",
    ).fit(df)
    back = pickle.loads(pickle.dumps(fc))
    pd.testing.assert_frame_equal(back.predict(H), fc.predict(H))
    pd.testing.assert_frame_equal(back.residual_std(), fc.residual_std())
    pd.testing.assert_frame_equal(back.fallbacks_, fc.fallbacks_)
    core = _core.DemandForecaster.from_bytes(fc._core.to_bytes())
    np.testing.assert_array_equal(core.predict(40), fc._core.predict(40))
    assert core.to_bytes() == fc._core.to_bytes()
    assert core.model_names == [*NAMES, "Theta"]
