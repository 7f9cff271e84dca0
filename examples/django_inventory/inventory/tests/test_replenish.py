"""The database round trip and the ``replenish`` job, checked against shelfcast run directly
on the bundled frames."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pandas as pd
from django.core.management import CommandError, call_command
from django.test import TestCase

from inventory.data import inventory_frame, sales_frame
from inventory.models import Item, Order, Sale
from inventory.replenishment import run_replenish

from . import helpers
from .helpers import PANEL_NEXT_DAY, bundled, direct_plan, expected_orders


def job_orders(day: dt.date) -> set[tuple[str, int, dt.date, dt.date]]:
    """The replenish job's Order rows of ``day`` as ``(sku, quantity, day, arrival)``."""
    rows = Order.objects.filter(source=Order.Source.REPLENISH, order_date=day)
    return {(o.item.sku, o.quantity, o.order_date, o.arrival_date) for o in rows}


def replenish(*args: str) -> str:
    """Run ``manage.py replenish`` with ``args`` and return what it printed."""
    out = StringIO()
    call_command("replenish", *args, stdout=out)
    return out.getvalue()


class DatabaseFramesTest(TestCase):
    """What the job reads from the database equals the bundled data it was loaded from."""

    @classmethod
    def setUpTestData(cls) -> None:
        helpers.load()

    def test_demo_load(self) -> None:
        sales, inventory = bundled(dt.date(2011, 12, 9))
        self.assertEqual(sorted(Item.objects.values_list("sku", flat=True)), sorted(helpers.skus()))
        self.assertEqual(Sale.objects.count(), int((sales["y"] > 0).sum()))
        self.assertEqual(len(inventory), helpers.N_SKUS)

    def test_sales_frame_equals_bundled_panel(self) -> None:
        for end in (dt.date(2011, 12, 9), dt.date(2010, 6, 30)):
            with self.subTest(end=end):
                expected, _ = bundled(end)
                pd.testing.assert_frame_equal(sales_frame(end), expected)

    def test_inventory_frame_equals_bundled_snapshot(self) -> None:
        _, expected = bundled(dt.date(2011, 12, 9))
        got = inventory_frame(Item.objects.order_by("sku"), PANEL_NEXT_DAY, 0.9)
        cols = [c for c in expected.columns if c != "unit_cost"]
        pd.testing.assert_frame_equal(got[cols], expected[cols])
        np.testing.assert_allclose(got["unit_cost"], expected["unit_cost"], rtol=0, atol=5e-5)
        self.assertTrue((got["service_level"] == 0.9).all())

    def test_open_orders_before_the_day_count_as_on_order(self) -> None:
        item = Item.objects.order_by("sku").first()
        assert item is not None
        day = PANEL_NEXT_DAY
        for status, qty, when in [
            (Order.Status.PLANNED, 10, day - dt.timedelta(days=3)),
            (Order.Status.PLACED, 7, day - dt.timedelta(days=1)),
            (Order.Status.RECEIVED, 1000, day - dt.timedelta(days=2)),  # arrived: not open
            (Order.Status.PLANNED, 500, day),  # today's: what a run that day creates
        ]:
            Order.objects.create(
                item=item, quantity=qty, order_date=when, arrival_date=when, status=status
            )
        got = inventory_frame([item], day, 0.95)
        self.assertEqual(int(got["on_order"].iloc[0]), item.on_order + 17)

    def test_holding_rate_is_converted_per_unit_and_day(self) -> None:
        item = Item.objects.order_by("sku").first()
        assert item is not None
        amount = item.holding_cost_per_day()
        item.holding_cost = None
        item.holding_rate = amount / float(item.unit_cost)
        item.save()
        self.assertAlmostEqual(item.holding_cost_per_day(), amount, places=12)


