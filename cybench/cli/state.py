"""Options shared by every command, and the store they select."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

STORE_ENV = "CYBENCH_STORE"  # also read by cybench.store.store


@dataclass
class AppState:
    """Global options, set by the top-level callback."""

    store_path: Path | None = None
    json_output: bool = False

    def store(self):  # -> cybench.store.Store
        from cybench.store.store import Store, resolve_store_path

        return Store(resolve_store_path(self.store_path))


def state(ctx: typer.Context) -> AppState:
    """Return the global options of this invocation."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def wants_json(ctx: typer.Context, local_flag: bool) -> bool:
    return local_flag or state(ctx).json_output


StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help=f"Store folder (default ./store, or ${STORE_ENV}).",
        show_default=False,
    ),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Write machine-readable JSON to stdout.")
]
