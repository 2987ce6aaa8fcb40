"""DuckDB connections for dataset work.

DuckDB's own progress bar writes to stdout, which carries data in cybench, so
every connection here turns it off; long phases show Rich progress on stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


def connect() -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB connection without the stdout progress bar."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con
