"""`cybench store`: list, inspect, query, verify, clean and export artifacts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cybench.cli.output import (
    TABLE_FORMATS,
    check_format,
    print_json,
    print_rows,
    say,
)
from cybench.cli.state import JsonFlag, state, wants_json
from cybench.errors import CybenchError, StoreError, UsageError

app = typer.Typer(
    help="Inspect and maintain the artifact store (DuckDB views over Parquet files).",
    no_args_is_help=True,
)

# Artifact kinds the steps write; `store ls --kind` accepts these.
KINDS = ("raw", "samples", "prompts", "responses", "judgments", "scores", "comparison")

FormatOption = Annotated[
    str,
    typer.Option("--format", "-f", help=f"Output format: {', '.join(TABLE_FORMATS)}."),
]


@app.command("ls")
def ls(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only artifacts of this kind, e.g. prompts."),
    ] = None,
    fmt: FormatOption = "table",
    json_output: JsonFlag = False,
) -> None:
    """List artifacts, oldest first: key, kind, step, rows, creation time."""
    fmt = "json" if wants_json(ctx, json_output) else check_format(fmt, TABLE_FORMATS)
    if kind is not None and kind not in KINDS:
        raise UsageError(
            f"unknown artifact kind {kind!r}", hint=f"use one of {', '.join(KINDS)}"
        )
    store = state(ctx).store()
    manifests = store.manifests(kind)
    rows = [
        (
            m.key if fmt != "table" else m.short_key,
            m.kind,
            m.step,
            m.rows,
            m.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            _summary(m.params),
        )
        for m in manifests
    ]
    print_rows(["key", "kind", "step", "rows", "created_utc", "params"], rows, fmt)
    if fmt == "table":
        say(f"{len(manifests)} artifacts in {store.root}")


def _summary(params: dict) -> str:
    parts = [f"{k}={v}" for k, v in params.items() if isinstance(v, str | int | float)]
    text = " ".join(parts)
    return text if len(text) <= 60 else text[:57] + "..."


@app.command("show")
def show(
    ctx: typer.Context,
    key_prefix: Annotated[str, typer.Argument(help="Key or unique key prefix.")],
    head: Annotated[int, typer.Option("--head", help="Also print this many rows.")] = 0,
) -> None:
    """Print an artifact's manifest as JSON, and optionally its first rows."""
    store = state(ctx).store()
    manifest = store.resolve(key_prefix)
    print_json(manifest.model_dump(mode="json"))
    if head > 0:
        table = store.read_table(manifest).slice(0, head)
        print_rows(table.column_names, [tuple(r.values()) for r in table.to_pylist()])


@app.command("sql")
def sql(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help="SQL over the views artifacts, samples, "
            "prompts, responses, judgments, scores, ..."
        ),
    ],
    fmt: FormatOption = "table",
    json_output: JsonFlag = False,
) -> None:
    """Run a read-only DuckDB query over the store's views and print the result.

    The query can read the store's own files only: it cannot read, write or
    attach other files, or install extensions.
    """
    import duckdb

    from cybench.store.query import lock_down

    fmt = "json" if wants_json(ctx, json_output) else check_format(fmt, TABLE_FORMATS)
    if not query.strip():
        raise UsageError(
            "empty SQL query", hint='pass a query, e.g. "SELECT * FROM artifacts"'
        )
    store = state(ctx).store()
    with store.connect() as con:
        lock_down(con, store)
        try:
            result = con.execute(query)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            views = ", ".join(r[0] for r in con.execute("SHOW TABLES").fetchall())
            raise UsageError(
                f"query failed: {first}", hint=f"views here: {views}"
            ) from exc
        if result.description is None:
            return
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    print_rows(columns, rows, fmt)


@app.command("verify")
def verify(ctx: typer.Context, json_output: JsonFlag = False) -> None:
    """Re-derive every key and content digest; name each bad file; exit 1 if any."""
    from cybench.store.maintenance import verify as run_verify

    store = state(ctx).store()
    checked, problems = run_verify(store)
    if wants_json(ctx, json_output):
        print_json(
            {
                "checked": checked,
                "problems": [
                    {"path": str(p.path), "problem": p.problem} for p in problems
                ],
            }
        )
    else:
        for p in problems:
            sys.stdout.write(f"{p.path}: {p.problem}\n")
        say(f"checked {checked} files, {len(problems)} problems")
    if problems:
        raise StoreError(
            f"{len(problems)} damaged files in {store.root}",
            hint="remove them with `cybench store gc` after `cybench store rm`, "
            "or re-run the step that wrote them",
        )


@app.command("gc")
def gc(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List, remove nothing.")
    ] = False,
    compact: Annotated[
        bool, typer.Option("--compact", help="Also merge each row table's batches.")
    ] = False,
) -> None:
    """Remove dropped artifacts no kept artifact needs, stray and temporary files."""
    from cybench.store.maintenance import gc as run_gc

    store = state(ctx).store()
    removed = run_gc(store, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for path in removed:
        sys.stdout.write(f"{verb} {path}\n")
    say(f"{verb} {len(removed)} files")
    if compact and not dry_run:
        for folder in sorted((store.root / "rows").glob("*")):
            merged = store.rows(folder.name).compact()
            if merged:
                say(f"compacted {merged} batches of {folder.name}")


@app.command("rm")
def rm(
    ctx: typer.Context,
    key_prefix: Annotated[str, typer.Argument(help="Key or unique key prefix.")],
) -> None:
    """Mark an artifact for removal; `store gc` deletes it unless something needs it."""
    store = state(ctx).store()
    manifest = store.resolve(key_prefix)
    store.drop(manifest)
    say(
        f"marked {manifest.short_key} ({manifest.kind}) for removal; "
        "run `cybench store gc`"
    )


@app.command("export")
def export(
    ctx: typer.Context,
    key_prefix: Annotated[str, typer.Argument(help="Key or unique key prefix.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, json (lines) or parquet.")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default stdout)."),
    ] = None,
) -> None:
    """Write an artifact's rows as CSV, JSON lines or Parquet."""
    from cybench.store.maintenance import EXPORT_FORMATS
    from cybench.store.maintenance import export as run_export

    check_format(fmt, EXPORT_FORMATS)
    if output is not None and output.is_dir():
        raise CybenchError(f"--output {output} is a folder", hint="give a file path")
    store = state(ctx).store()
    manifest = store.resolve(key_prefix)
    if fmt == "parquet" and output is None and sys.stdout.isatty():
        raise UsageError(
            "refusing to write Parquet bytes to a terminal",
            hint="pass --output FILE.parquet",
        )
    data = run_export(store, manifest, fmt, output)
    if data is not None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        say(f"wrote {manifest.rows} rows to {output}")
