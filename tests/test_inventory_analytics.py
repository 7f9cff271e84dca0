"""Anomalies, inventory KPIs, phantom stock, shrinkage, lead times and returns analysis
(the last on the raw UCI Online Retail transactions when they are available)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shelfcast
from shelfcast.exceptions import (
    DuplicateRowError,
    InvalidInputError,
    InvalidParameterError,
    MissingColumnError,
)

SM = shelfcast.SalesMetrics
RAW_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "online_retail"


def _frame(series: dict[str, list[float]], start: str = "2024-01-01") -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "unique_id": uid,
                "ds": pd.date_range(start, periods=len(ys), freq="D"),
                "y": np.asarray(ys, float),
            }
        )
        for uid, ys in series.items()
    ]
    return pd.concat(parts, ignore_index=True)


def _mod_z(x: np.ndarray) -> np.ndarray:
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    scale = 1.4826 * mad if mad > 0 else 1.253314 * np.mean(np.abs(x - med))
    return (x - med) / scale


# ---------------------------------------------------------------- anomalies


def _weekly(n_weeks: int = 12, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    week = np.array([20.0, 18, 19, 22, 30, 45, 5])
    return np.tile(week, n_weeks) + rng.normal(0, 1.5, 7 * n_weeks).round()


def test_anomalies_find_a_spike_and_a_stockout():
    y = _weekly()
    y[40] += 60  # promotion spike on a Tuesday... or a data error
    y[60] = 0.0  # a Saturday (normally ~45) with nothing sold
    out = SM(_frame({"a": list(y)})).anomalies()
    assert set(out.ds.dt.day_of_year - 1) == {40, 60}
    kinds = dict(zip(out.ds.dt.day_of_year - 1, out.kind, strict=True))
    assert kinds == {40: "spike", 60: "drop"}
    iqr = SM(_frame({"a": list(y)})).anomalies(method="iqr", threshold=3.0)
    assert {40, 60} <= set(iqr.ds.dt.day_of_year - 1)


def test_anomaly_scores_by_hand():
    y = _weekly(6, seed=2)
    full = SM(_frame({"a": list(y)})).anomalies(all_periods=True, window=29)
    # baseline by hand: rolling median (truncated window), then weekday medians
    n = len(y)
    level = np.array([np.median(y[max(0, t - 14) : t + 15]) for t in range(n)])
    season = np.array([np.median((y - level)[p::7]) for p in range(7)])
    base = level + season[np.arange(n) % 7]
    np.testing.assert_allclose(full.baseline, base, atol=1e-12)
    np.testing.assert_allclose(full.score, _mod_z(y - base), atol=1e-9)
    assert full.anomaly.sum() == (np.abs(_mod_z(y - base)) > 3.5).sum()


def test_anomaly_options_and_errors():
    df = _frame({"a": list(_weekly())})
    assert SM(df).anomalies(threshold=1e9).empty
    none = SM(df).anomalies(season_length=1, all_periods=True)
    assert len(none) == len(df) and "anomaly" in none.columns
    with pytest.raises(InvalidParameterError, match="method"):
        SM(df).anomalies(method="zscore")
    with pytest.raises(InvalidParameterError, match="window"):
        SM(df).anomalies(window=28)
    with pytest.raises(InvalidParameterError, match="threshold"):
        SM(df).anomalies(threshold=0)


def test_anomalies_on_online_retail_run():
    df = shelfcast.datasets.load_online_retail(min_days=700)
    keep = df.unique_id.drop_duplicates().iloc[:100]
    out = SM(df[df.unique_id.isin(keep)]).anomalies()
    assert len(out) > 0 and np.isfinite(out.score).all()
    assert (np.abs(out.score) > 3.5).all()


# ---------------------------------------------------------------- inventory KPIs


def test_inventory_kpis_by_hand():
    sales = _frame({"a": [2, 4, 0, 1, 3], "b": [1, 1, 1, 1, 1]})
    sales["price"] = 2.0
    inv = _frame({"a": [5, 1, 0, 2, 4], "b": [10, 9, 8, 7, 6]}).rename(columns={"y": "on_hand"})
    inv = inv[~((inv.unique_id == "a") & (inv.ds == "2024-01-04"))]  # one unknown day
    out = SM(sales, price_col="price").inventory_kpis(inv, unit_cost=1.0, recent=2)
    a = out.set_index("unique_id").loc["a"]
    assert a.periods == 4 and a.units == 9
    assert a.stockout_rate == 0.25
    assert a.lost_units == 3.0 and a.fill_rate == 0.75  # in-stock rate (2+4+3)/3 = 3
    assert a.avg_on_hand == 2.5 and a.last_on_hand == 4
    assert a.days_of_supply == pytest.approx(4 / 1.5)
    assert a.turnover == pytest.approx(9 / 2.5)
    assert a.sell_through == pytest.approx(9 / 13)
    assert a.gmroi == pytest.approx((2 - 1) * 9 / (2.5 * 1))
    b = out.set_index("unique_id").loc["b"]
    assert b.fill_rate == 1.0 and b.stockout_rate == 0.0 and b.days_of_supply == 6.0
    no_cost = SM(sales).inventory_kpis(inv)
    assert "gmroi" not in no_cost.columns
    with pytest.raises(DuplicateRowError):
        SM(sales).inventory_kpis(pd.concat([inv, inv.iloc[[0]]]))
    with pytest.raises(MissingColumnError, match="on_hand"):
        SM(sales).inventory_kpis(inv.rename(columns={"on_hand": "stock"}))


# ---------------------------------------------------------------- phantom stock


def test_phantom_stock_history_and_snapshot():
    rng = np.random.default_rng(5)
    busy = (rng.random(60) < 0.8).astype(float) * 3  # sells on ~80% of days
    busy[45:] = 0.0  # then 15 quiet days with stock on hand: (0.2)^15, phantom
    slow = (rng.random(60) < 0.1).astype(float)  # sells on ~10% of days
    slow[45:] = 0.0  # 15 quiet days are normal for it
    sales = _frame({"busy": list(busy), "slow": list(slow)})
    inv = sales.assign(on_hand=20.0)[["unique_id", "ds", "on_hand"]]
    out = SM(sales).phantom_stock(inv).set_index("unique_id")
    assert out.phantom.to_dict() == {"busy": True, "slow": False}
    assert out.run_length["busy"] >= 15 and out.run_end["busy"] == sales.ds.max()
    start = int(np.flatnonzero(busy > 0)[-1]) + 1  # the quiet run starts after the last sale
    q = (busy[:start] > 0).mean()
    assert out.run_length["busy"] == 60 - start
    assert out.sell_rate["busy"] == pytest.approx(q)
    assert out.probability["busy"] == pytest.approx((1 - q) ** (60 - start))
    # out of stock during the quiet days: not phantom
    empty = inv.assign(on_hand=np.where(inv.ds >= sales.ds.min() + pd.Timedelta(days=45), 0, 20))
    assert not SM(sales).phantom_stock(empty).phantom.any()
    # snapshot: only the trailing run, and it needs stock now
    snap = pd.DataFrame({"unique_id": ["busy", "slow"], "on_hand": [5.0, 5.0]})
    s = SM(sales).phantom_stock(snap).set_index("unique_id")
    assert s.phantom.to_dict() == {"busy": True, "slow": False}
    snap0 = snap.assign(on_hand=[0.0, 5.0])
    assert not SM(sales).phantom_stock(snap0).phantom.any()
    with pytest.raises(InvalidParameterError, match="alpha"):
        SM(sales).phantom_stock(snap, alpha=2)


# ---------------------------------------------------------------- shrinkage


def test_shrinkage_book_vs_counted():
    book = pd.DataFrame(
        {
            "unique_id": list("abcdefg"),
            "book": [100, 50, 40, 80, 10, 0, 30.0],
            "unit_cost": [1.0, 2, 1, 1, 1, 1, 5],
        }
    )
    counted = pd.DataFrame(
        {"unique_id": list("abcdefg"), "counted": [99, 49, 40, 79, 10, -0.0 + 2, 15.0]}
    )
    # f: book 0 but 2 counted -> negative shrink (found units); g: half the stock missing
    counted.loc[5, "counted"] = 0.0
    book.loc[5, "book"] = 3.0
    out = SM.shrinkage(book, counted).set_index("unique_id")
    assert out.shrink_units.to_dict() == {"a": 1, "b": 1, "c": 0, "d": 1, "e": 0, "f": 3, "g": 15}
    assert out.shrink_rate["g"] == 0.5 and out.shrink_value["g"] == 75.0
    np.testing.assert_allclose(out.z, _mod_z(out.shrink_rate.to_numpy()))
    assert out.flag[out.flag].index.tolist() == ["f", "g"]
    dated = SM.shrinkage(
        book.assign(ds=pd.Timestamp("2024-01-31")),
        counted.assign(ds=pd.Timestamp("2024-01-31")).rename(columns={"counted": "on_hand"}),
        unit_cost=2.0,
    )
    assert "ds" in dated.columns and (dated.unit_cost == 2.0).all()
    with pytest.raises(InvalidInputError, match="counted"):
        SM.shrinkage(book, counted.rename(columns={"counted": "qty"}))
    with pytest.raises(DuplicateRowError):
        SM.shrinkage(pd.concat([book, book.iloc[[0]]]), counted)


# ---------------------------------------------------------------- lead times


def test_lead_time_stats():
    po = pd.DataFrame(
        {
            "supplier": ["s1"] * 4 + ["s2"] * 2,
            "unique_id": ["a", "a", "a", "b", "a", "a"],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-05", "2024-01-01", "2024-02-01"]
            ),
            "receipt_date": pd.to_datetime(
                ["2024-01-08", "2024-02-11", "2024-03-07", "2024-01-19", "2024-01-15", None]
            ),
        }
    )
    out = SM.lead_time_stats(po)
    assert list(out.columns[:2]) == ["supplier", "unique_id"]
    s1a = out[(out.supplier == "s1") & (out.unique_id == "a")].iloc[0]
    assert s1a.n_orders == 3 and s1a.n_open == 0
    assert s1a.lead_time == pytest.approx(np.mean([7, 10, 6]))
    assert s1a.lead_time_sd == pytest.approx(np.std([7, 10, 6], ddof=1))
    assert s1a.p50 == 7 and s1a.p90 == pytest.approx(np.quantile([7, 10, 6], 0.9))
    s2a = out[(out.supplier == "s2")].iloc[0]
    assert s2a.n_orders == 1 and s2a.n_open == 1 and np.isnan(s2a.lead_time_sd)
    per_item = SM.lead_time_stats(po, by=["unique_id"], quantiles=[0.5])
    assert per_item.set_index("unique_id").n_orders.to_dict() == {"a": 4, "b": 1}
    assert "p50" in per_item.columns and "p90" not in per_item.columns
    bad = po.assign(receipt_date=po.receipt_date.fillna(pd.Timestamp("2023-12-01")))
    with pytest.raises(InvalidInputError, match="before it was ordered"):
        SM.lead_time_stats(bad)


# ---------------------------------------------------------------- returns


def test_returns_analysis_by_hand():
    tx = pd.DataFrame(
        {
            "Invoice": ["1", "1", "2", "C3", "4", "C5", "C6", "7"],
            "StockCode": ["a", "b", "a", "a", "c", "b", "z", "c"],
            "Quantity": [10, 5, 10, -4, 20, -5, -1, -3],
            "Price": [1.0, 2.0, 1.0, 1.0, 0.5, 2.0, 3.0, 0.0],
            "Customer ID": [1.0, 1.0, 2.0, 2.0, np.nan, 1.0, 2.0, np.nan],
        }
    )
    res = SM.returns_analysis(tx, min_units=1)
    items = res.items.set_index("unique_id")
    assert items.sold_units.to_dict() == {"a": 20, "b": 5, "c": 20, "z": 0}
    assert items.returned_units.to_dict() == {"a": 4, "b": 5, "c": 0, "z": 1}
    assert items.return_rate["a"] == 0.2 and items.return_rate["b"] == 1.0
    assert items.adjusted_units.to_dict() == {"a": 0, "b": 0, "c": 3, "z": 0}  # write-off
    assert items.returned_value["b"] == 10.0
    assert items.unmatched_returns.tolist() == [False, False, False, True]
    assert np.isnan(items.z["z"])  # never sold: no rate to score
    cust = res.customers.set_index("customer_id")
    assert cust.sold_units.to_dict() == {1.0: 15, 2.0: 10}
    assert cust.returned_units.to_dict() == {1.0: 5, 2.0: 5}
    assert "ReturnsAnalysis(" in repr(res)


@pytest.fixture(scope="module")
def raw_transactions() -> pd.DataFrame:
    path = RAW_DIR / "online_retail.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str}, encoding="latin-1")


def test_returns_analysis_on_online_retail(raw_transactions):
    tx = raw_transactions
    res = SM.returns_analysis(
        tx,
        customer_col="CustomerID",
        price_col="UnitPrice",
        invoice_col="InvoiceNo",
        min_units=100,
    )
    items = res.items.set_index("unique_id")
    # returns are the negative lines of the C invoices; the other negative lines (about
    # 13% of them) are zero-priced stock write-offs without a customer
    neg = tx[tx.Quantity < 0]
    cancel = neg.InvoiceNo.str.startswith("C")
    assert 0.8 < cancel.mean() < 0.95
    assert (neg[~cancel].UnitPrice == 0).all() and neg[~cancel].CustomerID.isna().all()
    want = -neg[cancel].groupby("StockCode").Quantity.sum()
    np.testing.assert_allclose(items.returned_units[want.index], want.to_numpy())
    adj = -neg[~cancel].groupby("StockCode").Quantity.sum()
    np.testing.assert_allclose(items.adjusted_units[adj.index], adj.to_numpy())
    sold = tx[tx.Quantity > 0].groupby("StockCode").Quantity.sum()
    np.testing.assert_allclose(items.sold_units[sold.index], sold.to_numpy())
    rated = items[items.sold_units >= 100]
    np.testing.assert_allclose(rated.z, _mod_z(rated.return_rate.to_numpy()), rtol=1e-9)
    assert 0 < rated.outlier.sum() < len(rated) // 5
    assert res.customers.customer_id.notna().all() and len(res.customers) > 1000


def test_returns_analysis_defaults_fit_online_retail_ii():
    path = RAW_DIR / "online_retail_ii_2009_2010.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    tx = pd.read_csv(path, dtype={"Invoice": str, "StockCode": str}, encoding="latin-1")
    res = SM.returns_analysis(tx)  # Invoice, StockCode, Quantity, Price, Customer ID
    assert (
        res.items.returned_units.sum()
        == -tx[(tx.Quantity < 0) & tx.Invoice.str.startswith("C")].Quantity.sum()
    )
