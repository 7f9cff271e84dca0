"""Tests for the bundled Online Retail panel (shelfcast.datasets)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shelfcast.datasets
from shelfcast.datasets import load_online_retail, load_online_retail_inventory

RAW_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "online_retail"
PANEL_START = pd.Timestamp("2009-12-01")
PANEL_END = pd.Timestamp("2011-12-09")
PRODUCT_CODE = re.compile(r"^\d{5}[A-Z]{0,2}$")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_online_retail()


@pytest.fixture(scope="module")
def lengths(panel: pd.DataFrame) -> pd.Series:
    return panel.groupby("unique_id", sort=True).size()


def test_module_has_attribution():
    doc = shelfcast.datasets.__doc__
    assert "Chen" in doc and "CC BY 4.0" in doc and "352" in doc and "502" in doc


def test_columns_and_dtypes(panel):
    assert list(panel.columns) == ["unique_id", "ds", "y", "price"]
    assert panel["unique_id"].dtype == object
    assert all(isinstance(v, str) for v in panel["unique_id"].iloc[[0, len(panel) // 2, -1]])
    assert panel["ds"].dtype == np.dtype("datetime64[ns]")
    assert panel["y"].dtype == np.float64
    assert panel["price"].dtype == np.float64
    assert isinstance(panel.index, pd.RangeIndex) and panel.index[0] == 0


def test_known_size(panel, lengths):
    assert len(panel) == 2_918_407
    assert len(lengths) == 4_703
    assert panel["ds"].min() == PANEL_START
    assert panel["ds"].max() == PANEL_END


def test_sorted_and_no_duplicate_keys(panel):
    assert not panel.duplicated(["unique_id", "ds"]).any()
    ids = panel["unique_id"].to_numpy()
    assert (ids[:-1] <= ids[1:]).all()
    same = ids[:-1] == ids[1:]
    ds = panel["ds"].to_numpy()
    assert (ds[1:][same] > ds[:-1][same]).all()


def test_contiguous_daily_calendar_ending_at_panel_end(panel):
    g = panel.groupby("unique_id")["ds"].agg(["min", "max", "size"])
    assert (g["max"] == PANEL_END).all()
    assert ((g["max"] - g["min"]).dt.days + 1 == g["size"]).all()
    # consecutive rows of a series are exactly one day apart
    ids = panel["unique_id"].to_numpy()
    same = ids[:-1] == ids[1:]
    step = np.diff(panel["ds"].to_numpy())[same]
    assert (step == np.timedelta64(1, "D")).all()


def test_y_nonnegative_integer_and_first_day_is_a_sale(panel):
    y = panel["y"].to_numpy()
    assert np.isfinite(y).all()
    assert (y >= 0).all()
    assert (y == np.round(y)).all()
    first = panel.groupby("unique_id", sort=False).head(1)
    assert (first["y"] > 0).all()
    assert 0.1 < (y > 0).mean() < 0.3  # intermittent demand, ~18 % sale days


def test_price_positive_and_forward_filled(panel):
    price = panel["price"].to_numpy()
    assert not np.isnan(price).any()
    assert (price > 0).all()
    ids = panel["unique_id"].to_numpy()
    same = ids[1:] == ids[:-1]
    zero_day = panel["y"].to_numpy()[1:] == 0
    carried = same & zero_day
    assert carried.sum() > 1_000_000
    assert (price[1:][carried] == price[:-1][carried]).all()


def test_only_upper_case_product_codes(lengths):
    ids = lengths.index
    assert all(PRODUCT_CODE.match(s) for s in ids)
    for code in ["POST", "DOT", "M", "D", "C2", "BANK CHARGES", "AMAZONFEE", "23444", "22016"]:
        assert code not in ids
    assert "85123A" in ids and "15056BL" in ids


def test_min_days_filter(panel, lengths):
    sub = load_online_retail(min_days=200)
    sub_len = sub.groupby("unique_id").size()
    assert sub_len.min() >= 200
    expected = lengths[lengths >= 200]
    assert len(expected) == 4_269
    pd.testing.assert_series_equal(sub_len, expected)
    full_rows = panel[panel["unique_id"].isin(expected.index)].reset_index(drop=True)
    pd.testing.assert_frame_equal(sub, full_rows)


@pytest.mark.parametrize("q", [0.1, 0.5])
def test_min_days_is_inclusive(lengths, q):
    k = int(lengths.quantile(q, interpolation="lower"))  # a length some SKUs have exactly
    assert (lengths == k).any()
    sub = load_online_retail(min_days=k)
    assert set(sub["unique_id"]) == set(lengths.index[lengths >= k])


def test_min_days_edge_cases(panel):
    assert len(load_online_retail(min_days=0)) == len(panel)
    assert len(load_online_retail(min_days=None)) == len(panel)
    full_length = load_online_retail(min_days=739)
    assert full_length["unique_id"].nunique() > 1000
    assert (full_length.groupby("unique_id").size() == 739).all()
    empty = load_online_retail(min_days=740)
    assert len(empty) == 0
    assert list(empty.columns) == ["unique_id", "ds", "y", "price"]
    assert empty["ds"].dtype == np.dtype("datetime64[ns]")
    with pytest.raises(ValueError):
        load_online_retail(min_days=-1)
    with pytest.raises(TypeError):
        load_online_retail(min_days=1.5)


def test_returns_independent_frames():
    a = load_online_retail(min_days=700)
    a.loc[0, "y"] = -1.0
    a["price"] *= 2
    b = load_online_retail(min_days=700)
    assert b.loc[0, "y"] >= 0
    assert not b["price"].equals(a["price"])


def test_inventory(lengths):
    inv = load_online_retail_inventory()
    assert list(inv.columns) == [
        "unique_id",
        "on_hand",
        "on_order",
        "lead_time",
        "unit_cost",
        "holding_cost",
        "order_cost",
        "moq",
        "pack_size",
    ]
    assert inv.attrs.get("synthetic") is True
    assert inv["unique_id"].dtype == object
    assert inv["unique_id"].tolist() == lengths.index.tolist()
    for col in ["on_hand", "on_order", "lead_time", "moq", "pack_size"]:
        assert inv[col].dtype == np.int64
        assert (inv[col] >= 0).all()
    assert set(inv["lead_time"].unique()) == {7, 14}
    assert (inv["pack_size"] >= 1).all()
    assert (inv["moq"] % inv["pack_size"] == 0).all()
    assert (inv["unit_cost"] > 0).all()
    np.testing.assert_allclose(inv["holding_cost"], inv["unit_cost"] * 0.25 / 365, atol=1e-8)
    assert (inv["order_cost"] == 20.0).all()


# --- cross-check against the raw transaction files ---------------------------------


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    if not RAW_DIR.is_dir():
        pytest.skip(f"raw data not available at {RAW_DIR}")
    a = pd.read_csv(
        RAW_DIR / "online_retail_ii_2009_2010.csv.gz",
        usecols=["Invoice", "StockCode", "Quantity", "InvoiceDate", "Price"],
        dtype={"Invoice": str, "StockCode": str},
    )
    b = pd.read_csv(
        RAW_DIR / "online_retail.csv.gz",
        usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice"],
        dtype={"InvoiceNo": str, "StockCode": str},
    )
    b = b.rename(columns={"InvoiceNo": "Invoice", "UnitPrice": "Price"})
    a["InvoiceDate"] = pd.to_datetime(a["InvoiceDate"])
    b["InvoiceDate"] = pd.to_datetime(b["InvoiceDate"])
    # the files overlap on 2010-12-01..09: the second one only counts afterwards
    b = b[b["InvoiceDate"] >= pd.Timestamp("2010-12-10")]
    df = pd.concat([a, b], ignore_index=True)
    df["sku"] = df["StockCode"].str.strip().str.upper()
    df["date"] = df["InvoiceDate"].dt.normalize()
    ok = ~df["Invoice"].str.startswith("C") & (df["Quantity"] > 0) & (df["Price"] > 0)
    # the two documented keying errors (cancelled minutes later)
    ok &= ~((df["Invoice"] == "541431") & (df["sku"] == "23166"))
    ok &= ~((df["Invoice"] == "581483") & (df["sku"] == "23843"))
    return df[ok]


@pytest.mark.parametrize("sku", ["85123A", "22423", "84879", "23166"])
@pytest.mark.parametrize(
    "lo,hi",
    [("2009-12-01", "2011-12-09"), ("2010-11-20", "2010-12-20"), ("2011-03-01", "2011-05-31")],
)
def test_totals_match_raw_transactions(raw, panel, sku, lo, hi):
    r = raw[(raw["sku"] == sku) & raw["date"].between(lo, hi)]
    p = panel[(panel["unique_id"] == sku) & panel["ds"].between(lo, hi)]
    if sku == "23166" and hi < "2011":  # first sold in 2011
        assert r.empty and p.empty
        return
    assert len(r) > 0
    assert p["y"].sum() == r["Quantity"].sum()
    daily = r.groupby("date").agg(y=("Quantity", "sum"), price=("Price", "median"))
    sale_days = p[p["y"] > 0].set_index("ds")
    assert sale_days.index.tolist() == daily.index.tolist()
    np.testing.assert_array_equal(sale_days["y"].to_numpy(), daily["y"].to_numpy())
    np.testing.assert_allclose(sale_days["price"].to_numpy(), daily["price"].to_numpy(), atol=1e-6)


def test_grand_total_matches_raw(raw, panel, lengths):
    products = raw[raw["sku"].isin(lengths.index)]
    assert panel["y"].sum() == products["Quantity"].sum()
    dropped = raw[~raw["sku"].isin(lengths.index)]
    assert {"POST", "DOT", "M", "C2"} <= set(dropped["sku"])
    # the only product-shaped codes left out are the documented service codes
    shaped = dropped.loc[dropped["sku"].str.fullmatch(r"\d{5}[A-Z]{0,2}"), "sku"]
    assert set(shaped) == {"23444", "22016", "23702"}
    assert "23843" not in lengths.index  # its only sale line was the keying error
