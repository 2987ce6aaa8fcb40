"""The `cybench infer` command."""

from __future__ import annotations

import typer

from cybench.cli._stub import not_built


def infer(ctx: typer.Context) -> None:
    """Run a model on a prep's prompts and store one response per prompt."""
    raise not_built("infer")


def register(app: typer.Typer) -> None:
    app.command("infer")(infer)
