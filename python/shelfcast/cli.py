"""The ``shelfcast`` command line: ``shelfcast plan`` runs sales history → forecast → plan.

With no arguments it runs on the bundled UCI Online Retail panel and the bundled demo
inventory; ``--sales FILE --inventory FILE`` (CSV or Parquet) runs on yours. It writes
``forecast.csv`` and ``reorder_plan.csv`` to ``--out`` and prints a summary table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, datasets
from .exceptions import ShelfcastError
from .forecaster import DemandForecaster
from .models import TSB, CrostonSBA, SeasonalNaive, WindowAverage
from .planner import ReorderPlanner

__all__ = ["fill_missing_periods", "main", "read_table"]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (optionally compressed) or Parquet file.

    Args:
        path: the file.

    Returns:
        The frame.

    Raises:
        FileNotFoundError: the file does not exist.
        ShelfcastError: the format is not CSV or Parquet.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {p}")
    suffixes = [s.lower() for s in p.suffixes]
    if ".parquet" in suffixes or ".pq" in suffixes:
        return pd.read_parquet(p)
    if ".csv" in suffixes or ".txt" in suffixes:
        return pd.read_csv(p)
    raise ShelfcastError(f"{p}: expected a .csv(.gz) or .parquet file")


def fill_missing_periods(df: pd.DataFrame, freq: str = "D") -> pd.DataFrame:
    """Add zero-sale rows for missing periods between each series' first date and the
    last date of the whole frame (sales exports usually omit days without sales).

    Args:
        df: long frame ``unique_id, ds, y``.
        freq: the frequency.

    Returns:
        A new frame, sorted by ``unique_id, ds``, with ``y`` = 0 on added rows.
    """
    end = df["ds"].max()
    first = df.groupby("unique_id", sort=True)["ds"].min()
    pieces_id, pieces_ds = [], []
    for uid, start in first.items():
        dates = pd.date_range(start, end, freq=freq)
        pieces_id.append(np.repeat(np.array([uid], dtype=object), len(dates)))
        pieces_ds.append(dates.to_numpy())
    full = pd.DataFrame({"unique_id": np.concatenate(pieces_id), "ds": np.concatenate(pieces_ds)})
    full["unique_id"] = full["unique_id"].astype(df["unique_id"].dtype)
    out = full.merge(df[["unique_id", "ds", "y"]], on=["unique_id", "ds"], how="left")
    out["y"] = out["y"].fillna(0.0)
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="shelfcast", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"shelfcast {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="forecast demand and plan reorders")
    plan.add_argument("--sales", help="sales history (CSV/Parquet: unique_id, ds, y)")
    plan.add_argument("--inventory", help="inventory snapshot (CSV/Parquet), one row per item")
    plan.add_argument("--out", default=".", help="output directory (default: current)")
    plan.add_argument("--horizon", type=int, default=28, help="forecast periods (default 28)")
    plan.add_argument("--freq", default="D", help="pandas frequency of the sales (default D)")
    plan.add_argument("--season-length", type=int, default=7, help="season length (default 7)")
    plan.add_argument("--service-level", type=float, default=0.95, help="cycle service level")
    plan.add_argument(
        "--model",
        default="TSB",
        choices=["TSB", "CrostonSBA", "WindowAverage", "SeasonalNaive"],
        help="model the plan uses (all four are forecast); default TSB (alpha_d = alpha_p = "
        "0.1), whose demand probability decays for items that stopped selling",
    )
    plan.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _summary(plan: pd.DataFrame, inventory: pd.DataFrame, horizon: int) -> str:
    due = plan[plan["order_qty"] > 0]
    now = plan[plan["order_now"]]
    lines = [
        f"items planned:              {len(plan)}",
        f"orders due now:             {len(now)} ({int(now['order_qty'].sum())} units)",
        f"orders due within {horizon:>3} days: {len(due)} ({int(due['order_qty'].sum())} units)",
        f"projected stockouts:        {int(plan['stockout_date'].notna().sum())}",
    ]
    top = due.sort_values(["reorder_date", "order_qty"], ascending=[True, False]).head(10)
    if "unit_cost" in inventory.columns:
        cost = inventory.set_index("unique_id")["unit_cost"]
        top = top.assign(order_value=top["order_qty"] * cost.reindex(top["unique_id"]).to_numpy())
    cols = [
        c
        for c in (
            "unique_id",
            "reorder_date",
            "order_qty",
            "order_value",
            "reorder_point",
            "on_hand",
        )
        if c in top.columns
    ]
    table = top[cols].copy()
    table["reorder_date"] = table["reorder_date"].dt.strftime("%Y-%m-%d")
    lines += [
        "",
        "next 10 orders:",
        table.to_string(index=False, float_format=lambda v: f"{v:.1f}"),
    ]
    return "\n".join(lines)


def _plan(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if (args.sales is None) != (args.inventory is None):
        print("shelfcast plan: give both --sales and --inventory, or neither", file=sys.stderr)
        return 2
    if args.sales is None:
        sales = datasets.load_online_retail()[["unique_id", "ds", "y"]]
        inventory = datasets.load_online_retail_inventory()
        source = "bundled UCI Online Retail panel + demo inventory"
    else:
        sales = read_table(args.sales)
        inventory = read_table(args.inventory)
        for frame in (sales, inventory):
            frame["unique_id"] = frame["unique_id"].astype(str)
        sales["ds"] = pd.to_datetime(sales["ds"])
        sales = fill_missing_periods(sales, args.freq)
        source = f"{args.sales} + {args.inventory}"
    print(f"shelfcast {__version__}: {source}", file=sys.stderr)
    models = [
        TSB(alpha_d=0.1, alpha_p=0.1),
        CrostonSBA(),
        WindowAverage(28),
        SeasonalNaive(args.season_length),
    ]
    forecaster = DemandForecaster(
        models, freq=args.freq, season_length=args.season_length, verbose=not args.quiet
    )
    forecaster.fit(sales)
    forecast = forecaster.predict(args.horizon)
    planner = ReorderPlanner(
        service_level=args.service_level, horizon=args.horizon, model=args.model
    )
    plan = planner.plan(forecaster, inventory)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    forecast.to_csv(out / "forecast.csv", index=False, float_format="%.6g")
    plan.to_csv(out / "reorder_plan.csv", index=False, float_format="%.6g")
    print(_summary(plan, inventory, args.horizon))
    print(
        f"\nwrote {out / 'forecast.csv'} ({len(forecast)} rows) and "
        f"{out / 'reorder_plan.csv'} ({len(plan)} rows) in {time.perf_counter() - started:.1f}s"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shelfcast`` console script.

    Args:
        argv: arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 1 on a shelfcast error (bad input), 2 on bad usage.
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "plan":
            return _plan(args)
    except (ShelfcastError, FileNotFoundError) as e:
        print(f"shelfcast {args.command}: error: {e}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
