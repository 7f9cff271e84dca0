#!/usr/bin/env python3
"""Build the bundled Online Retail daily SKU demand panel and demo inventory.

Sources (CC BY 4.0, UCI Machine Learning Repository, datasets 352 and 502;
Chen, Sain & Guo (2012), Journal of Database Marketing & Customer Strategy
Management 19(3):197-208):

* ``online_retail_ii_2009_2010.csv.gz`` -- "Online Retail II", first year,
  2009-12-01 .. 2010-12-09 (columns Invoice, StockCode, Description, Quantity,
  InvoiceDate, Price, Customer ID, Country).
* ``online_retail.csv.gz`` -- "Online Retail", 2010-12-01 .. 2011-12-09
  (InvoiceNo, ..., UnitPrice, CustomerID, ...).  The two files overlap on
  2010-12-01 .. 2010-12-09 (the same lines, in another order); the second
  file is used only for calendar days *after* the last day of the first file.

Usage::

    python datasets/build_online_retail.py [--source DIR] [--out DIR]

Defaults: ``--source ../shared/datasets/online_retail`` (relative to the repo
root) and ``--out python/shelfcast/data``.  Only pandas and numpy are used and
the output is byte-for-byte reproducible (fixed seed, sorted output, fixed zip
timestamps).

Daily demand panel (``online_retail_daily.npz``)
------------------------------------------------
1. Keep a transaction line when the invoice does not start with ``"C"``
   (cancellation), ``Quantity > 0`` and ``Price > 0``.
2. ``StockCode`` is stripped of surrounding whitespace and upper-cased (the raw
   data spells some suffixes both ways, e.g. ``85049a`` / ``85049A``).
3. Product rule: keep codes matching ``^\\d{5}[A-Z]{0,2}$`` (five digits plus an
   optional one- or two-letter variant suffix, e.g. ``22423``, ``85123A``,
   ``15056BL``), except the codes in ``NON_PRODUCT_LOOKALIKES`` (service lines
   that happen to use a product-shaped code).  Everything else -- postage,
   carriage, manual/adjustment/discount lines, bank and Amazon fees, samples,
   gift vouchers, test items and the ``DCGS*`` web-shop-only codes -- is
   dropped; the script prints the dropped codes with their line counts.
4. Two sale lines listed in ``KNOWN_KEYING_ERRORS`` are removed: the two
   largest lines in the data (80,995 x 23843 on invoice 581483 and 74,215 x
   23166 on invoice 541431), both keying errors reversed in full by a
   cancellation invoice a few minutes later.  No other cancellation netting is
   done (returns are not subtracted from demand).
5. ``y`` = sum of ``Quantity`` per (StockCode, calendar day of InvoiceDate);
   ``price`` = median of the line ``Price`` values of that SKU-day (unweighted).
6. Each SKU is zero-filled on every calendar day from its first sale to the
   panel end (the last calendar day in the data, for every SKU).  On zero-sale
   days the price is the last observed daily median price (forward fill); the
   first day of every series is a sale day, so no price is missing.
7. Stored with ``np.savez_compressed`` as compact arrays: ``ids`` (sorted
   unicode codes), ``start`` (int32 day offset of each SKU's first day from
   ``panel_start``), ``lengths`` (int32), ``y`` (int32 units, concatenated in
   id order then time order), ``price`` (float32, same layout),
   ``panel_start`` (ISO date string) and ``format_version`` (= 1).

Synthetic demo inventory (``online_retail_inventory.csv``)
----------------------------------------------------------
The data contain no stock levels or costs: this file is SYNTHETIC, derived
deterministically from the sales with ``numpy.random.default_rng(SEED)``,
drawing in sorted-id order.  One row per SKU of the panel:

* ``d90`` (not written) = mean daily units over the last 90 calendar days of
  the panel (over the SKU's own days when its history is shorter, zeros
  included).
* ``lead_time`` (days) = 7 or 14, each with probability 1/2.
* ``pack_size`` = the most frequent ``Quantity`` among the SKU's kept lines
  that carry a Customer ID (registered, mostly wholesale accounts; all kept
  lines when there are none), ties -> the smallest, e.g. 1, 6, 12, 24.
  Anonymous lines are mostly single units sold through the web shop.
* ``moq`` = ``pack_size`` x max(1, round(median line Quantity / pack_size)).
* ``on_hand`` = round(U(0, 30) x d90) units.
* ``on_order`` = with probability 0.3 an open order of
  max(moq, ceil(lead_time x d90 / pack_size) x pack_size) units when d90 > 0,
  else 0.
* ``unit_cost`` = 0.6 x median line ``Price`` over all the SKU's kept lines,
  rounded to 4 decimals.
* ``holding_cost`` (per unit per day) = 0.25 x unit_cost / 365 (25 %/year).
* ``order_cost`` = 20.0 per order.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "datasets" / "online_retail"
DEFAULT_OUT = REPO_ROOT / "python" / "shelfcast" / "data"

FILE_II = "online_retail_ii_2009_2010.csv.gz"
FILE_I = "online_retail.csv.gz"

FORMAT_VERSION = 1
PRODUCT_RE = r"^\d{5}[A-Z]{0,2}$"
# (Invoice, StockCode) of sale lines that are keying errors cancelled in full minutes later.
KNOWN_KEYING_ERRORS = {
    ("581483", "23843"): "80,995 x PAPER CRAFT , LITTLE BIRDIE, reversed by C581484 (2011-12-09)",
    (
        "541431",
        "23166",
    ): "74,215 x MEDIUM CERAMIC TOP STORAGE JAR, reversed by C541433 (2011-01-18)",
}
# Codes that match PRODUCT_RE but are services, not merchandise.
NON_PRODUCT_LOOKALIKES = {
    "23444": "Next Day Carriage (shipping charge)",
    "22016": "Dotcomgiftshop Gift Voucher £100.00",
    "23702": "High Resolution Image (image licence fee)",
}

SEED = 20_101_201
INV_WINDOW_DAYS = 90
UNIT_COST_RATIO = 0.6
HOLDING_RATE_PER_YEAR = 0.25
ORDER_COST = 20.0
P_OPEN_ORDER = 0.3


def read_transactions(source: Path) -> pd.DataFrame:
    """Read both files, harmonise column names, splice at the overlap."""
    dtypes = {
        "Invoice": str,
        "InvoiceNo": str,
        "StockCode": str,
        "Customer ID": str,
        "CustomerID": str,
    }
    usecols_ii = ["Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Customer ID"]
    usecols_i = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]
    a = pd.read_csv(source / FILE_II, usecols=usecols_ii, dtype=dtypes)
    b = pd.read_csv(source / FILE_I, usecols=usecols_i, dtype=dtypes)
    b = b.rename(
        columns={"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}
    )
    for d in (a, b):
        d["InvoiceDate"] = pd.to_datetime(d["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
    first_end = a["InvoiceDate"].max().normalize()
    b = b[b["InvoiceDate"].dt.normalize() > first_end]
    print(f"raw lines: {len(a):,} ({FILE_II}) + {len(b):,} ({FILE_I} after {first_end.date()})")
    df = pd.concat([a, b], ignore_index=True)
    df["StockCode"] = df["StockCode"].str.strip().str.upper()
    df["day"] = df["InvoiceDate"].dt.normalize()
    return df


def filter_lines(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the line filters and the product-code rule.

    Returns the kept product lines and a table of the dropped non-product codes.
    """
    sale = (~df["Invoice"].str.startswith("C")) & (df["Quantity"] > 0) & (df["Price"] > 0)
    print(
        f"lines: {len(df):,}; sales lines (not cancelled, Quantity>0, Price>0): {int(sale.sum()):,}"
    )
    code = df["StockCode"]
    is_product = code.str.match(PRODUCT_RE) & ~code.isin(list(NON_PRODUCT_LOOKALIKES))
    dropped = (
        df.loc[~is_product]
        .assign(
            sale_line=sale[~is_product].astype(np.int64),
            sale_units=df.loc[~is_product, "Quantity"].where(sale[~is_product], 0),
        )
        .groupby("StockCode")
        .agg(
            all_lines=("Quantity", "size"),
            sale_lines=("sale_line", "sum"),
            sale_units=("sale_units", "sum"),
        )
        .sort_values(["all_lines", "sale_lines"], ascending=False, kind="stable")
    )
    pairs = pd.Series(list(zip(df["Invoice"], code, strict=True)), index=df.index)
    err = pairs.isin(list(KNOWN_KEYING_ERRORS))
    assert int(err.sum()) == len(KNOWN_KEYING_ERRORS), "keying-error lines not found"
    err_units = int(df.loc[err, "Quantity"].sum())
    print(f"known keying-error lines removed: {int(err.sum())} ({err_units:,} units)")
    kept = df.loc[
        sale & is_product & ~err, ["StockCode", "day", "Quantity", "Price", "Customer ID"]
    ]
    kept["registered"] = kept.pop("Customer ID").notna()
    return kept.reset_index(drop=True), dropped


