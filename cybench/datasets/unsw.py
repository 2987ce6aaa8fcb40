"""UNSW-NB15 (Moustafa and Slay, UNSW Canberra): network flows in two file layouts.

- Partition layout: `UNSW_NB15_training-set.csv` / `UNSW_NB15_testing-set.csv`,
  45 columns with a header (often with a UTF-8 byte order mark and CRLF).
  The authors' training partition has 175,341 rows and the testing partition
  82,332; many mirrors swap the two file names, so the partition is identified
  from the row count and a swap is reported as a warning.
- Raw layout: `UNSW-NB15_1.csv` .. `_4.csv`, 49 columns without a header, the
  names coming from `NUSW-NB15_features.csv` (cp1252 text). Normal rows have an
  empty `attack_cat`, categories carry stray spaces (`' Fuzzers '`), the
  backdoor class is spelt `Backdoors`, ports may be hex (`0x000b`) or `-`, and
  some numeric cells are blank.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cybench.datasets.base import (
    DatasetSpec,
    FetchOptions,
    display_name,
    file_record,
)
from cybench.datasets.csvio import check_text_file, count_fields, read_csv_strings
from cybench.datasets.download import download_kaggle, download_url, path_hint
from cybench.datasets.flows import FlowLayout, clean_flows
from cybench.errors import DataError, UsageError

if TYPE_CHECKING:
    import pyarrow as pa

PARTITION_COLUMNS = [
    "id",
    "dur",
    "proto",
    "service",
    "state",
    "spkts",
    "dpkts",
    "sbytes",
    "dbytes",
    "rate",
    "sttl",
    "dttl",
    "sload",
    "dload",
    "sloss",
    "dloss",
    "sinpkt",
    "dinpkt",
    "sjit",
    "djit",
    "swin",
    "stcpb",
    "dtcpb",
    "dwin",
    "tcprtt",
    "synack",
    "ackdat",
    "smean",
    "dmean",
    "trans_depth",
    "response_body_len",
    "ct_srv_src",
    "ct_state_ttl",
    "ct_dst_ltm",
    "ct_src_dport_ltm",
    "ct_dst_sport_ltm",
    "ct_dst_src_ltm",
    "is_ftp_login",
    "ct_ftp_cmd",
    "ct_flw_http_mthd",
    "ct_src_ltm",
    "ct_srv_dst",
    "is_sm_ips_ports",
    "attack_cat",
    "label",
]
# Names as `NUSW-NB15_features.csv` spells them, including the space in `ct_src_ ltm`.
RAW_COLUMNS = [
    "srcip",
    "sport",
    "dstip",
    "dsport",
    "proto",
    "state",
    "dur",
    "sbytes",
    "dbytes",
    "sttl",
    "dttl",
    "sloss",
    "dloss",
    "service",
    "Sload",
    "Dload",
    "Spkts",
    "Dpkts",
    "swin",
    "dwin",
    "stcpb",
    "dtcpb",
    "smeansz",
    "dmeansz",
    "trans_depth",
    "res_bdy_len",
    "Sjit",
    "Djit",
    "Stime",
    "Ltime",
    "Sintpkt",
    "Dintpkt",
    "tcprtt",
    "synack",
    "ackdat",
    "is_sm_ips_ports",
    "ct_state_ttl",
    "ct_flw_http_mthd",
    "is_ftp_login",
    "ct_ftp_cmd",
    "ct_srv_src",
    "ct_srv_dst",
    "ct_dst_ltm",
    "ct_src_ ltm",
    "ct_src_dport_ltm",
    "ct_dst_sport_ltm",
    "ct_dst_src_ltm",
    "attack_cat",
    "Label",
]
# Raw-layout names that differ from the partition layout's names for the same feature.
RAW_RENAMES = {
    "Sload": "sload",
    "Dload": "dload",
    "Spkts": "spkts",
    "Dpkts": "dpkts",
    "smeansz": "smean",
    "dmeansz": "dmean",
    "res_bdy_len": "response_body_len",
    "Sjit": "sjit",
    "Djit": "djit",
    "Sintpkt": "sinpkt",
    "Dintpkt": "dinpkt",
    "ct_src_ ltm": "ct_src_ltm",
}
CATEGORICAL = ("proto", "service", "state")
# Address and time columns identify the testbed hosts and the capture window, so
# a model could learn them instead of the traffic. They stay in the raw artifact.
RAW_ONLY = ("srcip", "dstip", "Stime", "Ltime")
CATEGORIES = (
    "Normal",
    "Generic",
    "Exploits",
    "Fuzzers",
    "DoS",
    "Reconnaissance",
    "Analysis",
    "Backdoor",
    "Shellcode",
    "Worms",
)
CATEGORY_MAP = {c.lower(): c for c in CATEGORIES} | {"backdoors": "Backdoor"}
# Row counts of the two official partitions, as published by the authors.
PARTITION_ROWS = {175_341: "train", 82_332: "test"}
KAGGLE_REF = "mrwellsdavid/unsw-nb15"
FILE_PATTERNS = (
    re.compile(r"unsw_nb15_(training|testing)[-_]set\.csv", re.IGNORECASE),
    re.compile(r"unsw-nb15_[1-4]\.csv", re.IGNORECASE),
    re.compile(r"nusw-nb15_features\.csv", re.IGNORECASE),
)


class UnswSpec(DatasetSpec):
    name = "unsw"
    title = "UNSW-NB15"
    task = "flow"
    licence = (
        "academic, non-commercial use only (commercial use prohibited by the authors)"
    )
    citation = (
        "N. Moustafa, J. Slay, UNSW-NB15: a comprehensive data set for network "
        "intrusion detection systems, MilCIS 2015, doi:10.1109/MilCIS.2015.7348942"
    )
    url = "https://research.unsw.edu.au/projects/unsw-nb15-dataset"
    positive_label = "attack"
    negative_label = "benign"
    categories = CATEGORIES
    sources = ("kaggle", "url", "path")
    default_source = "path"
    streams_raw = True
    data_dir_names = ("unsw-nb15", "UNSW-NB15", "unsw")

    # -- fetch ---------------------------------------------------------------

    def locate(
        self, source: str, paths: Sequence[Path], options: FetchOptions
    ) -> list[Path]:
        self.check_source(source)
        if source == "kaggle":
            target = _download_dir(options)
            return select_files(
                download_kaggle(self.name, options.ref or KAGGLE_REF, target)
            )
        if source == "url":
            if not options.ref:
                raise UsageError(
                    "--source url needs --url URL", hint=path_hint(self.name, "DIR")
                )
            return select_files(
                download_url(self.name, options.ref, _download_dir(options))
            )
        if not paths:
            raise UsageError(
                "no UNSW-NB15 files given",
                hint=path_hint(self.name, "UNSW_NB15_testing-set.csv"),
            )
        return expand_paths(paths)

    def read(
        self, files: Sequence[Path], options: FetchOptions
    ) -> tuple[pa.Table, dict[str, Any]]:
        import pyarrow as pa

        data, descriptions, warnings = [], {}, []
        records, partitions = [], {}
        layouts = set()
        for path in files:
            first = check_text_file(path)
            if first.startswith("No.,Name"):
                descriptions = read_features_file(path)
                records.append(file_record(path, len(descriptions)))
                continue
            layout, header = detect_layout(path, first)
            layouts.add(layout)
            names = PARTITION_COLUMNS if layout == "partition" else RAW_COLUMNS
            table = read_csv_strings(path, names, header=header, label="UNSW-NB15")
            if table.num_rows == 0:
                raise DataError(
                    f"{display_name(path)}:2: no data rows after the header",
                    hint="fetch the complete file again",
                )
            table = table.append_column(
                "source_file",
                pa.array([display_name(path.name)] * table.num_rows, pa.string()),
            )
            data.append(table)
            records.append(file_record(path, table.num_rows))
            if layout == "partition":
                partitions[display_name(path.name)] = detect_partition(
                    display_name(path.name), table.num_rows, warnings
                )

        if not data:
            raise DataError(
                "no UNSW-NB15 data file among "
                + ", ".join(display_name(p.name) for p in files),
                hint=path_hint(self.name, "UNSW_NB15_testing-set.csv"),
            )
        if len(layouts) > 1:
            raise UsageError(
                "the files mix the 45-column partition layout "
                "and the 49-column raw layout",
                hint="fetch the partition files and the raw files separately",
            )
        meta = {
            "layout": layouts.pop(),
            "files": records,
            "partitions": partitions,
            "partition": _single_partition(partitions),
            "feature_descriptions": descriptions,
            "warnings": warnings,
        }
        return pa.concat_tables(data), meta

    # -- clean ---------------------------------------------------------------

    def clean(self, raw: pa.Table, raw_meta: Mapping[str, Any]) -> pa.Table:
        layout = raw_meta.get("layout")
        if layout == "partition":
            return clean_flows(raw, self.name, partition_layout())
        if layout == "raw":
            return clean_flows(raw, self.name, raw_layout())
        raise DataError(f"raw UNSW-NB15 artifact has unknown layout {layout!r}")

    def feature_descriptions(self, raw_meta: Mapping[str, Any]) -> dict[str, str]:
        curated = json.loads(
            resources.files("cybench.datasets")
            .joinpath("data/unsw_features.json")
            .read_text()
        )
        published = {
            RAW_RENAMES.get(name, name): text
            for name, text in (raw_meta.get("feature_descriptions") or {}).items()
        }
        return curated | {
            k: v for k, v in published.items() if k in ("sport", "dsport")
        }


def _download_dir(options: FetchOptions) -> Path:
    if options.download_dir is None:
        raise UsageError("a remote fetch needs a download folder")
    return options.download_dir


def _single_partition(partitions: Mapping[str, str | None]) -> str | None:
    values = set(partitions.values())
    return values.pop() if len(values) == 1 else None


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Return the files to read: given files as they are, folders searched by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += select_files(sorted(p for p in path.rglob("*") if p.is_file()))
            continue
        if not path.exists():
            raise DataError(
                f"{display_name(path)}: file not found", hint="check the --path value"
            )
        files.append(path)
    return files


def select_files(candidates: Sequence[Path]) -> list[Path]:
    """Pick the UNSW-NB15 files from a folder listing: partition files when present.

    A download contains both layouts. The partition files win because they carry
    the authors' split, so the raw files are read only when no partition file is there.
    """
    known = [p for p in candidates if any(r.fullmatch(p.name) for r in FILE_PATTERNS)]
    partition = [p for p in known if FILE_PATTERNS[0].fullmatch(p.name)]
    raw = [p for p in known if FILE_PATTERNS[1].fullmatch(p.name)]
    features = [p for p in known if FILE_PATTERNS[2].fullmatch(p.name)]
    if partition:
        return partition
    if raw:
        return [*features, *raw]
    names = ", ".join(display_name(p.name) for p in candidates[:5]) or "no files"
    raise DataError(
        f"no UNSW-NB15 files found (saw {names})",
        hint="expected UNSW_NB15_t*-set.csv or UNSW-NB15_1..4.csv; "
        "pass files with --path",
    )


def detect_layout(path: Path, first_line: str) -> tuple[str, bool]:
    """Return ("partition" or "raw", whether line 1 is a header) from line 1."""
    fields = count_fields(first_line)
    first_cell = first_line.split(",", 1)[0].strip().lower()
    if fields == len(PARTITION_COLUMNS):
        return "partition", first_cell == "id"
    if fields == len(RAW_COLUMNS):
        return "raw", first_cell == "srcip"
    if fields in (42, 43):
        raise DataError(
            f"{display_name(path)}:1: {fields} fields per line, "
            "which is the NSL-KDD layout, not UNSW-NB15",
            hint="fetch it with `cybench fetch nsl-kdd --source path --path FILE`",
        )
    raise DataError(
        f"{display_name(path)}:1: {fields} fields per line; "
        "UNSW-NB15 files have 45 (partition files) "
        "or 49 (raw UNSW-NB15_1..4.csv)",
        hint="check that this is a UNSW-NB15 CSV file",
    )


def detect_partition(name: str, rows: int, warnings: list[str]) -> str | None:
    """Return the official partition a 45-column file holds, judged by its row count.

    Appends a warning when the file name names the other partition.
    """
    found = PARTITION_ROWS.get(rows)
    named = (
        "train"
        if "train" in name.lower()
        else "test"
        if "test" in name.lower()
        else None
    )
    if found and named and found != named:
        warnings.append(
            f"{name} holds {rows:,} rows, the official {found.upper()} partition, "
            f"although its name says {named}; recorded as {found}"
        )
    return found


def read_features_file(path: Path) -> dict[str, str]:
    """Return {raw column name: description} from `NUSW-NB15_features.csv` (cp1252)."""
    with path.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle))
    header = [cell.strip() for cell in rows[0]] if rows else []
    if header[:2] != ["No.", "Name"] or "Description" not in header:
        raise DataError(
            f"{display_name(path)}:1: not a UNSW-NB15 features file (header {header})"
        )
    name_at, text_at = 1, header.index("Description")
    descriptions = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= text_at:
            raise DataError(
                f"{display_name(path)}:{number}: expected {len(header)} fields, "
                f"found {len(row)}"
            )
        descriptions[row[name_at]] = " ".join(row[text_at].split())
    return descriptions


def partition_layout() -> FlowLayout:
    features = [c for c in PARTITION_COLUMNS if c not in ("id", "attack_cat", "label")]
    return FlowLayout(
        categorical={c: c for c in CATEGORICAL},
        numeric={c: c for c in features if c not in CATEGORICAL},
        category_column="attack_cat",
        category_map=CATEGORY_MAP,
        positive_categories=frozenset(CATEGORIES[1:]),
        label_column="label",
        none_values={"service": "-"},
    )


def raw_layout() -> FlowLayout:
    skip = {*RAW_ONLY, "sport", "dsport", "attack_cat", "Label", *CATEGORICAL}
    return FlowLayout(
        categorical={c: c for c in CATEGORICAL},
        numeric={RAW_RENAMES.get(c, c): c for c in RAW_COLUMNS if c not in skip},
        ports={"sport": "sport", "dsport": "dsport"},
        category_column="attack_cat",
        category_map=CATEGORY_MAP,
        positive_categories=frozenset(CATEGORIES[1:]),
        label_column="Label",
        blank_category="Normal",
        none_values={"service": "-"},
    )


SPEC = UnswSpec()
