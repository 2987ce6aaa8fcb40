"""Read a phishing-email dataset from the Hugging Face Hub through `datasets`.

Every split becomes raw rows with the published fields as JSON; the text and
label columns are found by name as for CSV files (`Email Text`/`Email Type`
in zefang-liu/phishing-email-dataset, `text`/`label` elsewhere).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cybench.datasets.email import labels
from cybench.datasets.email.sources import RAW_COLUMNS, SourceRead, find_columns
from cybench.errors import DataError

DEFAULT_DATASET = "zefang-liu/phishing-email-dataset"
LOCAL_FORM = (
    "cybench fetch phishing-email --source path --path Nazario.csv "
    "--path phishing0.mbox:phishing --path easy_ham.tar.xz:legitimate"
)


def read_hf(name: str, revision: str | None = None) -> SourceRead:
    """Download dataset `name` and return its rows; raise DataError when unreachable."""
    import datasets

    try:
        loaded = datasets.load_dataset(name, revision=revision)
    except (OSError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(
            f"could not download Hugging Face dataset {name}: {first}",
            hint=f"without network, fetch local files: {LOCAL_FORM}",
        ) from error
    splits = loaded if isinstance(loaded, datasets.DatasetDict) else {"train": loaded}
    read = SourceRead()
    content = hashlib.sha256()
    source = f"hf:{name}"
    columns = None
    for split in sorted(splits):
        table = splits[split]
        columns = find_columns(list(table.column_names), f"{source} split {split}")
        if columns.label is None:
            raise DataError(
                f"{source} split {split} has no label column "
                f"(columns: {', '.join(table.column_names)})",
                hint=f"choose a labelled dataset or fetch local files: {LOCAL_FORM}",
            )
        names = _label_names(table.features.get(columns.label))
        for index, record in enumerate(table):
            fields = json.dumps(record, ensure_ascii=False, default=str, sort_keys=True)
            content.update(fields.encode() + b"\n")
            where = f"{source} split {split} row {index}"
            label = _hf_label(record[columns.label], names, where)
            row = dict.fromkeys(RAW_COLUMNS)
            row.update(
                source=source,
                source_kind="hf",
                member=f"{split}/{index}",
                position=len(read.rows),
                label=label,
                fields=fields,
            )
            read.rows.append(row)
    info = next(iter(splits.values())).info if splits else None
    read.meta = {
        "path": name,
        "name": source,
        "kind": "hf",
        "label": "label column",
        "digest": f"sha256:{content.hexdigest()}",
        "rows": len(read.rows),
        "revision": revision,
        "splits": {split: splits[split].num_rows for split in sorted(splits)},
        "corpus": name,
        "licence": (info.license if info and info.license else "see the dataset card"),
        "citation": [info.citation] if info and info.citation else [],
        "columns": vars(columns) if columns else {},
    }
    return read


def _label_names(feature: Any) -> list[str] | None:
    """Return the class names of a ClassLabel feature, else None."""
    names = getattr(feature, "names", None)
    return list(names) if names else None


def _hf_label(value: Any, names: list[str] | None, where: str) -> str:
    if names is not None and isinstance(value, int) and 0 <= value < len(names):
        value = names[value]
    try:
        label = labels.normalise_label(value)
    except ValueError as error:
        raise DataError(f"{where}: label {value!r}: {error}") from error
    if label is None:
        raise DataError(
            f"{where}: label {value!r} is not phishing or legitimate",
            hint="choose a dataset labelled phishing/legitimate (or 1/0)",
        )
    return label
