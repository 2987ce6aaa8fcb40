"""The `cybench` command: options, sub-commands and the one error boundary.

Command modules import only typer and light cybench modules at import time;
heavy libraries (duckdb, pyarrow, scikit-learn, model SDKs) load inside the
command that needs them, so `cybench --help` stays fast.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from cybench import __version__
from cybench.cli import compare, fetch, infer, judge, prep, report, score, store_cmd
from cybench.cli.state import AppState, JsonFlag, StoreOption
from cybench.errors import CybenchError

try:  # typer >= 0.16 vendors click as typer._click
    from typer._click import exceptions as click_exc
except ImportError:  # pragma: no cover
    from click import exceptions as click_exc  # type: ignore[no-redef]

LOG_LEVELS = ("debug", "info", "warning", "error")

app = typer.Typer(
    name="cybench",
    help="Benchmark LLMs on security detection: network flows and phishing email.\n\n"
    "Pipeline: fetch -> prep -> infer -> judge -> score -> compare -> report. "
    "Every step writes a hash-addressed Parquet artifact to the store and "
    "prints its key; a repeated command reuses it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class PrintableFormatter(logging.Formatter):
    """Log formatter that shows control characters in messages as `\\xNN`."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        from cybench.cli.output import printable

        return printable(super().formatMessage(record))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cybench {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    store: StoreOption = None,
    json_output: JsonFlag = False,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level",
            help=f"Log verbosity on stderr: {', '.join(LOG_LEVELS)}.",
            case_sensitive=False,
        ),
    ] = "warning",
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Global options, applied before the command runs."""
    level = log_level.lower()
    if level not in LOG_LEVELS:
        raise typer.BadParameter(
            f"{log_level!r} is not one of {', '.join(LOG_LEVELS)}",
            param_hint="--log-level",
        )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler])
    ctx.obj = AppState(store_path=store, json_output=json_output)


fetch.register(app)
prep.register(app)
infer.register(app)
judge.register(app)
score.register(app)
compare.register(app)
report.register(app)
app.add_typer(store_cmd.app, name="store")


def _error_line(text: str, code: int) -> int:
    from cybench.cli.output import printable

    sys.stderr.write(f"error: {printable(' '.join(text.split()))}\n")
    sys.stderr.flush()
    return code


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: 0, 1 error, 2 usage, 130 interrupted."""
    try:
        rv = app(args=argv, prog_name="cybench", standalone_mode=False)
    except CybenchError as exc:
        return _error_line(exc.one_line(), exc.exit_code)
    except click_exc.UsageError as exc:
        path = exc.ctx.command_path if exc.ctx else "cybench"
        return _error_line(f"{exc.format_message()} (see '{path} --help')", 2)
    except click_exc.ClickException as exc:
        return _error_line(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("\ninterrupted\n")
        return 130
    except typer.Exit as exc:
        if exc.exit_code == 130:
            sys.stderr.write("\ninterrupted\n")
        return exc.exit_code
    except BrokenPipeError:
        return 0
    if rv == 130:  # typer turns KeyboardInterrupt into exit code 130
        sys.stderr.write("\ninterrupted\n")
    return rv if isinstance(rv, int) else 0


def main() -> None:
    sys.exit(run())
