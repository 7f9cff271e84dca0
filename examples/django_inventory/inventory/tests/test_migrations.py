"""The committed migrations match the models."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase


class MigrationsTest(TestCase):
    """``makemigrations --check`` finds nothing to do."""

    def test_no_missing_migrations(self) -> None:
        out = StringIO()
        call_command("makemigrations", "inventory", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())
