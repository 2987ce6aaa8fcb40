"""Progress on stderr: done/total, rate, ETA, cache hits, retries, errors.

On a terminal it is a Rich progress bar. Off a terminal (stderr is a file or a
pipe) Rich does not redraw, so a plain line is written at the start, at most
every PLAIN_INTERVAL_S while the run lasts, and at the end.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

UPDATE_INTERVAL_S = 0.1
PLAIN_INTERVAL_S = 10.0


@dataclass
class RunStats:
    """Counters of one run; `done` counts rows finished in this run."""

    total: int = 0
    cache_hits: int = 0
    requests: int = 0
    retries: int = 0
    errors: int = 0
    done: int = 0


def plain_line(description: str, stats: RunStats, elapsed_s: float) -> str:
    """Return one progress line: done/total, rate, ETA and the counters."""
    done = stats.cache_hits + stats.done
    rate = stats.done / elapsed_s if elapsed_s > 0 else 0.0
    remaining = stats.total - done
    eta = f"{remaining / rate:.0f}s" if rate > 0 else "unknown"
    return (
        f"{description}: {done}/{stats.total}  {rate:.2f}/s  eta {eta}  "
        f"elapsed {elapsed_s:.0f}s  cached {stats.cache_hits}  "
        f"retries {stats.retries}  errors {stats.errors}"
    )


class PlainProgress:
    """Plain progress lines on stderr, from a daemon thread every `interval_s`."""

    def __init__(self, stats: RunStats, description: str, interval_s: float) -> None:
        self.stats = stats
        self.description = description
        self.interval_s = interval_s
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def start(self) -> None:
        self._write()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._write()

    def _tick(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._write()

    def _write(self) -> None:
        elapsed = time.monotonic() - self._started
        line = plain_line(self.description, self.stats, elapsed)
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


class ProgressDisplay:
    """A Rich progress bar fed from `RunStats`; a no-op when disabled.

    When stderr is not a terminal, `PlainProgress` lines replace the bar.
    """

    def __init__(self, stats: RunStats, enabled: bool, description: str) -> None:
        self.stats = stats
        self.enabled = enabled
        self.description = description
        self._progress: Any = None
        self._plain: PlainProgress | None = None
        self._task: Any = None
        self._last = 0.0

    def __enter__(self) -> ProgressDisplay:
        if not self.enabled:
            return self
        if not sys.stderr.isatty():
            self._plain = PlainProgress(self.stats, self.description, PLAIN_INTERVAL_S)
            self._plain.start()
            return self
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=Console(stderr=True, highlight=False),
        )
        self._progress.start()
        self._task = self._progress.add_task(
            escape(self.description),
            total=self.stats.total,
            completed=self.stats.cache_hits,
            rate="",
            counts="",
        )
        self.update(force=True)
        return self

    def update(self, force: bool = False) -> None:
        """Redraw from the counters, at most every UPDATE_INTERVAL_S."""
        if self._progress is None:
            return
        now = time.monotonic()
        if not force and now - self._last < UPDATE_INTERVAL_S:
            return
        self._last = now
        stats = self.stats
        task = self._progress.tasks[0]
        speed = task.speed
        self._progress.update(
            self._task,
            completed=stats.cache_hits + stats.done,
            rate=f"{speed:.1f}/s" if speed else "",
            counts=f"cached {stats.cache_hits}  retries {stats.retries}  "
            f"errors {stats.errors}",
        )

    def __exit__(self, *exc: object) -> None:
        if self._plain is not None:
            self._plain.stop()
        if self._progress is not None:
            self.update(force=True)
            self._progress.stop()
