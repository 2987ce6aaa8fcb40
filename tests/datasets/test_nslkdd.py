"""NSL-KDD fetch and clean: no header, difficulty dropped, 40 names in 5 classes."""

from __future__ import annotations

import pytest

from cybench.datasets.base import FetchOptions
from cybench.datasets.nslkdd import FAMILIES, SPEC
from tests.datasets.flowfiles import KDD_ROW, kdd_file, varied

EXPECTED_FAMILIES = {
    "normal": ["normal"],
    "DoS": [
        "back",
        "land",
        "neptune",
        "pod",
        "smurf",
        "teardrop",
        "apache2",
        "mailbomb",
        "processtable",
        "udpstorm",
    ],
    "Probe": ["ipsweep", "nmap", "portsweep", "satan", "mscan", "saint"],
    "R2L": [
        "ftp_write",
        "guess_passwd",
        "imap",
        "multihop",
        "phf",
        "spy",
        "warezclient",
        "warezmaster",
        "named",
        "sendmail",
        "snmpgetattack",
        "snmpguess",
        "xlock",
        "xsnoop",
        "worm",
    ],
    "U2R": [
        "buffer_overflow",
        "loadmodule",
        "perl",
        "rootkit",
        "httptunnel",
        "ps",
        "sqlattack",
        "xterm",
    ],
}


def clean(path):
    raw, meta = SPEC.fetch("path", [path], FetchOptions())
    return SPEC.clean(raw, meta).to_pylist(), meta


def test_family_table_has_forty_names():
    assert len(FAMILIES) == 40


@pytest.mark.parametrize(
    ("name", "family"),
    [(name, family) for family, names in EXPECTED_FAMILIES.items() for name in names],
)
def test_attack_name_maps_to_family(tmp_path, name, family):
    rows, _ = clean(kdd_file(tmp_path / "KDDTest+.txt", [{**KDD_ROW, "attack": name}]))
    assert rows[0]["category"] == family
    assert rows[0]["y"] == (0 if family == "normal" else 1)


def test_difficulty_column_is_dropped(tmp_path):
    rows, _ = clean(kdd_file(tmp_path / "KDDTest+.txt", [KDD_ROW]))
    assert "difficulty" not in rows[0]
    assert "attack" not in rows[0]


def test_crlf_file_parses(tmp_path):
    rows, _ = clean(kdd_file(tmp_path / "KDDTest+.txt", [KDD_ROW], crlf=True))
    assert rows[0]["dst_host_srv_rerror_rate"] == 1.0


def test_partition_comes_from_file_name(tmp_path):
    _, meta = clean(kdd_file(tmp_path / "KDDTest-21.txt", [KDD_ROW]))
    assert meta["partition"] == "test-21"


def test_unknown_attack_name_is_rejected(tmp_path):
    from cybench.errors import DataError

    rows = [varied(KDD_ROW, i, "src_bytes") for i in range(3)]
    rows[2]["attack"] = "teleport"
    path = kdd_file(tmp_path / "KDDTest+.txt", rows)
    with pytest.raises(DataError) as caught:
        clean(path)
    assert "KDDTest+.txt:3:" in caught.value.message
    assert "'teleport'" in caught.value.message


def test_folder_skips_subset_files(tmp_path):
    for name in ("KDDTest+.txt", "KDDTest-21.txt", "KDDTrain+_20Percent.txt"):
        kdd_file(tmp_path / name, [KDD_ROW])
    files = SPEC.locate("path", [tmp_path], FetchOptions())
    assert sorted(f.name for f in files) == ["KDDTest+.txt", "KDDTrain+_20Percent.txt"]


def test_real_test_file_counts(shared_data):
    rows, meta = clean(shared_data / "nsl-kdd" / "KDDTest+.txt")
    assert len(rows) == 22_544
    assert sum(r["category"] == "normal" for r in rows) == 9_711
