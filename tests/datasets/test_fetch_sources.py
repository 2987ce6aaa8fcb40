"""Fetch from Kaggle (a local fake of its download), a URL, a path and a local copy."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import socket
import threading
import zipfile
from pathlib import Path

import pytest

from tests.datasets.flowfiles import PARTITION_ROW, partition_file, varied


def small_partition(folder: Path, name: str = "UNSW_NB15_testing-set.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [varied(PARTITION_ROW, i, "sbytes") for i in range(3)]
    return partition_file(folder / name, rows)


@pytest.fixture
def no_kaggle_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "home" / ".kaggle"))
    for name in ("KAGGLE_API_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_kaggle_download(tmp_path, monkeypatch):
    """Replace the Kaggle client's network steps; the download copies a local zip."""
    from kaggle.api.kaggle_api_extended import KaggleApi

    archive = tmp_path / "kaggle" / "unsw-nb15.zip"
    source = small_partition(tmp_path / "kaggle-src")
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(source, source.name)
        bundle.writestr(
            "UNSW-NB15_LIST_EVENTS.csv", "Attack category,Attack subcategory\n"
        )
    calls = []

    def download(self, dataset, path=None, force=False, quiet=True, unzip=False, **kw):
        calls.append(dataset)
        target = Path(path) / archive.name
        shutil.copy(archive, target)
        if unzip:
            with zipfile.ZipFile(target) as bundle:
                bundle.extractall(path)
            target.unlink()

    monkeypatch.setattr(KaggleApi, "authenticate", lambda self: None)
    monkeypatch.setattr(KaggleApi, "dataset_download_files", download)
    return calls


def test_kaggle_fetch_reads_download(cli, fake_kaggle_download):
    result = cli("--json", "fetch", "unsw", "--source", "kaggle")
    manifest = json.loads(result.stdout)
    assert result.exit_code == 0
    assert fake_kaggle_download == ["mrwellsdavid/unsw-nb15"]
    assert manifest["rows"] == 3
    assert manifest["meta"]["source"] == "kaggle"
    assert manifest["meta"]["files"][0]["name"] == "UNSW_NB15_testing-set.csv"


def test_kaggle_fetch_uses_ref(cli, fake_kaggle_download):
    cli("fetch", "unsw", "--source", "kaggle", "--ref", "someone/unsw-copy")
    assert fake_kaggle_download == ["someone/unsw-copy"]


def test_kaggle_without_credentials_fails_in_one_line(
    cli, store_dir, no_kaggle_credentials
):
    result = cli("fetch", "unsw", "--source", "kaggle")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert len(lines) == 1
    assert "Kaggle credentials missing" in lines[0]
    assert "--source path --path" in lines[0]
    assert result.stdout == ""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


@pytest.fixture
def http_folder(tmp_path):
    """Serve a folder over HTTP on 127.0.0.1 for the duration of a test."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_fetch_downloads_file(cli, http_folder):
    folder, base = http_folder
    small_partition(folder)
    result = cli(
        "--json", "fetch", "unsw", "--url", f"{base}/UNSW_NB15_testing-set.csv"
    )
    manifest = json.loads(result.stdout)
    assert result.exit_code == 0
    assert manifest["rows"] == 3
    assert manifest["meta"]["source"] == "url"


def test_url_fetch_extracts_zip(cli, http_folder, tmp_path):
    folder, base = http_folder
    source = small_partition(tmp_path / "src")
    with zipfile.ZipFile(folder / "unsw.zip", "w") as bundle:
        bundle.write(source, source.name)
    result = cli("--json", "fetch", "unsw", "--url", f"{base}/unsw.zip")
    assert json.loads(result.stdout)["rows"] == 3


def test_url_missing_file_fails_in_one_line(cli, http_folder):
    _, base = http_folder
    result = cli("fetch", "unsw", "--url", f"{base}/missing.csv")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert len(lines) == 1
    assert "HTTP 404" in lines[0]


def test_unreachable_url_fails_in_one_line(cli):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli("fetch", "unsw", "--url", f"http://127.0.0.1:{port}/unsw.csv")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert len(lines) == 1
    assert "cannot reach" in lines[0]
    assert "--source path --path" in lines[0]


def test_path_fetch_records_provenance(cli, tmp_path):
    path = small_partition(tmp_path / "data")
    manifest = json.loads(cli("--json", "fetch", "unsw", "--path", path).stdout)
    assert manifest["kind"] == "raw"
    assert manifest["step"] == "fetch"
    assert manifest["meta"]["licence"].startswith("academic, non-commercial")
    assert "Moustafa" in manifest["meta"]["citation"]
    assert manifest["meta"]["files"][0]["sha256"].startswith("sha256:")


def test_refetch_returns_same_key(cli, store_dir, tmp_path):
    path = small_partition(tmp_path / "data")
    first = cli("fetch", "unsw", "--path", path).stdout.strip()
    second = cli("fetch", "unsw", "--path", path).stdout.strip()
    assert first == second
    assert len(list(store_dir.glob("artifacts/raw/*.json"))) == 1


def test_refetch_says_reused(cli, tmp_path):
    path = small_partition(tmp_path / "data")
    first = cli("fetch", "unsw", "--path", path)
    second = cli("fetch", "unsw", "--path", path)
    assert first.stderr.startswith("stored ")
    assert second.stderr.startswith("reused ")


def test_changed_file_gives_new_key(cli, tmp_path):
    path = small_partition(tmp_path / "data")
    first = cli("fetch", "unsw", "--path", path).stdout.strip()
    partition_file(path, [varied(PARTITION_ROW, 9, "sbytes")])
    second = cli("fetch", "unsw", "--path", path).stdout.strip()
    assert first != second


def test_fetch_dry_run_writes_nothing(cli, store_dir, tmp_path):
    path = small_partition(tmp_path / "data")
    result = cli("fetch", "unsw", "--path", path, "--dry-run")
    assert result.exit_code == 0
    assert "would store" in result.stderr
    assert not list(store_dir.glob("artifacts/*/*.json"))


def test_default_fetch_uses_cybench_data(cli, tmp_path, monkeypatch):
    small_partition(tmp_path / "data" / "unsw-nb15")
    monkeypatch.setenv("CYBENCH_DATA", str(tmp_path / "data"))
    manifest = json.loads(cli("--json", "fetch", "unsw").stdout)
    assert manifest["rows"] == 3


def test_no_local_copy_shows_path_form(cli, store_dir, monkeypatch):
    from cybench.datasets.unsw import UnswSpec

    monkeypatch.setattr(UnswSpec, "data_dir_names", ("no-such-folder",))
    result = cli("prep", "unsw")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert len(lines) == 1
    assert "no local copy of UNSW-NB15" in lines[0]
    assert "--source path --path" in lines[0]


def test_unsupported_source_is_usage_error(cli):
    result = cli("fetch", "unsw", "--source", "hf")
    assert result.exit_code == 2
    assert "no source 'hf'" in result.stderr


def test_datasets_lists_licence_and_fetched(cli, tmp_path):
    path = small_partition(tmp_path / "data")
    cli("fetch", "unsw", "--path", path)
    rows = json.loads(cli("datasets", "--json").stdout)
    unsw = next(r for r in rows if r["name"] == "unsw")
    assert unsw["licence"].startswith("academic, non-commercial")
    assert unsw["raw_artifacts"] == 1
    assert unsw["raw_rows"] == 3
    assert {r["name"] for r in rows} >= {"unsw", "nsl-kdd", "phishing-email"}