def build_panel(kept: pd.DataFrame) -> dict[str, np.ndarray]:
    """Aggregate to SKU-days, zero-fill to the panel end and forward-fill price."""
    daily = (
        kept.groupby(["StockCode", "day"], sort=True)
        .agg(units=("Quantity", "sum"), price=("Price", "median"))
        .reset_index()
    )
    panel_start = kept["day"].min()
    panel_end = kept["day"].max()
    n_days = int((panel_end - panel_start).days) + 1

    ids, sku_idx = np.unique(daily["StockCode"].to_numpy(dtype=str), return_inverse=True)
    day_off = ((daily["day"] - panel_start).dt.days).to_numpy(np.int64)
    start = np.full(len(ids), n_days, dtype=np.int64)
    np.minimum.at(start, sku_idx, day_off)
    lengths = n_days - start
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    total = int(offsets[-1])

    pos = offsets[sku_idx] + (day_off - start[sku_idx])
    y = np.zeros(total, dtype=np.int64)
    y[pos] = daily["units"].to_numpy(np.int64)
    observed = np.zeros(total, dtype=bool)
    observed[pos] = True
    price_obs = np.zeros(total, dtype=np.float64)
    price_obs[pos] = daily["price"].to_numpy(np.float64)
    # Forward fill: every segment starts on an observed day, so a running
    # maximum of "index of last observed row" never crosses a SKU boundary.
    assert observed[offsets[:-1]].all()
    last_obs = np.maximum.accumulate(np.where(observed, np.arange(total), 0))
    price = price_obs[last_obs]

    assert y.max() < np.iinfo(np.int32).max
    return {
        "ids": ids.astype(str),
        "start": start.astype(np.int32),
        "lengths": lengths.astype(np.int32),
        "y": y.astype(np.int32),
        "price": price.astype(np.float32),
        "panel_start": np.array(panel_start.date().isoformat()),
        "format_version": np.array(FORMAT_VERSION, dtype=np.int32),
    }


