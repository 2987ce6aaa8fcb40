"""stdout carries data (tables, JSON); stderr carries messages for people.

Text from datasets, models and paths can contain square brackets, emoji codes
such as `:x:` and terminal control sequences. Every message and table cell goes
through `printable` (control characters shown as `\\xNN`) and
`rich.markup.escape`, and the consoles have emoji replacement off, so such text
prints literally. CSV and JSON output keep the data as it is; JSON escapes
control characters itself.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

TABLE_FORMATS = ("table", "csv", "json")

# C0 and C1 control characters except tab and newline, plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def check_format(fmt: str, allowed: Sequence[str] = TABLE_FORMATS) -> str:
    """Return `fmt` if it is one of `allowed`; raise UsageError naming it otherwise."""
    from cybench.errors import UsageError

    if fmt not in allowed:
        raise UsageError(
            f"invalid --format value {fmt!r}", hint=f"use one of {', '.join(allowed)}"
        )
    return fmt


def printable(text: str) -> str:
    """Return `text` with terminal control characters shown as `\\xNN` escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def literal(text: str) -> str:
    """Return `text` ready for Rich: control characters and markup escaped."""
    from rich.markup import escape

    return escape(printable(text))


# Width of tables written to a file or pipe. Rich's default of 80 columns
# wraps the comparison tables mid-word; COLUMNS still overrides this.
PIPE_WIDTH = 160


def _width(stream) -> int | None:
    """Return None (Rich decides) on a terminal or with COLUMNS set, else PIPE_WIDTH."""
    if "COLUMNS" in os.environ or stream.isatty():
        return None
    return PIPE_WIDTH


@cache
def err_console():  # -> rich.console.Console
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False, width=_width(sys.stderr))


@cache
def out_console():  # -> rich.console.Console
    from rich.console import Console

    return Console(highlight=False, emoji=False, width=_width(sys.stdout))


def say(message: str, style: str | None = None) -> None:
    """Print a message for people on stderr, printed literally."""
    err_console().print(literal(message), style=style)


def warn(message: str) -> None:
    say(f"warning: {message}", style="yellow")


def print_json(value: Any) -> None:
    """Write `value` as indented JSON on stdout."""
    sys.stdout.write(
        json.dumps(value, indent=2, default=str, ensure_ascii=False) + "\n"
    )
    sys.stdout.flush()


def print_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    title: str | None = None,
) -> None:
    """Write rows to stdout as a Rich table, CSV or a JSON list of objects."""
    if fmt == "json":
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(literal(str(column)), overflow="fold")
    for row in rows:
        table.add_row(*(literal("" if v is None else str(v)) for v in row))
    out_console().print(table)
