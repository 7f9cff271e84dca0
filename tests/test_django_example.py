"""Run the Django example's own test suite (``examples/django_inventory``) with Django's test
runner in a subprocess, so the normal pytest run covers it without configuring Django here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "django_inventory"
#: The example has more tests than this; fewer means some were not discovered.
MIN_TESTS = 25


def test_django_example_suite(capsys: pytest.CaptureFixture[str]) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "manage.py", "test", "inventory", "--noinput", "-v", "2"],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    ran = re.search(r"^Ran (\d+) tests? in ([\d.]+)s$", output, re.MULTILINE)
    assert ran is not None, output
    assert int(ran.group(1)) >= MIN_TESTS, output
    assert re.search(r"^OK\b", output, re.MULTILINE), output
    with capsys.disabled():
        print(f"\nDjango example: {ran.group(1)} tests passed, {seconds:.1f}s with start-up")
