"""The `cybench fetch` and `cybench datasets` commands."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cybench.cli.output import (
    TABLE_FORMATS,
    check_format,
    print_json,
    print_rows,
    say,
    warn,
)
from cybench.cli.state import JsonFlag, state, wants_json

# `--path FILE:LABEL`: the label is letters, digits, `_` or `-` after the last colon.
LABEL_SUFFIX = re.compile(r"^(?P<path>.+):(?P<label>[A-Za-z][A-Za-z0-9_-]*)$")


def split_path_label(value: str) -> tuple[str, str | None]:
    """Split `PATH:LABEL` into its parts; a path that exists as given has no label."""
    match = LABEL_SUFFIX.match(value)
    if match is None or Path(value).exists():
        return value, None
    return match.group("path"), match.group("label")


def fetch(
    ctx: typer.Context,
    dataset: Annotated[
        str, typer.Argument(help="Dataset name; `cybench datasets` lists them.")
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Where to fetch from: kaggle, hf, url or path (default: the dataset's "
            "default, a local copy for the flow datasets).",
            show_default=False,
        ),
    ] = None,
    path: Annotated[
        list[str] | None,
        typer.Option(
            "--path",
            help="Local file or folder to read, repeatable. `PATH:LABEL` gives the "
            "label "
            "of an unlabelled email source.",
            show_default=False,
        ),
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            "--ref",
            help="Remote name: Kaggle owner/slug or Hugging Face repo id "
            "(default: the dataset's usual copy).",
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url", help="URL to download (implies --source url).", show_default=False
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Read and check the files but write nothing."),
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Fetch a dataset into the store from Kaggle, Hugging Face, a URL or a path."""
    from cybench.datasets.duck import ctrl_c_from_queries
    from cybench.datasets.fetch import ensure_fetch

    store = state(ctx).store()
    pairs = [split_path_label(p) for p in path or []]
    if url:
        source, ref = source or "url", url
    if pairs and source is None:
        source = "path"
    labels = [label for _, label in pairs]
    began = datetime.now(UTC)
    with ctrl_c_from_queries():
        manifest = ensure_fetch(
            store,
            dataset,
            source=source,
            paths=[p for p, _ in pairs],
            labels=labels if any(labels) else [],
            ref=ref,
            dry_run=dry_run,
        )
    for message in manifest.meta.get("warnings", []):
        warn(message)
    if wants_json(ctx, json_output):
        print_json(manifest.model_dump(mode="json"))
        return
    # An artifact written before this command began was found, not written.
    report_fetch(manifest, reused=manifest.created_at < began)


def report_fetch(manifest, reused: bool = False) -> None:
    """Print what fetch stored (or reused) and its licence to stderr, its key to stdout.

    `manifest` is a `cybench.store.Manifest`.
    """
    meta = manifest.meta
    files = meta.get("files", [])
    partition = f", partition {meta['partition']}" if meta.get("partition") else ""
    verb = "reused" if reused else "stored"
    if meta.get("dry_run"):
        verb = "would store"
    say(
        f"{verb} {meta.get('title', manifest.params.get('dataset'))}: "
        f"{manifest.rows:,} raw rows from {len(files)} file(s){partition}"
    )
    say(f"licence: {meta.get('licence') or 'unknown'}")
    say(f"cite: {meta.get('citation') or 'none recorded for these files'}")
    typer.echo(manifest.key)


def datasets(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help=f"Output format: {', '.join(TABLE_FORMATS)}."
        ),
    ] = "table",
    json_output: JsonFlag = False,
) -> None:
    """List the known datasets, their licence and citation, and what is fetched."""
    from cybench.datasets.catalog import dataset_rows

    fmt = "json" if wants_json(ctx, json_output) else check_format(fmt)
    columns, rows = dataset_rows(state(ctx).store(), short_keys=fmt == "table")
    if fmt != "table":
        print_rows(columns, rows, fmt)
        return
    # A terminal table has no room for citations, so they follow on stderr.
    keep = [i for i, c in enumerate(columns) if c != "citation"]
    print_rows([columns[i] for i in keep], [[r[i] for i in keep] for r in rows], fmt)
    cite = columns.index("citation")
    for row in rows:
        say(f"{row[0]}: cite {row[cite]}")


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch)
    app.command("datasets")(datasets)
