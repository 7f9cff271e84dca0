"""A minimal progress bar on stderr, driven by a polling thread.

The native core counts finished series in an atomic counter while it runs with the GIL
released; this thread reads that counter a few times a second and redraws one line.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)


class Progress:
    """Context manager that shows ``label [####....] done/total`` while a job runs.

    Args:
        label: text before the bar.
        total: number of units of work.
        poll: callable returning the units done so far.
        enabled: draw nothing when False (or when total is 0).
    """

    def __init__(self, label: str, total: int, poll: Callable[[], int], enabled: bool) -> None:
        self.label, self.total, self.poll = label, total, poll
        self.enabled = enabled and total > 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _draw(self, done: int) -> None:
        width = 30
        filled = int(width * done / self.total)
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}"
        )
        sys.stderr.flush()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._draw(min(self.poll(), self.total))

    def __enter__(self) -> Progress:
        if self.enabled:
            self._start = time.perf_counter()
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.enabled and exc_type is None:
            log.debug("%s: %d units in %.2fs", self.label, self.total, self._elapsed())
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            if exc_type is None:
                self._draw(self.total)
                sys.stderr.write(f" ({self._elapsed():.1f}s)\n")
            else:
                sys.stderr.write("\n")
            sys.stderr.flush()

    def _elapsed(self) -> float:
        return time.perf_counter() - self._start

    def __repr__(self) -> str:
        return f"Progress(label={self.label!r}, total={self.total})"
