"""UNSW-NB15 fetch and clean on tiny files that each carry one published quirk."""

from __future__ import annotations

from pathlib import Path

import pytest

from cybench.datasets.base import FetchOptions
from cybench.datasets.unsw import SPEC
from tests.datasets.flowfiles import (
    PARTITION_ROW,
    RAW_ROW,
    features_file,
    partition_file,
    raw_file,
    varied,
)


def clean(*paths: Path):
    raw, meta = SPEC.fetch("path", list(paths), FetchOptions())
    return SPEC.clean(raw, meta).to_pylist(), meta


def test_partition_bom_and_crlf_parse(tmp_path):
    path = partition_file(tmp_path / "p.csv", [PARTITION_ROW], bom=True, crlf=True)
    rows, meta = clean(path)
    assert meta["layout"] == "partition"
    assert rows[0]["y"] == 0
    assert rows[0]["label"] == "benign"
    assert rows[0]["is_sm_ips_ports"] == 0.0
    assert rows[0]["dur"] == pytest.approx(0.000011)


def test_partition_without_bom_or_crlf_parses(tmp_path):
    path = partition_file(tmp_path / "p.csv", [PARTITION_ROW], bom=False, crlf=False)
    rows, _ = clean(path)
    assert rows[0]["category"] == "Normal"


def test_service_dash_becomes_none(tmp_path):
    rows, _ = clean(partition_file(tmp_path / "p.csv", [PARTITION_ROW]))
    assert rows[0]["service"] == "none"


def test_partition_backdoor_is_kept(tmp_path):
    row = {**PARTITION_ROW, "attack_cat": "Backdoor", "label": "1"}
    rows, _ = clean(partition_file(tmp_path / "p.csv", [row]))
    assert rows[0]["category"] == "Backdoor"
    assert rows[0]["label"] == "attack"


@pytest.mark.parametrize(
    ("published", "port"),
    [("0x000b", 11), ("0xc0a8", 49320), ("80", 80), ("0", 0), ("65535", 65535)],
)
def test_raw_ports_use_base_detection(tmp_path, published, port):
    row = {**RAW_ROW, "dsport": published}
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [row]))
    assert rows[0]["dsport"] == port


def test_raw_dash_port_is_null(tmp_path):
    row = {**RAW_ROW, "sport": "-"}
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [row]))
    assert rows[0]["sport"] is None


@pytest.mark.parametrize(
    ("published", "category"),
    [
        (" Fuzzers", "Fuzzers"),
        (" Fuzzers ", "Fuzzers"),
        (" Reconnaissance ", "Reconnaissance"),
        (" Shellcode ", "Shellcode"),
        ("Backdoors", "Backdoor"),
        ("Backdoor", "Backdoor"),
        ("DoS", "DoS"),
    ],
)
def test_raw_attack_cat_is_normalised(tmp_path, published, category):
    row = {**RAW_ROW, "attack_cat": published, "Label": "1"}
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [row]))
    assert rows[0]["category"] == category


def test_raw_empty_attack_cat_is_normal(tmp_path):
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [RAW_ROW]))
    assert rows[0]["category"] == "Normal"
    assert rows[0]["y"] == 0


def test_raw_blank_numeric_cells_are_null(tmp_path):
    row = {**RAW_ROW, "ct_flw_http_mthd": "", "is_ftp_login": "", "ct_ftp_cmd": " "}
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [row]))
    assert rows[0]["ct_flw_http_mthd"] is None
    assert rows[0]["is_ftp_login"] is None
    assert rows[0]["ct_ftp_cmd"] is None


def test_raw_space_in_column_name_is_mapped(tmp_path):
    row = {**RAW_ROW, "ct_src_ ltm": "7"}
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [row]))
    assert rows[0]["ct_src_ltm"] == 7.0
    assert "ct_src_ ltm" not in rows[0]


