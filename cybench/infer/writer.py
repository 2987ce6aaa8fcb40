"""Buffered appends of response rows to the store's row table.

Rows wait in memory until `flush_rows` of them are buffered or
`flush_seconds` have passed since the last append, then go to the row table
as one atomic batch. A killed process loses at most the rows buffered since
the last append. `flush` also runs on Ctrl-C and on errors, so those lose only
the requests still in flight.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from cybench.infer.rows import response_schema

if TYPE_CHECKING:
    from cybench.store.rows import RowTable

log = logging.getLogger(__name__)


class RowWriter:
    """Collects response rows and appends them in batches."""

    def __init__(self, table: RowTable, flush_rows: int, flush_seconds: float) -> None:
        self.table = table
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self.pending: list[dict[str, Any]] = []
        self.written = 0
        self._last_flush = time.monotonic()
        self._schema = response_schema()

    def add(self, row: dict[str, Any]) -> None:
        self.pending.append(row)
        if self.due():
            self.flush()

    def due(self) -> bool:
        """Return whether the buffer is full or old enough to append."""
        if not self.pending:
            return False
        if len(self.pending) >= self.flush_rows:
            return True
        return time.monotonic() - self._last_flush >= self.flush_seconds

    def flush(self) -> None:
        """Append every buffered row as one batch."""
        self._last_flush = time.monotonic()
        if not self.pending:
            return
        import pyarrow as pa

        rows, self.pending = self.pending, []
        batch = pa.Table.from_pylist(rows, schema=self._schema)
        self.table.append(batch)
        self.written += len(rows)
        log.debug("appended %d response rows to %s", len(rows), self.table.folder)
