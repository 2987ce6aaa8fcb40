"""Strict CSV reading into all-string Arrow tables, with errors that name file and line.

DuckDB's reader does the parsing: it skips a UTF-8 byte order mark, accepts LF
and CRLF line endings, and reports the line of a row with the wrong number of
fields. Every column is read as text so the raw artifact keeps the values as
published; cleaning casts them later.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cybench.datasets.base import display_name
from cybench.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

SNIFF_BYTES = 64 * 1024
LINE_COLUMN = "source_line"


def check_text_file(path: Path) -> str:
    """Return the first line of a text file; raise DataError if empty or binary."""
    shown = display_name(path)
    if not path.is_file():
        raise DataError(f"{shown}: file not found", hint="check the --path value")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise DataError(f"{shown}: file is empty", hint="fetch the file again")
    if b"\x00" in head:
        offset = head.index(b"\x00")
        line = head[:offset].count(b"\n") + 1
        raise DataError(
            f"{shown}:{line}: binary data (NUL byte at offset {offset}), "
            "not a CSV file",
            hint="give the extracted CSV, not an archive or a corrupt download",
        )
    first = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf").rstrip(b"\r")
    try:
        return first.decode("utf-8")
    except UnicodeDecodeError:
        return first.decode("cp1252", errors="replace")


def count_fields(line: str) -> int:
    """Return the number of comma-separated fields of one CSV line."""
    import csv

    return len(next(csv.reader([line])))


def read_csv_strings(
    path: Path, names: Sequence[str], *, header: bool, label: str | None = None
) -> pa.Table:
    """Read a CSV file into a table of string columns named `names`.

    Every row must have exactly `len(names)` fields; blank cells become empty
    strings. A `source_line` column holds each row's 1-based line number in the
    file, so later checks can name the line of a bad value (this assumes no
    quoted field spans lines, which is true of the flow datasets).
    """
    import duckdb
    import pyarrow as pa

    from cybench.datasets.duck import connect, is_query_interrupt

    columns = {f"c{i}": "VARCHAR" for i in range(len(names))}
    con = connect()
    try:
        with readable_path(path) as readable:
            relation = con.read_csv(
                readable,
                header=header,
                columns=columns,
                delimiter=",",
                quotechar='"',
                escapechar='"',
                auto_detect=False,
                strict_mode=True,
                null_padding=False,
                allow_quoted_nulls=False,
                encoding="utf-8",
            )
            table = relation.to_arrow_table()
    except duckdb.Error as exc:
        if is_query_interrupt(exc):
            raise KeyboardInterrupt from exc
        raise csv_error(path, exc, len(names), label) from exc
    finally:
        con.close()

    table = table.rename_columns(list(names))
    start = 2 if header else 1
    lines = pa.array(range(start, start + table.num_rows), type=pa.int64())
    return table.append_column(LINE_COLUMN, lines)


@contextmanager
def readable_path(path: Path) -> Iterator[str]:
    """Yield a name of `path` that DuckDB accepts.

    DuckDB takes file names as UTF-8 text, so a name with undecodable bytes
    is read through a symbolic link with a plain name in a temporary folder.
    """
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        yield name
        return
    with tempfile.TemporaryDirectory(prefix="cybench-csv-") as folder:
        link = os.path.join(folder, "input.csv")
        os.symlink(os.path.abspath(path), link)
        yield link


def csv_error(
    path: Path, exc: Exception, expected: int, label: str | None
) -> DataError:
    """Translate a DuckDB CSV error into one line naming the file and line."""
    text = str(exc)
    line = re.search(r"Line: (\d+)", text)
    shown = display_name(path)
    where = f"{shown}:{line.group(1)}" if line else shown
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    what = label or "this dataset"
    if found:
        return DataError(
            f"{where}: expected {found.group(1)} fields, found {found.group(2)} "
            "(truncated or malformed row)",
            hint=f"check that the file is a complete {what} CSV",
        )
    too_long = re.search(
        r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)", text
    )
    if too_long:
        return DataError(
            f"{where}: line of {int(too_long.group(2)):,} bytes is over DuckDB's "
            f"{int(too_long.group(1)):,}-byte limit, so a field is too large",
            hint=f"give the original {what} CSV file; its records are short",
        )
    if "unicode" in text.lower() or "utf" in text.lower():
        return DataError(
            f"{where}: invalid UTF-8 text", hint=f"give the original {what} CSV file"
        )
    first = text.splitlines()[0] if text else exc.__class__.__name__
    return DataError(
        f"{where}: cannot parse CSV ({first})",
        hint=f"check that the file is a complete {what} CSV with {expected} fields",
    )
