"""Fixtures shared by every test: an empty store per test and a CLI runner."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Real public data sets live beside the repository, never inside it. The
# variable is the one `cybench fetch` reads to find local copies.
SHARED_DATA = Path(os.environ.get("CYBENCH_DATA", REPO.parent / "shared" / "data"))


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store folder, selected through CYBENCH_STORE."""
    path = tmp_path / "store"
    monkeypatch.setenv("CYBENCH_STORE", str(path))
    return path


@pytest.fixture
def store(store_dir: Path):
    from cybench.store import Store

    return Store(store_dir)


@pytest.fixture
def cli(store_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch):
    """Run `cybench ARGS...` in-process against the test's store."""
    from cybench.cli.app import run

    monkeypatch.setenv("COLUMNS", "120")

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data folder {SHARED_DATA} is missing; set CYBENCH_DATA")
    return SHARED_DATA