def build_inventory(kept: pd.DataFrame, panel: dict[str, np.ndarray]) -> pd.DataFrame:
    """Derive the synthetic demo inventory snapshot (see module docstring)."""
    ids, lengths, y = panel["ids"], panel["lengths"], panel["y"]
    n = len(ids)
    ends = np.cumsum(lengths.astype(np.int64))
    win = np.minimum(lengths, INV_WINDOW_DAYS).astype(np.int64)
    csum = np.concatenate([[0], np.cumsum(y.astype(np.int64))])
    d90 = (csum[ends] - csum[ends - win]) / win

    g = kept.groupby("StockCode", sort=True)
    # registered-customer lines when the SKU has any, else all its lines
    has_reg = kept.groupby("StockCode")["registered"].transform("any")
    basis = kept[kept["registered"] | ~has_reg]
    qty_counts = (
        basis.groupby(["StockCode", "Quantity"], sort=True).size().rename("n").reset_index()
    )
    # most frequent line quantity, ties -> smallest quantity (stable sort keeps ascending Quantity)
    mode = (
        qty_counts.sort_values(["StockCode", "n"], ascending=[True, False], kind="stable")
        .drop_duplicates("StockCode")
        .set_index("StockCode")["Quantity"]
    )
    med_q = g["Quantity"].median()
    med_p = g["Price"].median()
    assert (mode.index.to_numpy(dtype=str) == ids).all() and (
        med_p.index.to_numpy(dtype=str) == ids
    ).all()

    pack = mode.to_numpy(np.int64)
    moq = pack * np.maximum(1, np.round(med_q.to_numpy(np.float64) / pack)).astype(np.int64)

    rng = np.random.default_rng(SEED)
    lead = rng.choice(np.array([7, 14]), size=n)
    cover_days = rng.uniform(0.0, 30.0, size=n)
    has_order = rng.random(n) < P_OPEN_ORDER

    on_hand = np.round(cover_days * d90).astype(np.int64)
    need = np.ceil(lead * d90 / pack) * pack
    on_order = np.where(has_order & (d90 > 0), np.maximum(moq, need), 0).astype(np.int64)
    unit_cost = np.round(UNIT_COST_RATIO * med_p.to_numpy(np.float64), 4)
    holding = np.round(unit_cost * HOLDING_RATE_PER_YEAR / 365.0, 8)

    return pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": on_hand,
            "on_order": on_order,
            "lead_time": lead.astype(np.int64),
            "unit_cost": unit_cost,
            "holding_cost": holding,
            "order_cost": np.full(n, ORDER_COST),
            "moq": moq,
            "pack_size": pack,
        }
    )


