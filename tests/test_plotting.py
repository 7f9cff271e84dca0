"""shelfcast.plotting on the bundled data: what is drawn equals the frames it came from."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shelfcast
from matplotlib.collections import PolyCollection
from shelfcast import plotting
from shelfcast.datasets import load_online_retail, load_online_retail_inventory
from shelfcast.exceptions import (
    InvalidInputError,
    InvalidParameterError,
    MissingColumnError,
    ShelfcastError,
)
from shelfcast.models import CrostonSBA, SeasonalNaive

plt.switch_backend("Agg")

H = 14


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    sales = load_online_retail(min_days=365)
    # the six best sellers: orders and stockouts in every simulation
    ids = sales.groupby("unique_id").y.sum().nlargest(6).index
    sales = sales[sales.unique_id.isin(ids)].reset_index(drop=True)
    cut = sales.ds.max() - pd.Timedelta(days=H)
    train, test = sales[sales.ds <= cut], sales[sales.ds > cut]
    fc = shelfcast.DemandForecaster([SeasonalNaive(7), CrostonSBA()], freq="D")
    forecast = fc.forecast(train[["unique_id", "ds", "y"]], h=H, level=[80, 95])
    return sales, train, test, fc, forecast


def _bands(axis):
    return [c for c in axis.collections if isinstance(c, PolyCollection)]


def test_plot_forecast_draws_history_points_and_interval_bands(data):
    _, train, _, _, forecast = data
    ids = sorted(forecast.unique_id.unique())[:3]
    fig = plotting.plot_forecast(train, forecast, ids=ids, history_periods=60)
    axes = fig.axes
    assert len(axes) == 3
    assert [a.get_title() for a in axes] == [str(i) for i in ids]
    for uid, axis in zip(ids, axes, strict=True):
        lines = axis.get_lines()
        # history + one point line per model
        assert [ln.get_label() for ln in lines] == ["history", "SeasonalNaive", "CrostonSBA"]
        hist = train[train.unique_id == uid].tail(60)
        np.testing.assert_array_equal(lines[0].get_ydata(), hist.y.to_numpy())
        f = forecast[forecast.unique_id == uid]
        np.testing.assert_allclose(lines[2].get_ydata(), f.CrostonSBA.to_numpy())
        bands = _bands(axis)
        assert [b.get_label() for b in bands] == [
            "SeasonalNaive 95%",
            "SeasonalNaive 80%",
            "CrostonSBA 95%",
            "CrostonSBA 80%",
        ]
        # the band outline is (x, hi) forwards then (x, lo) backwards: its y limits are
        # exactly the interval columns
        names = ["SeasonalNaive", "SeasonalNaive", "CrostonSBA", "CrostonSBA"]
        for band, col in zip(bands, names, strict=True):
            level = band.get_label().split()[-1].rstrip("%")
            ys = band.get_paths()[0].vertices[:, 1]
            lo, hi = f[f"{col}-lo-{level}"].to_numpy(), f[f"{col}-hi-{level}"].to_numpy()
            assert ys.min() == pytest.approx(lo.min()) and ys.max() == pytest.approx(hi.max())
            verts = band.get_paths()[0].vertices[:, 1]
            inner = verts[1 : 2 * H + 1]  # drop the closing points
            assert set(np.round(inner, 9)) == set(np.round(np.r_[lo, hi], 9))
    legend = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "CrostonSBA 80%" in legend and "history" in legend
    assert axes[1].get_legend() is None  # one legend for the grid


def test_plot_forecast_selects_models_levels_and_draws_actuals(data):
    _, train, test, _, forecast = data
    merged = test[["unique_id", "ds", "y"]].merge(forecast, on=["unique_id", "ds"])
    uid = sorted(forecast.unique_id.unique())[0]
    fig, ax = plt.subplots()
    out = plotting.plot_forecast(train, merged, ids=[uid], models=["CrostonSBA"], level=[80], ax=ax)
    assert out is fig
    assert [ln.get_label() for ln in ax.get_lines()] == ["history", "actual", "CrostonSBA"]
    np.testing.assert_array_equal(
        ax.get_lines()[1].get_ydata(), test[test.unique_id == uid].y.to_numpy()
    )
    assert [b.get_label() for b in _bands(ax)] == ["CrostonSBA 80%"]
    grid_fig, grid = plt.subplots(1, 2)  # a numpy array of axes works too
    assert plotting.plot_forecast(train, forecast, max_series=2, ax=grid) is grid_fig
    first_two = sorted(forecast.unique_id.unique())[:2]
    assert [a.get_title() for a in grid] == [str(i) for i in first_two]
    fig2 = plotting.plot_forecast(train, forecast, level=[], max_series=2)
    assert len(fig2.axes) == 2 and all(not _bands(a) for a in fig2.axes)


def test_plot_forecast_bad_input(data):
    _, train, _, _, forecast = data
    with pytest.raises(InvalidParameterError, match="nope"):
        plotting.plot_forecast(train, forecast, ids=["nope"])
    with pytest.raises(InvalidParameterError, match="level 50"):
        plotting.plot_forecast(train, forecast, level=[50])
    with pytest.raises(MissingColumnError, match="Theta"):
        plotting.plot_forecast(train, forecast, models=["Theta"])
    with pytest.raises(MissingColumnError, match="history_df"):
        plotting.plot_forecast(train.drop(columns="y"), forecast)
    with pytest.raises(InvalidInputError, match="repeats"):
        plotting.plot_forecast(train, pd.concat([forecast, forecast]))
    _, ax = plt.subplots()
    with pytest.raises(InvalidParameterError, match="one Axes per series"):
        plotting.plot_forecast(train, forecast, max_series=2, ax=ax)
    with pytest.raises(InvalidParameterError, match="history_periods"):
        plotting.plot_forecast(train, forecast, history_periods=0)


@pytest.fixture(scope="module")
def simulation(data):
    _, _, test, fc, _ = data
    inventory = load_online_retail_inventory()
    inventory = inventory[inventory.unique_id.isin(fc.unique_ids)].copy()
    inventory["on_hand"] = 0  # empty shelves: orders at once, stockouts until they arrive
    inventory["on_order"] = 0
    inventory["stockout_cost"] = 1.0
    planner = shelfcast.ReorderPlanner(service_level=0.9, model="CrostonSBA")
    plan = planner.plan(fc, inventory)
    result = planner.simulate(test[["unique_id", "ds", "y"]], inventory, plan, trace=True)
    return plan, result


def test_plot_inventory_draws_the_trace(simulation):
    plan, result = simulation
    trace = result.trace
    # the items with both orders and stockouts make the strongest check
    busy = trace.groupby("unique_id").agg(o=("ordered", "sum"), s=("short", "sum"))
    uid = busy[(busy.o > 0)].index[0]
    fig = plotting.plot_inventory(trace, ids=[uid], plan=plan)
    (axis,) = fig.axes
    t = trace[trace.unique_id == uid]
    labels = [ln.get_label() for ln in axis.get_lines()]
    assert labels[:2] == ["on hand", "on order"] and "reorder point" in labels
    on_hand = axis.get_lines()[0]
    np.testing.assert_array_equal(on_hand.get_ydata(), t.on_hand.to_numpy())
    rp = axis.get_lines()[labels.index("reorder point")]
    assert rp.get_ydata()[0] == plan.set_index("unique_id").reorder_point[uid]
    bars = [p for p in axis.patches]
    placed = t.ordered.to_numpy()[t.ordered.to_numpy() > 0]
    assert len(bars) == len(placed) > 0
    np.testing.assert_allclose([b.get_height() for b in bars], placed)
    (marks,) = [c for c in axis.collections if c.get_label() == "stockout"]
    assert len(marks.get_offsets()) == int((t.short > 0).sum())
    assert axis.get_xlabel() == "ds" and axis.get_title() == str(uid)


def test_plot_inventory_stockout_markers_and_defaults(simulation):
    _, result = simulation
    trace = result.trace
    short = trace[trace.short > 0]
    assert len(short) > 0, "the low starting stock should cause stockouts"
    uid = short.unique_id.iloc[0]
    fig = plotting.plot_inventory(trace, ids=[uid])
    (marks,) = [c for c in fig.axes[0].collections if c.get_label() == "stockout"]
    assert len(marks.get_offsets()) == int((short.unique_id == uid).sum())
    assert (np.asarray(marks.get_offsets())[:, 1] == 0).all()
    fig2 = plotting.plot_inventory(trace, max_series=3)
    assert len(fig2.axes) == 3
    with pytest.raises(MissingColumnError, match="short"):
        plotting.plot_inventory(trace.drop(columns="short"))
    with pytest.raises(InvalidParameterError, match="not in"):
        plotting.plot_inventory(trace, ids=["nope"])


def test_plot_abc_xyz_counts_and_shares(data):
    sales = data[0]
    full = load_online_retail(min_days=365)
    keep = sorted(full.unique_id.unique())[:300]
    sm = shelfcast.SalesMetrics(full[full.unique_id.isin(keep)], price_col="price")
    abc = sm.abc_xyz()
    fig = plotting.plot_abc_xyz(abc)
    axis = fig.axes[0]
    (image,) = axis.get_images()
    want = pd.crosstab(abc.abc, abc.xyz).reindex(
        index=["A", "B", "C"], columns=["X", "Y", "Z"], fill_value=0
    )
    np.testing.assert_array_equal(image.get_array(), want.to_numpy())
    assert int(np.asarray(image.get_array()).sum()) == len(abc) == 300
    texts = [t.get_text() for t in axis.texts]
    assert len(texts) == 9
    share = abc.groupby(["abc", "xyz"]).share.sum()
    assert f"{want.loc['A', 'Z']} items\n{100 * share.get(('A', 'Z'), 0.0):.1f}% value" in texts
    shares = [float(t.split("\n")[1].split("%")[0]) for t in texts]
    assert sum(shares) == pytest.approx(100.0, abs=0.5)
    assert [t.get_text() for t in axis.get_xticklabels()] == ["X", "Y", "Z"]
    assert [t.get_text() for t in axis.get_yticklabels()] == ["A", "B", "C"]
    # a ready matrix is drawn as given
    fig2, ax = plt.subplots()
    out = plotting.plot_abc_xyz(want * 2, ax=ax)
    assert out is fig2
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), want.to_numpy() * 2)
    assert len(sales) > 0


def test_plot_abc_xyz_bad_input():
    with pytest.raises(MissingColumnError):
        plotting.plot_abc_xyz(pd.DataFrame({"a": [1]}))
    bad = pd.DataFrame({"abc": ["A", "Q"], "xyz": ["X", "Y"], "share": [0.5, 0.5]})
    with pytest.raises(InvalidInputError, match="'Q'"):
        plotting.plot_abc_xyz(bad)


def test_importing_shelfcast_does_not_import_matplotlib():
    code = (
        "import sys, shelfcast, shelfcast.plotting; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_matplotlib_a_clear_import_error(monkeypatch, data):
    _, train, _, _, forecast = data
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"shelfcast\[plot\]") as err:
        plotting.plot_forecast(train, forecast)
    assert isinstance(err.value, ShelfcastError)
    with pytest.raises(plotting.MissingDependencyError, match="matplotlib"):
        plotting.plot_abc_xyz(pd.DataFrame())
