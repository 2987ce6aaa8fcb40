"""The `cybench fetch` command."""

from __future__ import annotations

import typer

from cybench.cli._stub import not_built


def fetch(ctx: typer.Context) -> None:
    """Fetch a dataset's raw files into the store (Kaggle, Hugging Face, URL or a local path)."""
    raise not_built("fetch")


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch)
