"""The docs cannot drift: every output column the code produces on the bundled data is
defined in ``docs/``, every column the docs define is produced, and ``help()`` renders every
public class and function with its Args/Returns sections."""

from __future__ import annotations

import inspect
import pydoc
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shelfcast
from shelfcast import (
    DemandForecaster,
    ReorderPlanner,
    SalesMetrics,
    datasets,
    features,
    inventory,
    metrics,
    models,
    simulation,
)
from shelfcast import exceptions as exc
from shelfcast.features import (
    ExpandingMean,
    ExponentiallyWeightedMean,
    RollingMax,
    RollingMean,
    RollingMin,
    RollingStd,
)
from shelfcast.metrics import aggregate_hierarchy, hierarchy_weights, wrmsse, wspl
from shelfcast.models import CrostonSBA, Ridge, SeasonalNaive
from shelfcast.simulation import simulate_policy

DOCS = Path(__file__).resolve().parents[1] / "docs"
N_SKUS = 30
H = 7

MODEL_NAMES = ["SeasonalNaive", "CrostonSBA", "Ridge"]
NUM = r"\d+(?:\.\d+)?"
PLACEHOLDERS = {
    "model": "(?:" + "|".join(MODEL_NAMES) + ")",
    "level": NUM,
    "pct": NUM,
    "k": r"\d+",
    "w": r"\d+",
    "n": r"\d+",
    "alpha": NUM,
    "name": r"\w+",
    # the caller's own columns in the runs below (exogenous / summed / grouping columns)
    "column": "(?:y|price|dept|promo)",
    "by": "(?:supplier|unique_id|warehouse)",
}
MARKER = re.compile(r"<!--\s*columns:\s*(\S+)\s*-->")


