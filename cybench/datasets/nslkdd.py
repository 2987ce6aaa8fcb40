"""NSL-KDD (Tavallaee et al., University of New Brunswick): KDD'99 connection records.

Files `KDDTrain+.txt`, `KDDTrain+_20Percent.txt`, `KDDTest+.txt` and
`KDDTest-21.txt` have no header and 43 fields: 41 features, the attack name (or
`normal`) and a difficulty score. The difficulty counts how many of 21
reference classifiers got the record right, so it leaks how easy a record is
and is dropped. Attack names map to the four usual families through `FAMILIES`,
which covers all 39 attack names of the train and test files.
"""

from __future__ import annotations

import json
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

FEATURES = [
    "duration",
    "protocol_type",
    "service",
    "flag",
    "src_bytes",
    "dst_bytes",
    "land",
    "wrong_fragment",
    "urgent",
    "hot",
    "num_failed_logins",
    "logged_in",
    "num_compromised",
    "root_shell",
    "su_attempted",
    "num_root",
    "num_file_creations",
    "num_shells",
    "num_access_files",
    "num_outbound_cmds",
    "is_host_login",
    "is_guest_login",
    "count",
    "srv_count",
    "serror_rate",
    "srv_serror_rate",
    "rerror_rate",
    "srv_rerror_rate",
    "same_srv_rate",
    "diff_srv_rate",
    "srv_diff_host_rate",
    "dst_host_count",
    "dst_host_srv_count",
    "dst_host_same_srv_rate",
    "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate",
    "dst_host_srv_diff_host_rate",
    "dst_host_serror_rate",
    "dst_host_srv_serror_rate",
    "dst_host_rerror_rate",
    "dst_host_srv_rerror_rate",
]
COLUMNS = (*FEATURES, "attack", "difficulty")
CATEGORICAL = ("protocol_type", "service", "flag")
CATEGORIES = ("normal", "DoS", "Probe", "R2L", "U2R")
# Family of every attack name in KDDTrain+ and KDDTest+ (the usual mapping from
# the KDD'99 task description and the NSL-KDD literature), plus `normal`.
FAMILIES = {
    "normal": "normal",
    **dict.fromkeys(
        [
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
        "DoS",
    ),
    **dict.fromkeys(
        ["ipsweep", "nmap", "portsweep", "satan", "mscan", "saint"], "Probe"
    ),
    **dict.fromkeys(
        [
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
        "R2L",
    ),
    **dict.fromkeys(
        [
            "buffer_overflow",
            "loadmodule",
            "perl",
            "rootkit",
            "httptunnel",
            "ps",
            "sqlattack",
            "xterm",
        ],
        "U2R",
    ),
}
PARTITIONS = {
    "kddtrain+_20percent": "train-20percent",
    "kddtrain+": "train",
    "kddtest-21": "test-21",
    "kddtest+": "test",
}
KAGGLE_REF = "hassan06/nslkdd"


class NslKddSpec(DatasetSpec):
    name = "nsl-kdd"
    title = "NSL-KDD"
    task = "flow"
    licence = (
        "free for research with citation; check the UNB page before commercial use"
    )
    citation = (
        "M. Tavallaee, E. Bagheri, W. Lu, A. A. Ghorbani, A Detailed Analysis of the "
        "KDD CUP 99 Data Set, IEEE CISDA 2009"
    )
    url = "https://www.unb.ca/cic/datasets/nsl.html"
    positive_label = "attack"
    negative_label = "benign"
    categories = CATEGORIES
    sources = ("kaggle", "url", "path")
    default_source = "path"
    streams_raw = True
    data_dir_names = ("nsl-kdd", "NSL-KDD", "nslkdd")

    def locate(
        self, source: str, paths: Sequence[Path], options: FetchOptions
    ) -> list[Path]:
        self.check_source(source)
        if source in ("kaggle", "url"):
            if options.download_dir is None:
                raise UsageError("a remote fetch needs a download folder")
            if source == "kaggle":
                found = download_kaggle(
                    self.name, options.ref or KAGGLE_REF, options.download_dir
                )
            elif options.ref:
                found = download_url(self.name, options.ref, options.download_dir)
            else:
                raise UsageError(
                    "--source url needs --url URL", hint=path_hint(self.name, "DIR")
                )
            return select_files(found)
        if not paths:
            raise UsageError(
                "no NSL-KDD files given", hint=path_hint(self.name, "KDDTest+.txt")
            )
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files += select_files(sorted(p for p in path.iterdir() if p.is_file()))
                continue
            files.append(path)
        return files

    def read(
        self, files: Sequence[Path], options: FetchOptions
    ) -> tuple[pa.Table, dict[str, Any]]:
        import pyarrow as pa

        tables, records, partitions = [], [], {}
        for path in files:
            first = check_text_file(path)
            fields = count_fields(first)
            if fields == 45 or fields == 49:
                raise DataError(
                    f"{display_name(path)}:1: {fields} fields per line, "
                    "which is the UNSW-NB15 layout",
                    hint="fetch it with `cybench fetch unsw --source path --path FILE`",
                )
            if fields != len(COLUMNS):
                raise DataError(
                    f"{display_name(path)}:1: expected {len(COLUMNS)} fields, "
                    f"found {fields}",
                    hint="give an NSL-KDD file such as KDDTest+.txt",
                )
            table = read_csv_strings(path, COLUMNS, header=False, label="NSL-KDD")
            table = table.append_column(
                "source_file",
                pa.array([display_name(path.name)] * table.num_rows, pa.string()),
            )
            tables.append(table)
            records.append(file_record(path, table.num_rows))
            partitions[display_name(path.name)] = partition_of(path.name)
        if not tables:
            raise UsageError(
                "no NSL-KDD files given", hint=path_hint(self.name, "KDDTest+.txt")
            )
        values = set(partitions.values())
        meta = {
            "layout": "kdd",
            "files": records,
            "partitions": partitions,
            "partition": values.pop() if len(values) == 1 else None,
            "warnings": [],
        }
        return pa.concat_tables(tables), meta

    def clean(self, raw: pa.Table, raw_meta: Mapping[str, Any]) -> pa.Table:
        return clean_flows(raw, self.name, kdd_layout())

    def feature_descriptions(self, raw_meta: Mapping[str, Any]) -> dict[str, str]:
        path = resources.files("cybench.datasets").joinpath("data/nslkdd_features.json")
        return json.loads(path.read_text())


def partition_of(name: str) -> str | None:
    lowered = name.lower()
    for prefix, partition in PARTITIONS.items():
        if lowered.startswith(prefix):
            return partition
    return None


def select_files(candidates: Sequence[Path]) -> list[Path]:
    """Pick the NSL-KDD text files (KDDTrain+*.txt, KDDTest*.txt) from a listing."""
    found = [
        p for p in candidates if p.suffix.lower() == ".txt" and partition_of(p.name)
    ]
    # KDDTest-21 is a subset of KDDTest+ and the 20% file a subset of KDDTrain+,
    # so a folder listing reads the subsets only when the full file is absent.
    kinds = {partition_of(p.name) for p in found}
    subset_of = {"test-21": "test", "train-20percent": "train"}
    found = [p for p in found if subset_of.get(partition_of(p.name)) not in kinds]
    if found:
        return found
    names = ", ".join(display_name(p.name) for p in candidates[:5]) or "no files"
    raise DataError(
        f"no NSL-KDD files found (saw {names})",
        hint="expected KDDTrain+.txt or KDDTest+.txt; pass files with --path",
    )


def kdd_layout() -> FlowLayout:
    return FlowLayout(
        categorical={c: c for c in CATEGORICAL},
        numeric={c: c for c in FEATURES if c not in CATEGORICAL},
        category_column="attack",
        category_map=FAMILIES,
        positive_categories=frozenset(CATEGORIES[1:]),
    )


SPEC = NslKddSpec()
