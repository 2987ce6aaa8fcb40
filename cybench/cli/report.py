"""The `cybench report` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cybench.cli.output import print_json, say
from cybench.cli.state import JsonFlag, state, wants_json
from cybench.errors import UsageError


def _choose_format(html: bool, latex: bool, md: bool, output: Path | None) -> str:
    chosen = [
        name for name, flag in (("html", html), ("latex", latex), ("md", md)) if flag
    ]
    if len(chosen) > 1:
        raise UsageError(
            f"choose one report format, not {' and '.join('--' + c for c in chosen)}"
        )
    if chosen:
        return chosen[0]
    from cybench.report import format_for_suffix

    implied = format_for_suffix(output.suffix) if output else None
    if implied is None:
        raise UsageError(
            "no report format given",
            hint="pass --html, --latex or --md (or -o with a .html, .tex or .md name)",
        )
    return implied


def report(
    ctx: typer.Context,
    runs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Runs to report: keys or unique key prefixes of responses or scores "
            "artifacts.",
            show_default=False,
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Report every run of this dataset, e.g. unsw."),
    ] = None,
    html: Annotated[
        bool, typer.Option("--html", help="Write a self-contained HTML page.")
    ] = False,
    latex: Annotated[
        bool, typer.Option("--latex", help="Write booktabs LaTeX tables.")
    ] = False,
    md: Annotated[bool, typer.Option("--md", help="Write Markdown tables.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write; stdout when not given.",
            show_default=False,
        ),
    ] = None,
    policy: Annotated[
        str,
        typer.Option(
            "--policy",
            help="Headline metrics: all (unparsed replies count as wrong) or parsed "
            "(parsed replies only).",
        ),
    ] = "all",
    examples: Annotated[
        int,
        typer.Option(
            "--examples", min=0, help="Example prompts and replies per run (HTML)."
        ),
    ] = 3,
    standalone: Annotated[
        bool,
        typer.Option(
            "--standalone",
            help="LaTeX: wrap the tables in a document pdflatex compiles.",
        ),
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Write an HTML, LaTeX or Markdown report of scored runs.

    Examples: `cybench report --dataset unsw --html -o unsw.html`;
    `cybench report 3f2a 9c1b --latex > table.tex`.
    """
    from cybench.report import build_report

    fmt = _choose_format(html, latex, md, output)
    store = state(ctx).store()
    text = build_report(
        store,
        runs or [],
        dataset,
        fmt=fmt,
        policy=policy,
        examples=examples,
        standalone=standalone,
    )
    if output is None and wants_json(ctx, json_output):
        print_json({"format": fmt, "report": text})
        return
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _write(output, text)
    if wants_json(ctx, json_output):
        print_json({"path": str(output), "format": fmt, "bytes": len(text.encode())})
        return
    say(f"wrote {fmt} report to {output}")


def _write(path: Path, text: str) -> None:
    """Write `text` to `path`, raising DataError with the path when that fails.

    A regular file (or a new one) is written through a temporary file and a
    rename, so a reader never sees half a page. A FIFO or a device such as
    /dev/null is opened and written in place, because a rename would replace
    it with a regular file. Opening a FIFO blocks until it has a reader, as a
    shell redirection does. A symbolic link is followed, so the link stays.
    """
    import os
    import stat

    from cybench.errors import DataError

    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise DataError(
            f"cannot write report to {path}: {exc.strerror or exc}"
        ) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise DataError(
            f"cannot write report to {path}: it is a directory",
            hint="give a file name, e.g. -o report.html",
        )
    try:
        if mode is not None and not stat.S_ISREG(mode):
            _write_in_place(target, text)
            return
        _write_atomic(target, text)
    except OSError as exc:
        raise DataError(
            f"cannot write report to {path}: {exc.strerror or exc}"
        ) from None


def _write_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
