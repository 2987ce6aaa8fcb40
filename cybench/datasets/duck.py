"""DuckDB connections for dataset work.

DuckDB's own progress bar writes to stdout, which carries data in cybench, so
every connection here turns it off. Long phases show Rich progress on stderr.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


def connect(
    memory_limit: str | None = None, temp_directory: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB connection without the stdout progress bar.

    `memory_limit` (DuckDB syntax, e.g. `512MB`) caps DuckDB's own buffers, so
    large aggregations spill to DuckDB's temporary directory instead of growing.
    """
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_directory:
        con.execute("SET temp_directory = $path", {"path": temp_directory})
    return con


def is_query_interrupt(exc: BaseException) -> bool:
    """Return whether `exc` is DuckDB's report of a query stopped by Ctrl-C.

    DuckDB 2.0.1 catches SIGINT during a query and raises
    `RuntimeError("Query interrupted")`; its module also defines
    `duckdb.InterruptException` for the same event.
    """
    if type(exc).__name__ == "InterruptException":
        return True
    return isinstance(exc, RuntimeError) and str(exc).strip() == "Query interrupted"


@contextmanager
def ctrl_c_from_queries() -> Iterator[None]:
    """Re-raise a DuckDB query interrupted by Ctrl-C as KeyboardInterrupt."""
    try:
        yield
    except Exception as exc:
        if is_query_interrupt(exc):
            raise KeyboardInterrupt from exc
        raise
