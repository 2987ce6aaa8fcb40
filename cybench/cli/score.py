"""The `cybench score` command."""

from __future__ import annotations

import typer

from cybench.cli._stub import not_built


def score(ctx: typer.Context) -> None:
    """Compute detection metrics with confidence intervals for one or more runs."""
    raise not_built("score")


def register(app: typer.Typer) -> None:
    app.command("score")(score)
