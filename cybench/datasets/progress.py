"""Rich progress on stderr for the long phases of fetch and prep.

DuckDB reads and casts millions of rows in single calls that report no
progress of their own, so each phase shows a spinner with its name and
elapsed time instead of a percentage.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


class StepProgress:
    """One spinner line per phase; `update` finishes the current phase."""

    def __init__(self, progress: Any, title: str) -> None:
        self._progress = progress
        self._title = title
        self._task: Any = None

    def update(self, phase: str) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=1, total=1)
        self._task = self._progress.add_task(f"{self._title}: {phase}", total=None)


@contextlib.contextmanager
def step_progress(title: str) -> Iterator[StepProgress]:
    """Show the phases of one step on stderr while the block runs."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from cybench.cli.output import err_console

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    console = err_console()
    # A non-terminal stderr (a log file, a test) gets no spinner and no blank lines.
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        yield StepProgress(progress, title)
