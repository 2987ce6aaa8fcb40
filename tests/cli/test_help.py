import json
import subprocess
import sys

import pytest

HEAVY = (
    "duckdb",
    "pyarrow",
    "numpy",
    "sklearn",
    "scipy",
    "pandas",
    "openai",
    "anthropic",
    "datasets",
    "kaggle",
    "jinja2",
    "mlx",
    "llama_cpp",
    "aiohttp",
)


def all_commands():
    """Yield the argument path of every command and sub-command."""
    import typer.main

    from cybench.cli.app import app

    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            yield path, command
            return
        yield path, command
        for name, sub in sorted(subcommands.items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


COMMANDS = [path for path, _ in all_commands()]


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "cybench")
def test_command_has_help_text(path):
    command = dict((tuple(p), c) for p, c in all_commands())[tuple(path)]
    assert (command.help or "").strip()


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "cybench")
def test_help_imports_no_heavy_library(path):
    code = (
        "import sys, json\n"
        "from cybench.cli.app import run\n"
        f"code = run({[*path, '--help']!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps([code, heavy]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [0, []]


def test_version_flag(cli):
    from cybench import __version__

    assert cli("--version").stdout.strip() == f"cybench {__version__}"


def test_unknown_option_is_usage_error(cli):
    result = cli("--no-such-option")
    assert (result.exit_code, result.stderr.count("\n")) == (2, 1)


def test_invalid_log_level_is_usage_error(cli):
    assert cli("--log-level", "loud", "store", "ls").exit_code == 2


def test_interrupt_exits_130(cli, monkeypatch):
    from cybench.store.store import Store

    def interrupted(self, kind=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "manifests", interrupted)
    result = cli("store", "ls")
    assert result.exit_code == 130
    assert "Traceback" not in result.stderr


def test_user_error_prints_no_traceback(cli, tmp_path):
    path = tmp_path / "file"
    path.write_text("")
    result = cli("--store", str(path), "store", "verify")
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