def documented() -> dict[str, list[str]]:
    """``{key: [documented column names]}`` from every ``<!-- columns: key -->`` table."""
    out: dict[str, list[str]] = {}
    for page in sorted(DOCS.glob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = MARKER.search(line)
            if not m:
                continue
            assert m.group(1) not in out, f"{m.group(1)} documented twice"
            names: list[str] = []
            rows = [x for x in lines[i + 1 :]]
            for row in rows[2:]:  # skip the header and the separator
                if not row.startswith("|"):
                    break
                first = row.split("|")[1]
                names += re.findall(r"`([^`]+)`", first)
            assert names, f"{page.name}: empty column table for {m.group(1)}"
            out[m.group(1)] = names
    return out


def pattern(name: str) -> re.Pattern[str]:
    parts = re.split(r"(<[a-z]+>)", name)
    rx = ""
    for p in parts:
        if p.startswith("<") and p.endswith(">"):
            assert p[1:-1] in PLACEHOLDERS, f"unknown placeholder {p} in docs column {name!r}"
            rx += PLACEHOLDERS[p[1:-1]]
        else:
            rx += re.escape(p)
    return re.compile(rx)


def columns_of(frame: pd.DataFrame) -> list[str]:
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return [str(c) for c in frame.columns]


@pytest.fixture(scope="module")
def produced() -> dict[str, list[list[str]]]:
    """Run every frame-returning method on the bundled data; ``{key: [columns per run]}``."""
    warnings.simplefilter("ignore", exc.UndefinedMetricWarning)
    out: dict[str, list[list[str]]] = {}

    def add(key: str, frame: pd.DataFrame) -> None:
        assert isinstance(frame, pd.DataFrame), key
        out.setdefault(key, []).append(columns_of(frame))

    full = datasets.load_online_retail(min_days=400)
    add("datasets.load_online_retail", full.head())
    inv_all = datasets.load_online_retail_inventory()
    add("datasets.load_online_retail_inventory", inv_all.head())
    ids = np.sort(full["unique_id"].unique())[:N_SKUS]
    sales = full[full["unique_id"].isin(ids) & (full["ds"] >= "2011-03-01")]
    sales = sales.reset_index(drop=True)
    # one very short series so that fallbacks_ has rows
    short = pd.DataFrame(
        {"unique_id": "SHORT", "ds": pd.date_range("2011-12-07", periods=3), "y": 1.0}
    )
    stat_df = pd.concat([sales[["unique_id", "ds", "y"]], short], ignore_index=True)
    inv = inv_all[inv_all["unique_id"].isin(ids)].reset_index(drop=True)

    fc = DemandForecaster([SeasonalNaive(7), CrostonSBA()], freq="D").fit(stat_df)
    add("DemandForecaster.predict", fc.predict(H, level=[80, 95], quantiles=[0.1, 0.9]))
    add("DemandForecaster.predict", fc.forecast(stat_df, H))
    add("DemandForecaster.residual_std", fc.residual_std())
    add("DemandForecaster.forecast_fitted_values", fc.forecast_fitted_values(level=[80, 95]))
    fallbacks = fc.fallbacks_
    assert len(fallbacks) > 0
    add("DemandForecaster.fallbacks_", fallbacks)
    cv = fc.cross_validation(stat_df, h=H, n_windows=2, level=[80])
    add("DemandForecaster.cross_validation", cv)
    few = stat_df[stat_df["unique_id"].isin([*ids[:4], "SHORT"])]
    arima = DemandForecaster([models.AutoARIMA(7)], freq="D").fit(few)
    add("DemandForecaster.arima_models", arima.arima_models())

    exog = sales.assign(
        promo=(sales["ds"].dt.day == 1).astype(float),
        dept=sales["unique_id"].str[:2],
    )
    ml = DemandForecaster(
        [Ridge(1.0)],
        lags=[1, 7],
        lag_transforms={
            1: [RollingMean(7), RollingStd(7), RollingMin(7), RollingMax(7, min_samples=3)],
            7: [ExpandingMean(), ExponentiallyWeightedMean(0.5)],
        },
        date_features=["dayofweek", "day", "week", "month", "quarter", "year", "dayofyear"],
        holidays={"sale": ["2011-11-25", "2011-11-26"]},
        static_features=["dept"],
    )
    train = exog[exog["ds"] <= exog["ds"].max() - pd.Timedelta(days=H)]
    future = exog[exog["ds"] > train["ds"].max()][["unique_id", "ds", "price", "promo"]]
    ml.fit(train)
    add("DemandForecaster.predict", ml.predict(H, level=[80], X_df=future))
    add("DemandForecaster.feature_importances", ml.feature_importances())
    add("DemandForecaster.feature_matrix", ml.feature_matrix(train))
    add("DemandForecaster.forecast_fitted_values", ml.forecast_fitted_values())

    for policy, extra in (("sQ", {}), ("RS", {"review_period": 7}), ("base_stock", {})):
        planner = ReorderPlanner(policy=policy, **extra)
        plan = planner.plan(fc, inv)
        add("ReorderPlanner.plan", plan)
        add("ReorderPlanner.schedule", planner.schedule(fc, inv))
        actual = sales[sales["ds"] >= "2011-11-01"][["unique_id", "ds", "y"]]
        res = planner.simulate(actual, inv, plan, trace=True)
        add("simulate_policy.summary", res.summary)
        add("simulate_policy.trace", res.trace)
    res = simulate_policy(np.ones((len(inv), 10)), inv, plan, policy="base_stock", trace=True)
    add("simulate_policy.summary", res.summary)
    add("simulate_policy.trace", res.trace)

    sm = SalesMetrics(sales, price_col="price")
    add("SalesMetrics.summary", sm.summary())
    add("SalesMetrics.summary", SalesMetrics(sales[["unique_id", "ds", "y"]]).summary())
    add("SalesMetrics.abc_xyz", sm.abc_xyz())
    add("SalesMetrics.demand_classes", sm.demand_classes())
    add("SalesMetrics.anomalies", sm.anomalies())
    add("SalesMetrics.anomalies", sm.anomalies(method="iqr", all_periods=True))
    el = sm.price_elasticity()
    add("SalesMetrics.price_elasticity", el)
    groups = {u: u[:2] for u in ids}
    add("SalesMetrics.price_elasticity", sm.price_elasticity(groups=groups))
    add("SalesMetrics.optimal_price", sm.optimal_price(1.0, elasticity=el))
    last = sales["ds"].max()
    stock = sales[sales["ds"] > last - pd.Timedelta(days=60)][["unique_id", "ds"]]
    stock = stock.assign(on_hand=np.arange(len(stock), dtype=float) % 7)
    add("SalesMetrics.inventory_kpis", sm.inventory_kpis(stock, unit_cost=1.0))
    add("SalesMetrics.inventory_kpis", SalesMetrics(sales).inventory_kpis(stock))
    add("SalesMetrics.phantom_stock", sm.phantom_stock(stock))
    snap = stock[stock["ds"] == last].drop(columns="ds")
    add("SalesMetrics.phantom_stock", sm.phantom_stock(snap))
    book = pd.DataFrame({"unique_id": ["a", "b", "c"], "book": [10.0, 4, 8], "unit_cost": 2.0})
    counted = pd.DataFrame({"unique_id": ["a", "b", "c"], "counted": [9.0, 4, 1]})
    add("SalesMetrics.shrinkage", SalesMetrics.shrinkage(book, counted))
    dated = SalesMetrics.shrinkage(
        book.drop(columns="unit_cost").assign(ds=last),
        counted.assign(ds=last),
        unit_cost=1.5,
    )
    add("SalesMetrics.shrinkage", dated)
    add("SalesMetrics.shrinkage", SalesMetrics.shrinkage(book.drop(columns="unit_cost"), counted))
    po = pd.DataFrame(
        {
            "supplier": ["s1", "s1", "s2", "s2"],
            "unique_id": ["a", "a", "b", "b"],
            "warehouse": ["w1", "w1", "w1", "w2"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05", "2024-03-01"]),
            "receipt_date": pd.to_datetime(["2024-01-08", "2024-02-11", "2024-01-19", None]),
        }
    )
    add("SalesMetrics.lead_time_stats", SalesMetrics.lead_time_stats(po))
    add(
        "SalesMetrics.lead_time_stats",
        SalesMetrics.lead_time_stats(po, by=["warehouse"], quantiles=[0.25]),
    )
    tx = pd.DataFrame(
        {
            "Invoice": ["1", "1", "2", "C3", "4", "C5", "6"],
            "StockCode": ["a", "b", "a", "a", "c", "b", "c"],
            "Quantity": [10, 5, 10, -4, 20, -5, -2],
            "Price": [1.0, 2.0, 1.0, 1.0, 0.5, 2.0, 0.0],
            "Customer ID": [1.0, 1.0, 2.0, 2.0, np.nan, 1.0, np.nan],
        }
    )
    ra = SalesMetrics.returns_analysis(tx, min_units=1)
    add("SalesMetrics.returns_analysis.items", ra.items)
    add("SalesMetrics.returns_analysis.customers", ra.customers)

    names = ["mae", "rmse", "mase", "coverage", "winkler", "pinball", "spl"]
    cvq = fc.cross_validation(stat_df, h=H, n_windows=2, level=[80])
    for kw in ({}, {"aggregate": True}, {"long": True}, {"long": True, "aggregate": True}):
        add("SalesMetrics.evaluate", SalesMetrics.evaluate(cvq, names, train_df=stat_df, **kw))
    pred = fc.predict(H)
    add("SalesMetrics.evaluate", SalesMetrics.evaluate(pred.assign(y=1.0), ["mae", "bias"]))

    hier = pd.DataFrame({"unique_id": ids, "dept": [u[:2] for u in ids]})
    add("aggregate_hierarchy", aggregate_hierarchy(sales[["unique_id", "ds", "y"]], hier))
    cv_bottom = cv[cv["unique_id"] != "SHORT"]
    add("aggregate_hierarchy", aggregate_hierarchy(cv_bottom, hier, columns=["y"]))
    add("hierarchy_weights", hierarchy_weights(sales, hier))
    cutoffs = sorted(cv_bottom["cutoff"].unique())
    add("hierarchy_weights", hierarchy_weights(sales, hier, cutoffs=cutoffs))
    train_w = sales[sales["ds"] <= last - pd.Timedelta(days=H)]
    test_w = sales[sales["ds"] > last - pd.Timedelta(days=H)][["unique_id", "ds", "y"]]
    point = DemandForecaster([SeasonalNaive(7)]).forecast(train_w[["unique_id", "ds", "y"]], H)
    add("wrmsse", wrmsse(point.merge(test_w), train_w, hier))
    add("wrmsse", wrmsse(cv_bottom, sales, hier, models=["SeasonalNaive"]))
    nodes = aggregate_hierarchy(test_w, hier).drop(columns="level")
    nodes["SeasonalNaive-q-50"] = nodes["y"] * 0.9
    add("wrmsse", wspl(nodes, train_w, hier))
    return out


def test_every_produced_column_is_documented(produced):
    docs = documented()
    assert set(produced) == set(docs), (
        f"documented but never produced: {sorted(set(docs) - set(produced))}; "
        f"produced but undocumented: {sorted(set(produced) - set(docs))}"
    )
    missing = {}
    for key, runs in produced.items():
        patterns = [pattern(n) for n in docs[key]]
        for cols in runs:
            bad = [c for c in cols if not any(p.fullmatch(c) for p in patterns)]
            if bad:
                missing.setdefault(key, set()).update(bad)
    assert not missing, f"output columns missing from docs/: {missing}"


def test_every_documented_column_is_produced(produced):
    """Literal documented names (no placeholder) appear in some run: no stale docs."""
    stale = {}
    for key, names in documented().items():
        seen = {c for cols in produced[key] for c in cols}
        gone = [n for n in names if "<" not in n and n not in seen]
        if gone:
            stale[key] = gone
    assert not stale, f"docs/ define columns the code no longer produces: {stale}"


def test_index_links_every_page():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    pages = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    linked = set(re.findall(r"\]\(([a-z_]+\.md)\)", index))
    assert pages == linked


# ---------------------------------------------------------------- help() / pydoc

PUBLIC_MODULES = [shelfcast, models, features, metrics, inventory, simulation, datasets, exc]


def public_objects():
    seen = set()
    for mod in PUBLIC_MODULES:
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{mod.__name__}.{name}", obj


def _needs_args(fn) -> bool:
    params = [p for p in inspect.signature(fn).parameters.values() if p.name not in ("self",)]
    return bool(params)


def _returns_value(fn) -> bool:
    ann = inspect.signature(fn).return_annotation
    return ann not in (None, "None", inspect.Signature.empty)


def _check_callable(where: str, fn, problems: list[str]) -> None:
    doc = inspect.getdoc(fn) or ""
    if not doc:
        problems.append(f"{where}: no docstring")
        return
    if _needs_args(fn) and "Args:" not in doc:
        problems.append(f"{where}: no Args section")
    if _returns_value(fn) and "Returns:" not in doc:
        problems.append(f"{where}: no Returns section")


def test_help_renders_every_public_docstring_with_args_and_returns():
    problems: list[str] = []
    for where, obj in public_objects():
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        doc = inspect.getdoc(obj) or ""
        if not doc:
            problems.append(f"{where}: no docstring")
            continue
        if doc.splitlines()[0] not in text:
            problems.append(f"{where}: help() does not show its docstring")
        if inspect.isfunction(obj):
            _check_callable(where, obj, problems)
            continue
        if issubclass(obj, BaseException) or hasattr(obj, "_fields"):
            continue  # exceptions and named tuples: a docstring is all they need
        init = obj.__dict__.get("__init__")
        if init is not None and _needs_args(init) and "Args:" not in doc:
            problems.append(f"{where}: class docstring has no Args section")
        for name, member in vars(obj).items():
            if name.startswith("_"):
                continue
            fn = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
            if isinstance(fn, property):
                if not fn.__doc__:
                    problems.append(f"{where}.{name}: property without docstring")
                continue
            if inspect.isfunction(fn):
                _check_callable(f"{where}.{name}", fn, problems)
                first = (inspect.getdoc(fn) or "").splitlines()[:1]
                if first and first[0] not in text:
                    problems.append(f"{where}.{name}: not rendered by help()")
    assert not problems, "\n".join(problems)


def test_help_of_the_main_classes_shows_returns_sections():
    for cls in (DemandForecaster, ReorderPlanner, SalesMetrics):
        text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
        assert "Args:" in text and "Returns:" in text and "Raises:" in text
        assert "polars" in text
