"""Diagnostics go through the ``shelfcast.*`` loggers, progress bars go to stderr only when
``verbose`` asks for them, and the library itself never prints."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pandas as pd
import shelfcast
from shelfcast import DemandForecaster, ReorderPlanner, SalesMetrics
from shelfcast.models import CrostonSBA, LinearRegression, SeasonalNaive

PACKAGE = Path(shelfcast.__file__).parent


def inventory(ids) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": list(ids),
            "on_hand": 3.0,
            "lead_time": 2.0,
            "order_cost": 10.0,
            "holding_cost": 0.1,
        }
    )


def test_no_print_outside_the_cli():
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "cli.py":  # the CLI's user-facing output
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_diagnostics_are_logged_on_shelfcast_loggers(small_panel, caplog, capsys):
    caplog.set_level(logging.DEBUG, logger="shelfcast")
    fc = DemandForecaster([SeasonalNaive(7), CrostonSBA()], freq="D")
    cv = fc.cross_validation(small_panel, h=3, n_windows=2)  # "c" (5 days) is too short
    assert set(cv["unique_id"]) == {"a", "b", "c"}
    fc.fit(small_panel)
    planner = ReorderPlanner(horizon=10)
    plan = planner.plan(fc, inventory(["a", "b", "c"]))
    demand = pd.DataFrame({"unique_id": ["a", "b", "c"] * 4, "y": 1.0})
    demand["ds"] = pd.Timestamp("2024-02-01") + pd.to_timedelta(
        [d for d in range(4) for _ in range(3)], unit="D"
    )
    planner.simulate(demand.sort_values(["unique_id", "ds"]), inventory("abc"), plan)
    by_logger = {}
    for rec in caplog.records:
        by_logger.setdefault(rec.name, []).append(rec.getMessage())
    assert all(name.startswith("shelfcast.") for name in by_logger), by_logger
    window = [m for m in by_logger["shelfcast.forecaster"] if "left out" in m]
    assert window == ["cross_validation window 0: 1 series shorter than 7 periods left out"]
    assert any("fitted 2 models on 3 series" in m for m in by_logger["shelfcast.forecaster"])
    assert by_logger["shelfcast.planner"][0].startswith("planned 3 items (policy sQ)")
    assert by_logger["shelfcast.simulation"] == ["simulated policy sQ on 3 items over 4 periods"]
    # quiet by default: nothing written to stdout or stderr
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_nothing_logged_without_configuration(small_panel, capsys):
    """A library must not configure logging: with the root logger untouched, warnings of
    the shelfcast loggers do not reach stderr through a handler of ours."""
    handlers = logging.getLogger("shelfcast").handlers
    assert [type(h) for h in handlers] == [logging.NullHandler]
    DemandForecaster([SeasonalNaive(7)]).cross_validation(small_panel, h=3, n_windows=2)
    assert capsys.readouterr().out == ""


def test_verbose_draws_progress_bars_on_stderr(small_panel, capsys):
    fc = DemandForecaster([SeasonalNaive(7)], freq="D", verbose=True)
    fc.fit(small_panel)
    err = capsys.readouterr()
    assert err.out == ""
    assert "fitting [" in err.err and "3/3" in err.err
    fc.cross_validation(small_panel, h=2, n_windows=2)
    err = capsys.readouterr()
    assert err.out == "" and "cross-validation [" in err.err and "2/2" in err.err
    fc.predict(3, level=[80])  # rolling-origin refits for the intervals
    err = capsys.readouterr()
    assert err.out == "" and "rolling-origin refits [" in err.err and "1/1" in err.err
    quiet = DemandForecaster([SeasonalNaive(7)], freq="D", verbose=False)
    quiet.fit(small_panel)
    quiet.cross_validation(small_panel, h=2, n_windows=2)
    quiet.predict(3, level=[80])
    assert capsys.readouterr().err == ""


def test_verbose_global_model_training_and_conformal_windows(retail_subset, capsys):
    df = retail_subset[retail_subset["unique_id"].isin(retail_subset["unique_id"].unique()[:5])]
    fc = DemandForecaster([LinearRegression()], lags=[1, 7], conformal_windows=2, verbose=True)
    fc.fit(df)
    fc.predict(7, level=[80])
    err = capsys.readouterr().err
    assert "training [" in err and "conformal windows [" in err and "2/2" in err


def test_sales_metrics_is_silent(small_panel, capsys):
    SalesMetrics(small_panel, freq=None).summary()
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