def test_raw_names_match_partition_names(tmp_path):
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [RAW_ROW]))
    assert rows[0]["sload"] == pytest.approx(12162.34473)
    assert rows[0]["response_body_len"] == 3924.0
    assert rows[0]["sinpkt"] == pytest.approx(79.095464)


def test_raw_address_and_time_columns_are_not_features(tmp_path):
    rows, _ = clean(raw_file(tmp_path / "UNSW-NB15_1.csv", [RAW_ROW]))
    for column in ("srcip", "dstip", "Stime", "stime", "Ltime"):
        assert column not in rows[0]


def test_raw_file_with_added_header_reads(tmp_path):
    path = raw_file(tmp_path / "NUSW20000.csv", [RAW_ROW, RAW_ROW], header=True)
    rows, meta = clean(path)
    assert meta["layout"] == "raw"
    assert len(rows) == 2


def test_features_file_cp1252_is_read(tmp_path):
    features = features_file(tmp_path / "NUSW-NB15_features.csv")
    data = raw_file(tmp_path / "UNSW-NB15_1.csv", [RAW_ROW])
    _, meta = clean(features, data)
    described = meta["feature_descriptions"]
    assert described["res_bdy_len"].endswith("server\u2019s http service.")
    assert described["ct_src_ ltm"].startswith("No. of connections")


def test_features_file_descriptions_reach_prompts(tmp_path):
    features = features_file(tmp_path / "NUSW-NB15_features.csv")
    data = raw_file(tmp_path / "UNSW-NB15_1.csv", [RAW_ROW])
    _, meta = clean(features, data)
    assert SPEC.feature_descriptions(meta)["sport"] == "Source port number"


def test_small_partition_file_has_no_partition(tmp_path):
    rows = [varied(PARTITION_ROW, i, "sbytes") for i in range(3)]
    _, meta = clean(partition_file(tmp_path / "UNSW_NB15_testing-set.csv", rows))
    assert meta["partition"] is None
    assert meta["warnings"] == []


def test_folder_prefers_partition_files(tmp_path):
    partition_file(tmp_path / "UNSW_NB15_testing-set.csv", [PARTITION_ROW])
    raw_file(tmp_path / "UNSW-NB15_1.csv", [RAW_ROW])
    files = SPEC.locate("path", [tmp_path], FetchOptions())
    assert [f.name for f in files] == ["UNSW_NB15_testing-set.csv"]


def test_real_partition_is_test_and_swap_warned(shared_data):
    path = shared_data / "unsw-nb15" / "UNSW_NB15_training-set.csv"
    _, meta = SPEC.fetch("path", [path], FetchOptions())
    assert meta["partition"] == "test"
    assert "official TEST partition" in meta["warnings"][0]


def test_real_raw_slice_quirks(shared_data):
    path = shared_data / "unsw-nb15" / "NUSW20000.csv"
    rows, _ = clean(path)
    categories = {r["category"] for r in rows}
    assert categories == {
        "Normal",
        "Fuzzers",
        "Exploits",
        "Reconnaissance",
        "DoS",
        "Generic",
        "Shellcode",
        "Worms",
        "Backdoor",
    }
    # 6 rows publish dsport 0xc0a8 and 6 publish 49320: the same port.
    assert sum(r["dsport"] == 49320 for r in rows) == 12


@pytest.mark.parametrize(
    ("name", "rows", "partition", "warned"),
    [
        ("UNSW_NB15_training-set.csv", 175_341, "train", False),
        ("UNSW_NB15_testing-set.csv", 175_341, "train", True),
        ("UNSW_NB15_training-set.csv", 82_332, "test", True),
        ("UNSW_NB15_testing-set.csv", 82_332, "test", False),
        ("UNSW_NB15_testing-set.csv", 4_528, None, False),
    ],
)
def test_partition_from_row_count(name, rows, partition, warned):
    from cybench.datasets.unsw import detect_partition

    warnings: list[str] = []
    assert detect_partition(name, rows, warnings) == partition
    assert bool(warnings) == warned
