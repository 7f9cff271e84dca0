"""``manage.py replenish``: forecast every item's demand from the sales in the database, plan
its next order with shelfcast's ReorderPlanner, and create the orders due today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from shelfcast import ShelfcastError

from inventory.forecasting import MODELS, NoSalesError
from inventory.replenishment import ReplenishResult, default_as_of, run_replenish


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise CommandError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from e


def _level(text: str) -> float:
    try:
        value = float(text)
    except ValueError as e:
        raise CommandError(f"--service-level must be a number, got {text!r}") from e
    if not 0.0 < value < 1.0:
        raise CommandError(f"--service-level must be strictly between 0 and 1, got {value}")
    return value


class Command(BaseCommand):
    """The daily replenishment job (``update_inventory``)."""

    help = (
        "Forecast each item's daily demand from the Sales table, plan reorder points and "
        "quantities (shelfcast ReorderPlanner, (s, Q) policy) and create a 'planned' Order "
        "for every item whose reorder date is the planning day. Re-running on the same day "
        "creates no duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare ``--as-of``, ``--service-level``, ``--model``, ``--horizon``,
        ``--schedule`` and ``--dry-run``."""
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="planning day YYYY-MM-DD (default: the day after the latest sale)",
        )
        parser.add_argument(
            "--service-level",
            type=_level,
            default=0.95,
            help="cycle service level for items without their own (default 0.95)",
        )
        parser.add_argument(
            "--model",
            choices=sorted(MODELS),
            default=settings.INVENTORY_DEFAULT_MODEL,
            help=f"forecasting model (default {settings.INVENTORY_DEFAULT_MODEL})",
        )
        parser.add_argument(
            "--horizon", type=int, default=28, help="days ahead to plan (default 28)"
        )
        parser.add_argument(
            "--schedule", action="store_true", help="also print every order over the horizon"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the plan, create no orders"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the job and print a summary (and the orders)."""
        as_of: dt.date | None = options["as_of"] or default_as_of()
        if as_of is None:
            raise CommandError("no sales recorded: run `manage.py load_demo_data` first")
        if options["horizon"] < 1:
            raise CommandError(f"--horizon must be >= 1, got {options['horizon']}")
        try:
            result = run_replenish(
                as_of,
                model=options["model"],
                service_level=options["service_level"],
                horizon=options["horizon"],
                dry_run=options["dry_run"],
                with_schedule=options["schedule"],
            )
        except NoSalesError as e:
            raise CommandError(str(e)) from e
        except ShelfcastError as e:
            raise CommandError(f"planning failed: {e}") from e
        self._report(result, options["dry_run"], int(options["verbosity"]))

    def __repr__(self) -> str:
        return "<replenish command>"

    def _report(self, result: ReplenishResult, dry_run: bool, verbosity: int) -> None:
        out = self.stdout
        plan = result.plan
        out.write(
            f"as of {result.as_of}: planned {len(plan)} items, {len(result.to_order)} to order "
            f"now, {int((plan['reorder_date'].notna() & ~plan['order_now']).sum())} later "
            f"within the horizon"
        )
        if result.no_history:
            out.write(f"no sales history (not planned): {', '.join(result.no_history)}")
        for row in result.to_order.itertuples(index=False):
            out.write(
                f"  {row.unique_id:<10} order {row.order_qty:>6} "
                f"(position {row.inventory_position:g}, reorder point {row.reorder_point:g}, "
                f"safety stock {row.safety_stock:.1f})"
            )
        if verbosity >= 2:
            out.write(plan.to_string(index=False))
        if result.schedule is not None:
            out.write(f"schedule over the horizon ({len(result.schedule)} orders):")
            out.write(result.schedule.to_string(index=False))
        if dry_run:
            out.write("dry run: no orders written")
        else:
            out.write(
                self.style.SUCCESS(
                    f"created {len(result.created)} orders, {len(result.existing)} already "
                    f"existed for {result.as_of}"
                )
            )
