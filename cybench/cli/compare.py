"""The `cybench compare` command."""

from __future__ import annotations

import typer

from cybench.cli._stub import not_built


def compare(ctx: typer.Context) -> None:
    """Compare scored runs on the same samples with paired significance tests."""
    raise not_built("compare")


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
