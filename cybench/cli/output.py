"""stdout carries data (tables, JSON); stderr carries messages for people.

Text from datasets, models and paths can contain square brackets, so every
message goes through `rich.markup.escape` before Rich prints it.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

TABLE_FORMATS = ("table", "csv", "json")


@cache
def err_console():  # -> rich.console.Console
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@cache
def out_console():  # -> rich.console.Console
    from rich.console import Console

    return Console(highlight=False)


def say(message: str, style: str | None = None) -> None:
    """Print a message for people on stderr, with markup escaped."""
    from rich.markup import escape

    err_console().print(escape(message), style=style)


def warn(message: str) -> None:
    say(f"warning: {message}", style="yellow")


def print_json(value: Any) -> None:
    """Write `value` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(value, indent=2, default=str, ensure_ascii=False) + "\n")
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
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(escape(str(column)), overflow="fold")
    for row in rows:
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    out_console().print(table)
