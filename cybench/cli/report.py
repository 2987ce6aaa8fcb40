"""The `cybench report` command."""

from __future__ import annotations

import typer

from cybench.cli._stub import not_built


def report(ctx: typer.Context) -> None:
    """Write an HTML, LaTeX or Markdown report of scored runs."""
    raise not_built("report")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