class ReplenishCommandTest(TestCase):
    """``replenish`` creates exactly the orders ReorderPlanner.plan calls for, once."""

    @classmethod
    def setUpTestData(cls) -> None:
        helpers.load()

    def test_orders_equal_the_direct_plan_and_rerun_is_idempotent(self) -> None:
        expected = expected_orders(direct_plan(PANEL_NEXT_DAY), PANEL_NEXT_DAY)
        self.assertGreater(len(expected), 0, "the demo day should call for some orders")
        self.assertLess(len(expected), helpers.N_SKUS, "and not for every item")
        out = replenish()  # default as-of: the day after the latest sale
        self.assertIn(f"as of {PANEL_NEXT_DAY}", out)
        self.assertIn(f"created {len(expected)} orders, 0 already existed", out)
        self.assertEqual(job_orders(PANEL_NEXT_DAY), expected)
        first_ids = set(Order.objects.values_list("id", flat=True))

        out = replenish("--as-of", PANEL_NEXT_DAY.isoformat())
        self.assertIn(f"created 0 orders, {len(expected)} already existed", out)
        self.assertEqual(set(Order.objects.values_list("id", flat=True)), first_ids)
        self.assertEqual(job_orders(PANEL_NEXT_DAY), expected)

    def test_past_day_and_options(self) -> None:
        day = dt.date(2011, 3, 1)
        expected = expected_orders(direct_plan(day, service_level=0.8, horizon=14), day)
        self.assertGreater(len(expected), 0)
        replenish(
            "--as-of", day.isoformat(), "--service-level", "0.8", "--horizon", "14",
            "--model", "croston_sba",
        )  # fmt: skip
        self.assertEqual(job_orders(day), expected)
        # a different target gives different quantities or items: the option is used
        self.assertNotEqual(expected_orders(direct_plan(day, service_level=0.99), day), expected)

    def test_next_day_counts_yesterdays_orders_as_on_order(self) -> None:
        replenish("--as-of", "2011-12-08")
        first = job_orders(dt.date(2011, 12, 8))
        self.assertGreater(len(first), 0)
        placed = {sku: qty for sku, qty, _, _ in first}
        day = PANEL_NEXT_DAY
        replenish("--as-of", day.isoformat())
        self.assertEqual(
            job_orders(day), expected_orders(direct_plan(day, extra_on_order=placed), day)
        )
        # without yesterday's orders the plan would differ: they are really counted
        self.assertNotEqual(job_orders(day), expected_orders(direct_plan(day), day))

    def test_item_service_level_overrides_the_default(self) -> None:
        sku = helpers.skus()[0]
        Item.objects.filter(sku=sku).update(service_level=0.999)
        day = PANEL_NEXT_DAY
        replenish("--dry-run", "-v", "2")
        self.assertFalse(Order.objects.exists())
        replenish()
        self.assertEqual(
            job_orders(day), expected_orders(direct_plan(day, item_levels={sku: 0.999}), day)
        )

    def test_dry_run_prints_the_plan_and_writes_nothing(self) -> None:
        expected = expected_orders(direct_plan(PANEL_NEXT_DAY), PANEL_NEXT_DAY)
        out = replenish("--dry-run", "--schedule")
        self.assertFalse(Order.objects.exists())
        self.assertIn("dry run: no orders written", out)
        self.assertIn("schedule over the horizon", out)
        for sku, qty, _, _ in expected:
            self.assertRegex(out, rf"\n  {sku}\s+order\s+{qty} ")

    def test_schedule_equals_the_direct_schedule(self) -> None:
        day = dt.date(2011, 9, 1)
        result = run_replenish(
            day, model="croston_sba", service_level=0.9, horizon=42, with_schedule=True
        )
        expected = direct_plan(day, service_level=0.9, horizon=42, schedule=True)
        assert result.schedule is not None
        self.assertGreater(len(result.created), 0)
        self.assertGreater(len(expected), len(result.created))  # later orders too
        pd.testing.assert_frame_equal(result.schedule, expected)
        # the schedule's orders dated today are the ones the job created
        today = expected[expected["order_date"] == pd.Timestamp(day)]
        self.assertEqual(
            {(str(s), int(q)) for s, q in zip(today["unique_id"], today["quantity"], strict=True)},
            {(o.item.sku, o.quantity) for o in result.created},
        )

    def test_items_without_history_are_reported_not_planned(self) -> None:
        Item.objects.create(sku="NEW-1", lead_time=7, unit_cost=1, holding_cost=0.01, order_cost=20)
        out = replenish("--dry-run")
        self.assertIn("no sales history (not planned): NEW-1", out)

    def test_bad_options_and_bad_items_raise_command_errors(self) -> None:
        for args, message in [
            (["--service-level", "1.5"], "strictly between 0 and 1"),
            (["--as-of", "10/12/2011"], "YYYY-MM-DD"),
            (["--horizon", "0"], "--horizon must be >= 1"),
        ]:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                replenish(*args)
        sku = helpers.skus()[1]
        Item.objects.filter(sku=sku).update(holding_cost=0.0)
        with self.assertRaisesMessage(CommandError, repr(sku)):
            replenish()  # the planner's error names the item
        self.assertFalse(Order.objects.exists())

    def test_no_sales_is_a_command_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "no sales recorded before 2009-12-01"):
            replenish("--as-of", "2009-12-01")  # the panel's first day
        Sale.objects.all().delete()
        with self.assertRaisesMessage(CommandError, "load_demo_data"):
            replenish()
