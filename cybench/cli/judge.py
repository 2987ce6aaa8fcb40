"""The `cybench judge` command."""

from __future__ import annotations

import typer

from cybench.cli._stub import not_built


def judge(ctx: typer.Context) -> None:
    """Rate each response's explanation with a judge model and a versioned rubric."""
    raise not_built("judge")


def register(app: typer.Typer) -> None:
    app.command("judge")(judge)
