"""Shared fixtures: a small hand-made panel, a subset of the bundled Online Retail data, and
the optional real data sets in ``../shared/datasets`` (tests using them skip when absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shelfcast.datasets import load_online_retail, load_online_retail_inventory

#: The shared real data sets beside the repository (not part of the project).
SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"

#: How many SKUs (the first ones by id) the bundled-data subset keeps.
N_SUBSET_SKUS = 300
#: Days held out at the end of every series for accuracy checks.
HOLDOUT = 28


def make_panel() -> pd.DataFrame:
    """Three daily series of different lengths and end dates, sorted by (id, ds).

    * ``"a"``: 12 days of intermittent demand;
    * ``"b"``: 20 days with a weekly pattern, ending two days after ``"a"``;
    * ``"c"``: 5 days (shorter than a week), starting with a zero.
    """
    a = [3.0, 0.0, 0.0, 5.0, 2.0, 0.0, 1.0, 0.0, 4.0, 0.0, 0.0, 6.0]
    b = [float(10 + 3 * (k % 7) + (k // 7)) for k in range(20)]
    c = [0.0, 2.0, 1.0, 0.0, 7.0]
    parts = [
        ("a", pd.date_range("2024-01-05", periods=len(a), freq="D"), a),
        ("b", pd.date_range("2023-12-29", periods=len(b), freq="D"), b),
        ("c", pd.date_range("2024-01-10", periods=len(c), freq="D"), c),
    ]
    return pd.DataFrame(
        {
            "unique_id": np.concatenate([[uid] * len(y) for uid, _, y in parts]).astype(object),
            "ds": np.concatenate([ds.to_numpy() for _, ds, _ in parts]),
            "y": np.concatenate([y for _, _, y in parts]),
        }
    )


@pytest.fixture
def small_panel() -> pd.DataFrame:
    """A fresh copy of :func:`make_panel` (tests may modify it)."""
    return make_panel()


@pytest.fixture(scope="session")
def retail_subset() -> pd.DataFrame:
    """The first ``N_SUBSET_SKUS`` SKUs (by id) of the bundled panel: unique_id, ds, y."""
    df = load_online_retail()
    ids = np.sort(df["unique_id"].unique())[:N_SUBSET_SKUS]
    sub = df.loc[df["unique_id"].isin(ids), ["unique_id", "ds", "y"]]
    return sub.reset_index(drop=True)


@pytest.fixture(scope="session")
def retail_split(retail_subset: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): the subset with the last ``HOLDOUT`` days of every series held out."""
    cutoff = retail_subset["ds"].max() - pd.Timedelta(days=HOLDOUT)
    train = retail_subset[retail_subset["ds"] <= cutoff].reset_index(drop=True)
    test = retail_subset[retail_subset["ds"] > cutoff].reset_index(drop=True)
    # Every series of the subset must keep some history and the full holdout.
    assert train["unique_id"].nunique() == N_SUBSET_SKUS
    assert (test.groupby("unique_id").size() == HOLDOUT).all()
    return train, test


@pytest.fixture(scope="session")
def retail_inventory(retail_subset: pd.DataFrame) -> pd.DataFrame:
    """The bundled demo inventory restricted to the subset's SKUs."""
    inv = load_online_retail_inventory()
    ids = retail_subset["unique_id"].unique()
    return inv[inv["unique_id"].isin(ids)].reset_index(drop=True)


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The shared real data sets folder; skips the test when it is absent."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"shared data sets not found at {SHARED_DATASETS}")
    return SHARED_DATASETS


def ets_textbook(model: dict, h: int) -> np.ndarray:
    """A statsforecast ETS fit's forecast from its final states with φ + … + φ^k damping
    (statsforecast 2.1 adds φ twice: tests/test_models_ets.py)."""
    _, t, s, d = model["components"]
    m, phi = model["m"], (model["par"][3] if d == "D" else 1.0)
    st = model["states"][-1]
    level, slope = st[0], (st[1] if t != "N" else 0.0)
    seasons = st[1 + (t != "N") :]
    out = np.empty(h)
    for k in range(1, h + 1):
        damp = sum(phi**i for i in range(1, k + 1))
        f = level if t == "N" else level + damp * slope if t == "A" else level * slope**damp
        if s == "A":
            f += seasons[(m - k) % m]
        elif s == "M":
            f *= seasons[(m - k) % m]
        out[k - 1] = f
    return out