def write_npz_reproducible(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez_compressed`` with fixed zip timestamps (byte-reproducible)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    buf.seek(0)
    with (
        zipfile.ZipFile(buf) as src,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name), compresslevel=9)


INVENTORY_HEADER = """\
# SYNTHETIC demo inventory snapshot -- NOT real data. Derived deterministically from the
# Online Retail sales panel by datasets/build_online_retail.py (see datasets/README.md).
# Units: on_hand/on_order/moq/pack_size in units, lead_time in days, unit_cost and
# order_cost in GBP, holding_cost in GBP per unit per day.
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    df = read_transactions(args.source)
    kept, dropped = filter_lines(df)
    print(f"product sales lines kept: {len(kept):,}")
    print("dropped non-product codes (all lines / sales lines / units on sales lines):")
    for code, r in dropped.iterrows():
        why = NON_PRODUCT_LOOKALIKES.get(code, "")
        print(f"  {code!r:16} {r.all_lines:6d} {r.sale_lines:6d} {r.sale_units:8d}  {why}")
    print(f"  -> {len(dropped)} codes dropped")

    panel = build_panel(kept)
    inv = build_inventory(kept, panel)

    args.out.mkdir(parents=True, exist_ok=True)
    npz_path = args.out / "online_retail_daily.npz"
    csv_path = args.out / "online_retail_inventory.csv"
    write_npz_reproducible(npz_path, panel)
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        fh.write(INVENTORY_HEADER)
        inv.to_csv(fh, index=False, lineterminator="\n")

    lengths = panel["lengths"]
    start = pd.Timestamp(str(panel["panel_start"]))
    end = start + pd.Timedelta(days=int(panel["start"][0] + lengths[0] - 1))
    y = panel["y"]
    print()
    print(
        f"panel: {len(y):,} rows, {len(panel['ids']):,} SKUs, {start.date()} .. {end.date()} "
        f"({(end - start).days + 1} calendar days)"
    )
    nz = y > 0
    print(f"non-zero SKU-days: {int(nz.sum()):,} ({nz.mean():.1%}); total units: {int(y.sum()):,}")
    for k in (30, 100, 200, 365, 500, 700):
        print(f"SKUs with >= {k} days of history: {int((lengths >= k).sum()):,}")
    print(
        f"series length: min {lengths.min()}, median {int(np.median(lengths))}, max {lengths.max()}"
    )
    print(
        f"{npz_path.relative_to(REPO_ROOT) if npz_path.is_relative_to(REPO_ROOT) else npz_path}: "
        f"{npz_path.stat().st_size:,} bytes, sha256 {sha256(npz_path)}"
    )
    print(
        f"{csv_path.relative_to(REPO_ROOT) if csv_path.is_relative_to(REPO_ROOT) else csv_path}: "
        f"{csv_path.stat().st_size:,} bytes, sha256 {sha256(csv_path)}"
    )
    print("inventory summary:")
    print(inv.describe().T[["mean", "min", "50%", "max"]].to_string())
    print("pack_size most common:", inv["pack_size"].value_counts().head(8).to_dict())


if __name__ == "__main__":
    main()
