"""Worked example and back-test of the reorder planner on the bundled Online Retail data.

Plans every SKU that sold in the 90 days before a 91-day holdout (TSB forecast, 95 % cycle
service level, the bundled synthetic inventory snapshot), prints the plan of one SKU, then
replays the holdout's actual demand through the policy and splits the gap between the
planner's expected fill rate and the simulated one into its causes:

1. the snapshot: many demo items start below their reorder point and wait one lead time
   for their first order (``simulate(initial="order_up_to")`` removes that);
2. the season: the holdout (September-December 2011) sells far more than the history the
   forecast was fitted on;
3. what is left when demand matches the forecast's level — replaying the last 91
   *training* days from the cycle top — is the planner's own error.

Usage: ``python benchmarks/planner_backtest.py [--sku 85123A]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from shelfcast import DemandForecaster, ReorderPlanner
from shelfcast.datasets import load_online_retail, load_online_retail_inventory
from shelfcast.models import TSB


def fill_rates(
    tag: str,
    planner: ReorderPlanner,
    inv: pd.DataFrame,
    plan: pd.DataFrame,
    demand: pd.DataFrame,
    initial: str,
) -> None:
    """Print the mean and pooled simulated fill rate and cycle service level."""
    r = planner.simulate(demand, inv, plan, initial=initial)
    pooled = 1 - r.unmet_demand.sum() / r.demand.sum()
    print(
        f"  {tag:52s} fill {r.fill_rate.mean():.3f} (pooled {pooled:.3f})  "
        f"CSL {r.cycle_service_level.mean():.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sku", default="85123A")
    a = ap.parse_args()
    sales = load_online_retail()[["unique_id", "ds", "y"]]
    cut = sales.ds.max() - pd.Timedelta(days=91)
    train, test = sales[sales.ds <= cut], sales[sales.ds > cut]
    recent = train[train.ds > cut - pd.Timedelta(days=90)].groupby("unique_id").y.sum()
    active = recent[recent > 0].index
    train, test = train[train.unique_id.isin(active)], test[test.unique_id.isin(active)]
    inv = load_online_retail_inventory()
    inv = inv[inv.unique_id.isin(active)].reset_index(drop=True)
    fc = DemandForecaster([TSB(0.1, 0.1)], freq="D", verbose=False).fit(train)
    planner = ReorderPlanner(service_level=0.95)
    plan = planner.plan(fc, inv)
    print(
        f"{len(active):,} SKUs sold in the 90 days to {cut.date()}; "
        f"{int(plan.order_now.sum()):,} orders due now"
    )
    row = plan[plan.unique_id == a.sku]
    if len(row):
        r = row.iloc[0]
        print(
            f"{a.sku}: on hand {r.on_hand:g}, on order {r.on_order:g}, reorder point "
            f"{r.reorder_point:.1f}, order {int(r.order_qty)} units on "
            f"{pd.Timestamp(r.reorder_date).date()}, projected stockout "
            f"{pd.Timestamp(r.stockout_date).date()}"
        )
    print(
        f"expected fill {plan.expected_fill_rate.mean():.3f}, expected CSL "
        f"{plan.expected_cycle_service_level.mean():.3f}; simulated:"
    )
    fill_rates("holdout, from the snapshot", planner, inv, plan, test, "snapshot")
    fill_rates("holdout, from the cycle top", planner, inv, plan, test, "order_up_to")
    last = train[train.ds > cut - pd.Timedelta(days=91)]
    fill_rates("last 91 training days, from the cycle top", planner, inv, plan, last, "order_up_to")
    mean = fc.predict(91).groupby("unique_id")["TSB"].sum()
    actual = test.groupby("unique_id").y.sum().reindex(mean.index).fillna(0.0)
    print(
        f"holdout demand / forecast: {actual.sum() / mean.sum():.3f} in total, median "
        f"item {np.median(actual / mean.clip(lower=1e-9)):.3f}"
    )


if __name__ == "__main__":
    main()
