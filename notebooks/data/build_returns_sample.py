"""Build ``online_retail_transactions_sample.csv.gz``: the raw invoice lines (sales,
cancellations and stock adjustments) of 200 SKUs of the UCI Online Retail data set, for the
returns analysis of ``04_pricing_and_loss_prevention.ipynb``.

Source (CC BY 4.0): Chen, D., Sain, S. L. & Guo, K. (2012), "Data mining for the online
retail industry: A case study of RFM model-based customer segmentation using data mining",
Journal of Database Marketing & Customer Strategy Management 19(3):197-208; UCI Machine
Learning Repository, data set 352 ("Online Retail"), 2010-12-01 .. 2011-12-09.

Rule: the 200 SKUs are a seeded random sample (numpy seed 7) of the StockCodes with at
least 50 invoice lines; every line of those SKUs is kept, with the columns InvoiceNo,
StockCode, Quantity, UnitPrice and CustomerID unchanged.

Usage: ``python notebooks/data/build_returns_sample.py PATH/TO/online_retail.csv.gz``
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["InvoiceNo", "StockCode", "Quantity", "UnitPrice", "CustomerID"]


def main(source: str) -> None:
    tx = pd.read_csv(
        source, dtype={"InvoiceNo": str, "StockCode": str}, encoding="latin-1", usecols=COLUMNS
    )
    lines = tx.groupby("StockCode").size()
    eligible = np.sort(lines[lines >= 50].index.to_numpy())
    chosen = np.random.default_rng(7).choice(eligible, size=200, replace=False)
    out = tx[tx.StockCode.isin(chosen)][COLUMNS]
    target = Path(__file__).with_name("online_retail_transactions_sample.csv.gz")
    out.to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})
    print(f"{target}: {len(out)} lines, {out.StockCode.nunique()} SKUs")


if __name__ == "__main__":
    main(sys.argv[1])
