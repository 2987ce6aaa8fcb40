"""Rich progress on stderr: done/total, rate, ETA, cache hits, retries, errors."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

UPDATE_INTERVAL_S = 0.1


@dataclass
class RunStats:
    """Counters of one run; `done` counts rows finished in this run."""

    total: int = 0
    cache_hits: int = 0
    requests: int = 0
    retries: int = 0
    errors: int = 0
    done: int = 0


class ProgressDisplay:
    """A Rich progress bar fed from `RunStats`; a no-op when disabled."""

    def __init__(self, stats: RunStats, enabled: bool, description: str) -> None:
        self.stats = stats
        self.enabled = enabled
        self.description = description
        self._progress: Any = None
        self._task: Any = None
        self._last = 0.0

    def __enter__(self) -> ProgressDisplay:
        if not self.enabled:
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
        if self._progress is not None:
            self.update(force=True)
            self._progress.stop()
