"""``manage.py load_demo_data --skus N``: the bundled Online Retail best sellers as Items and
Sales (with the synthetic demo inventory snapshot)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inventory.demo import load_demo


class Command(BaseCommand):
    """Load the bundled demo sales and inventory into the database."""

    help = (
        "Load the N best-selling SKUs of shelfcast's bundled Online Retail panel (UCI, CC BY "
        "4.0) as Items with their daily Sales, and the synthetic demo inventory snapshot."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare ``--skus`` and ``--flush``."""
        parser.add_argument("--skus", type=int, default=20, help="how many SKUs (default 20)")
        parser.add_argument(
            "--flush", action="store_true", help="delete every Item, Sale and Order first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Load the data and print how many rows were written."""
        try:
            items, sales = load_demo(options["skus"], flush=options["flush"])
        except ValueError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"loaded {items} items and {sales} sales")

    def __repr__(self) -> str:
        return "<load_demo_data command>"
