"""The `cybench prep` command."""

from __future__ import annotations

import typer

from cybench.cli._stub import not_built


def prep(ctx: typer.Context) -> None:
    """Clean, deduplicate, split and sample a fetched dataset, and render prompts."""
    raise not_built("prep")


def register(app: typer.Typer) -> None:
    app.command("prep")(prep)
