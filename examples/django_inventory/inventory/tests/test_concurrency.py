"""Threads: concurrent requests and predictions equal a serial run, the first requests fit
once, and the native fit releases the GIL (a Python thread runs while it works)."""

from __future__ import annotations

import datetime as dt
import pickle
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from django.db import connections
from django.test import Client, TestCase, TransactionTestCase, override_settings
from shelfcast import _core

from inventory import forecasting
from inventory.data import sales_frame
from inventory.models import Item

from . import helpers

T = TypeVar("T")
N_THREADS = 8
PANEL_END = dt.date(2011, 12, 9)


def in_threads(n: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(0) .. work(n - 1)`` in ``n`` threads released together; re-raise errors.

    Each thread closes its own database connections when done.
    """
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as e:  # reported by the main thread below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


class ConcurrentRequestsTest(TransactionTestCase):
    """Requests from 8 threads (a test Client each) against the cached forecaster."""

    def setUp(self) -> None:
        helpers.load()
        forecasting.clear()

    def tearDown(self) -> None:
        forecasting.clear()

    def test_concurrent_requests_equal_a_serial_run(self) -> None:
        ids = list(Item.objects.order_by("sku").values_list("id", flat=True))
        # two requests per thread: several items, horizons and level sets at once
        urls = [
            f"/items/{ids[i % len(ids)]}/forecast?h={5 + 4 * i}&level={50 + 3 * i}&level=95"
            for i in range(2 * N_THREADS)
        ]

        def fetch(url: str, client: Client) -> Any:
            response = client.get(url)
            self.assertEqual(response.status_code, 200, response.content)
            return response.json()

        for backend in forecasting.CACHE_BACKENDS:
            with (
                self.subTest(backend=backend),
                override_settings(INVENTORY_FORECASTER_CACHE=backend),
            ):
                forecasting.clear()
                serial = [fetch(url, Client()) for url in urls]
                self.assertEqual(forecasting.stats.fits, 1)
                forecasting.clear()  # cold again: all threads miss the cache at once

                def thread(i: int) -> list[Any]:
                    client = Client()
                    return [fetch(urls[2 * i], client), fetch(urls[2 * i + 1], client)]

                concurrent = [r for pair in in_threads(N_THREADS, thread) for r in pair]
                self.assertEqual(forecasting.stats.fits, 1, "concurrent first requests fit once")
                self.assertEqual(concurrent, serial)
                self.assertEqual(len({r["sku"] for r in serial}), len(ids))

    def test_concurrent_predict_on_one_shared_forecaster(self) -> None:
        fitted = forecasting.get_forecaster("imapa", backend="process")
        blob = pickle.dumps(fitted.forecaster)  # untouched copies for the serial run
        horizons = [7 + 3 * i for i in range(N_THREADS)] * 2  # 16 calls, each h twice

        def thread(i: int) -> list[pd.DataFrame]:
            return [
                fitted.forecaster.predict(horizons[2 * i], level=[80, 95], quantiles=[0.5]),
                fitted.forecaster.predict(horizons[2 * i + 1], level=[80, 95], quantiles=[0.5]),
            ]

        concurrent = [frame for pair in in_threads(N_THREADS, thread) for frame in pair]
        serial_fc = pickle.loads(blob)
        for h, got in zip(horizons, concurrent, strict=True):
            pd.testing.assert_frame_equal(
                got, serial_fc.predict(h, level=[80, 95], quantiles=[0.5])
            )
        self.assertEqual(forecasting.stats.fits, 1)


class GilReleaseTest(TestCase):
    """A pure-Python thread keeps counting while a native fit runs in another thread."""

    @classmethod
    def setUpTestData(cls) -> None:
        helpers.load()

    def test_python_thread_runs_while_the_native_fit_works(self) -> None:
        history = sales_frame(PANEL_END)
        lengths = history.groupby("unique_id", sort=False).size().to_numpy()
        copies = 4  # the test SKUs four times over: most of a second of AutoETS fitting
        y = np.tile(history["y"].to_numpy(dtype=np.float64), copies)
        offsets = np.concatenate(([0], np.cumsum(np.tile(lengths, copies)))).astype(np.int64)
        n_series = len(offsets) - 1
        core = _core.DemandForecaster([("AutoETS", {"season_length": 7.0}, {"model": "ZZZ"})])

        done = threading.Event()
        started = threading.Event()
        counts = {"total": 0, "mid_fit": 0}
        seen: set[int] = set()

        def counter() -> None:  # pure Python: needs the GIL for every step
            started.set()
            while not done.is_set():
                counts["total"] += 1
                p = core.progress  # series the native fit has finished so far
                if 0 < p < n_series:
                    counts["mid_fit"] += 1
                    seen.add(p)

        def steps_during(call: Callable[[], object]) -> int:
            before = counts["total"]
            call()
            return counts["total"] - before

        # the control: a C call that holds the GIL (sorting floats runs no Python bytecode)
        floats = np.random.default_rng(0).random(1_000_000).tolist()
        thread = threading.Thread(target=counter)
        thread.start()
        started.wait()
        native = steps_during(lambda: core.fit(y, offsets))  # one native call, this thread
        holding = steps_during(lambda: sorted(floats))
        done.set()
        thread.join()

        self.assertEqual(core.progress, n_series)
        # Had fit() held the GIL, the counter could not have run between the first and the
        # last finished series: it would never see 0 < progress < n_series.
        self.assertGreater(counts["mid_fit"], 0, counts)
        self.assertGreaterEqual(native, counts["mid_fit"])
        # ... and it would have been frozen, as it is (bar at most one switch interval at
        # the call's edges) while sorted() holds the GIL
        self.assertGreater(native, holding)
        print(  # shown when run by hand
            f"\n  counter steps during the native fit of {n_series} series: {native} "
            f"({counts['mid_fit']} while it was part-way, {len(seen)} of {n_series - 1} "
            f"intermediate progress values seen); during a GIL-holding sort: {holding}"
        )
