"""Malformed inputs fail in one line naming file and line, and write nothing."""

from __future__ import annotations

import os
from pathlib import Path

from tests.datasets.flowfiles import (
    KDD_ROW,
    PARTITION_COLUMNS,
    PARTITION_ROW,
    kdd_file,
    partition_file,
    varied,
    write_lines,
)


def rows(count: int) -> list[dict[str, str]]:
    return [varied(PARTITION_ROW, i, "sbytes") for i in range(count)]


def assert_rejected(result, store_dir: Path, *fragments: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert not list(store_dir.glob("artifacts/*/*.json"))


def test_truncated_csv_names_last_line(cli, store_dir, tmp_path):
    path = partition_file(tmp_path / "cut.csv", rows(4), crlf=False)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b",0,0,0,1,2,0,Normal")])
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, f"{path}:5:", "expected 45 fields")


def test_wrong_column_count_names_line(cli, store_dir, tmp_path):
    lines = [",".join(PARTITION_COLUMNS)]
    lines += [",".join(r[c] for c in PARTITION_COLUMNS) for r in rows(5)]
    lines[3] += ",extra"
    path = write_lines(tmp_path / "wide.csv", lines)
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, f"{path}:4:", "found 46")


def test_other_dataset_file_is_named(cli, store_dir, tmp_path):
    path = kdd_file(tmp_path / "KDDTest+.txt", [KDD_ROW])
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, f"{path}:1:", "NSL-KDD")


def test_unsw_file_given_to_nsl_kdd(cli, store_dir, tmp_path):
    path = partition_file(tmp_path / "UNSW_NB15_testing-set.csv", rows(2))
    result = cli("fetch", "nsl-kdd", "--path", path)
    assert_rejected(result, store_dir, f"{path}:1:", "UNSW-NB15")


def test_empty_file_is_rejected(cli, store_dir, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, str(path), "empty")


def test_binary_file_is_rejected(cli, store_dir, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)))
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, f"{path}:1:", "binary")


def test_non_numeric_value_names_line(cli, store_dir, tmp_path):
    bad = rows(4)
    bad[2]["sbytes"] = "lots"
    path = partition_file(tmp_path / "bad.csv", bad)
    assert cli("fetch", "unsw", "--path", path).exit_code == 0
    result = cli("prep", "unsw")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert len(lines) == 1
    assert f"{path.name}:4: column 'sbytes' has 'lots'" in lines[0]
    assert not list(store_dir.glob("artifacts/samples/*.json"))


def test_unknown_category_names_line(cli, store_dir, tmp_path):
    bad = rows(3)
    bad[0]["attack_cat"] = "Teleport"
    path = partition_file(tmp_path / "bad.csv", bad)
    cli("fetch", "unsw", "--path", path)
    result = cli("prep", "unsw")
    assert result.exit_code == 1
    assert f"{path.name}:2: column 'attack_cat' has 'Teleport'" in result.stderr


def test_missing_path_is_rejected(cli, store_dir, tmp_path):
    result = cli("fetch", "unsw", "--path", tmp_path / "nope.csv")
    assert_rejected(result, store_dir, "nope.csv", "not found")


def test_header_only_file_is_rejected(cli, store_dir, tmp_path):
    path = partition_file(tmp_path / "UNSW_NB15_testing-set.csv", [])
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, f"{path}:2:", "no data rows")


def test_non_utf8_file_name_is_stored_escaped(cli, store, tmp_path):
    name = os.fsdecode(b"UNSW_NB15_testing-set-\xff.csv")
    path = partition_file(tmp_path / name, rows(3))
    assert cli("fetch", "unsw", "--path", path).exit_code == 0
    manifest = store.latest("raw")
    assert manifest.meta["files"][0]["name"] == "UNSW_NB15_testing-set-\\xff.csv"


def test_non_utf8_file_name_in_error_escaped(cli, store_dir, tmp_path):
    path = tmp_path / os.fsdecode(b"empty-\xff.csv")
    path.write_bytes(b"")
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, "empty-\\xff.csv", "empty")


def test_oversized_field_is_named(cli, store_dir, tmp_path):
    big = rows(6)
    big[4]["proto"] = "x" * 3_000_000
    path = partition_file(tmp_path / "big.csv", big)
    result = cli("fetch", "unsw", "--path", path)
    assert_rejected(result, store_dir, f"{path}:6:", "field is too large")
    assert "45 fields" not in result.stderr
