"""Writers of tiny UNSW-NB15 and NSL-KDD files with chosen quirks, for tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from cybench.datasets.nslkdd import COLUMNS as KDD_COLUMNS
from cybench.datasets.unsw import PARTITION_COLUMNS, RAW_COLUMNS

# First data row of the published 82,332-row partition file.
PARTITION_ROW = dict(
    zip(
        PARTITION_COLUMNS,
        [
            "1",
            "0.000011",
            "udp",
            "-",
            "INT",
            "2",
            "0",
            "496",
            "0",
            "90909.0902",
            "254",
            "0",
            "180363632",
            "0",
            "0",
            "0",
            "0.011",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "248",
            "0",
            "0",
            "0",
            "2",
            "2",
            "1",
            "1",
            "1",
            "2",
            "0",
            "0",
            "0",
            "1",
            "2",
            "0",
            "Normal",
            "0",
        ],
        strict=True,
    )
)
# First data row of the raw UNSW-NB15_1.csv slice (a Normal row: empty attack_cat).
RAW_ROW = dict(
    zip(
        RAW_COLUMNS,
        [
            "59.166.0.4",
            "56329",
            "149.171.126.2",
            "80",
            "tcp",
            "FIN",
            "1.028749",
            "1684",
            "10168",
            "31",
            "29",
            "3",
            "5",
            "http",
            "12162.34473",
            "74684.88281",
            "14",
            "18",
            "255",
            "255",
            "2693130613",
            "2694221421",
            "120",
            "565",
            "1",
            "3924",
            "8766.59459",
            "7677.74268",
            "1421927813",
            "1421927814",
            "79.095464",
            "60.480176",
            "0.000714",
            "0.000557",
            "0.000157",
            "0",
            "0",
            "1",
            "0",
            "0",
            "2",
            "1",
            "4",
            "3",
            "1",
            "1",
            "1",
            "",
            "0",
        ],
        strict=True,
    )
)
KDD_ROW = dict(
    zip(
        KDD_COLUMNS,
        [
            "0",
            "tcp",
            "private",
            "REJ",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "229",
            "10",
            "0.00",
            "0.00",
            "1.00",
            "1.00",
            "0.04",
            "0.06",
            "0.00",
            "255",
            "10",
            "0.04",
            "0.06",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "1.00",
            "1.00",
            "neptune",
            "21",
        ],
        strict=True,
    )
)


def varied(base: Mapping[str, str], index: int, column: str) -> dict[str, str]:
    """Return `base` with `column` set to a value unique to `index`, so rows differ."""
    return {**base, column: str(1000 + index)}


def write_lines(
    path: Path, lines: Iterable[str], *, bom: bool = False, crlf: bool = False
) -> Path:
    ending = "\r\n" if crlf else "\n"
    text = ending.join(lines) + ending
    data = text.encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def partition_file(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    *,
    bom: bool = True,
    crlf: bool = True,
) -> Path:
    """Write a 45-column partition file with a header (BOM and CRLF by default)."""
    lines = [",".join(PARTITION_COLUMNS)]
    lines += [",".join(row[c] for c in PARTITION_COLUMNS) for row in rows]
    return write_lines(path, lines, bom=bom, crlf=crlf)


def raw_file(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    *,
    header: bool = False,
    crlf: bool = True,
) -> Path:
    """Write a 49-column raw file, without a header as the authors publish it."""
    lines = [",".join(RAW_COLUMNS)] if header else []
    lines += [",".join(row[c] for c in RAW_COLUMNS) for row in rows]
    return write_lines(path, lines, crlf=crlf)


def kdd_file(
    path: Path, rows: Iterable[Mapping[str, str]], *, crlf: bool = False
) -> Path:
    lines = [",".join(row[c] for c in KDD_COLUMNS) for row in rows]
    return write_lines(path, lines, crlf=crlf)


def class_rows(
    base: Mapping[str, str],
    column: str,
    counts: Mapping[str, int],
    vary: str,
    label=None,
) -> list[dict[str, str]]:
    """Return `counts[name]` distinct rows per category name, varying column `vary`."""
    rows = []
    for name, count in counts.items():
        for _ in range(count):
            row = varied(base, len(rows), vary)
            row[column] = name
            if label is not None:
                row[label] = "0" if name.strip().lower() in ("normal", "") else "1"
            rows.append(row)
    return rows


FEATURES_FILE = (
    "No.,Name,Type ,Description\r\n"
    "1,srcip,nominal,Source IP address\r\n"
    "2,sport,integer,Source port number\r\n"
    "26,res_bdy_len,integer,Actual uncompressed content size of the data transferred "
    "from the server\x92s http service.\r\n"
    '44,ct_src_ ltm,integer,"No. of connections of the same source address (1), '
    'in 100 connections"\r\n'
)


def features_file(path: Path) -> Path:
    """Write a cp1252 features file (byte 0x92 is a right single quote)."""
    path.write_bytes(FEATURES_FILE.encode("latin-1"))
    return path
