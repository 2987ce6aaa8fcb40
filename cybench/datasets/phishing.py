"""The `phishing-email` dataset: phishing versus legitimate mail, text only.

Sources are local files given as `--path PATH[:LABEL]` (CSV, mbox, folders or
tar archives of raw messages, combined into one raw artifact) or a Hugging Face
dataset. `clean` decodes MIME, removes collection artefacts that give the
class away, and cuts long bodies to a token budget; see `cybench.datasets.email`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cybench.datasets.base import (
    DatasetSpec,
    FetchOptions,
    display_name,
    with_sample_ids,
)
from cybench.datasets.email.clean import EXTRA_COLUMNS
from cybench.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.datasets.email.sources import SourceRead, SourceSpec

NAME = "phishing-email"
# A folder laid out like the shared corpus copy, given without a label, stands
# for this raw-against-raw pairing: 2004-2005 phishing mbox files against the
# 2002 SpamAssassin ham, all with full headers.
DEFAULT_PAIRING = (
    ("phishing0.mbox", "phishing"),
    ("phishing1.mbox", "phishing"),
    ("spamassassin/easy_ham.tar.xz", "legitimate"),
    ("spamassassin/easy_ham_2.tar.xz", "legitimate"),
    ("spamassassin/hard_ham.tar.xz", "legitimate"),
)


class PhishingEmailSpec(DatasetSpec):
    """Phishing email detection over local corpora or a Hugging Face dataset."""

    name = NAME
    title = "Phishing email"
    task = "email"
    licence = (
        "per source, recorded in the raw artifact (Nazario corpus: research use, "
        "curated CSV CC BY 4.0; SpamAssassin corpus: copyright stays with the senders)"
    )
    citation = (
        "J. Nazario, Phishing Corpus, https://monkey.org/~jose/phishing/; "
        "Apache SpamAssassin public corpus, https://spamassassin.apache.org/old/publiccorpus/"
    )
    url = "https://monkey.org/~jose/phishing/"
    positive_label = "phishing"
    negative_label = "legitimate"
    categories = None
    sources = ("path", "hf")
    default_source = "path"
    data_dir_names = ("phishing-email",)
    info_columns = tuple(EXTRA_COLUMNS)
    """Columns of `clean` beyond the samples layout that describe a sample and are
    no features. NOTE: a prep that counts them as features lets a classifier
    learn the class from `source`, so feature selection must leave them out."""

    def fetch(
        self, source: str, paths: Sequence[Path], options: FetchOptions
    ) -> tuple[pa.Table, dict[str, Any]]:
        """Read every source into one raw table (see `cybench.datasets.email`)."""
        from cybench.datasets.email.hf import DEFAULT_DATASET, read_hf
        from cybench.datasets.email.sources import read_source

        self.check_source(source)
        warnings: list[str] = []
        if source == "hf":
            reads = [read_hf(options.ref or DEFAULT_DATASET)]
        else:
            specs = resolve_sources(paths, options.labels, warnings)
            reads = [read_source(spec) for spec in specs]
        return raw_table(reads), raw_meta(reads, warnings)

    def clean(
        self,
        raw: pa.Table,
        raw_meta: Mapping[str, Any],
        max_tokens: int | None = None,
    ) -> pa.Table:
        """Return one sample per message; drop pseudo-messages and empty rows.

        `max_tokens` is the estimated token budget of `text` (default 512).
        """
        from cybench.datasets.email.clean import DEFAULT_MAX_TOKENS, clean_rows

        budget = max_tokens or DEFAULT_MAX_TOKENS
        columns = raw_meta.get("columns", {})
        samples, report = clean_rows(raw.to_pylist(), columns, budget)
        report_meta = {**asdict(report), "max_tokens": budget}
        return samples_table(samples, report_meta)


def resolve_sources(
    paths: Sequence[Path], suffix_labels: Sequence[str | None], warnings: list[str]
) -> list[SourceSpec]:
    """Turn the `--path` values into source specs, expanding a corpus folder.

    A label may arrive split off by the CLI (`suffix_labels[i]`) or still
    attached to the path (`PATH:LABEL`).
    """
    from cybench.datasets.email.sources import parse_source_spec

    if not paths:
        raise UsageError(
            "no source given for phishing-email",
            hint="give --path PATH[:LABEL], e.g. --path phishing0.mbox:phishing",
        )
    specs: list[SourceSpec] = []
    for index, path in enumerate(paths):
        label = suffix_labels[index] if index < len(suffix_labels) else None
        text = f"{path}:{label}" if label else str(path)
        pairing = _corpus_pairing(Path(path)) if not label else None
        if pairing:
            warnings.append(
                f"{display_name(path)} is the phishing-email corpus folder; using "
                + ", ".join(f"{name}:{lab}" for name, lab in DEFAULT_PAIRING)
            )
            specs += [
                parse_source_spec(f"{Path(path) / n}:{lab}") for n, lab in pairing
            ]
            continue
        specs.append(parse_source_spec(text))
    _check_distinct(specs)
    return specs


def _corpus_pairing(path: Path) -> tuple[tuple[str, str], ...] | None:
    if not path.is_dir():
        return None
    if all((path / name).is_file() for name, _ in DEFAULT_PAIRING):
        return DEFAULT_PAIRING
    return None


def _check_distinct(specs: Sequence[SourceSpec]) -> None:
    seen: dict[str, Path] = {}
    for spec in specs:
        name = spec.path.name
        if name in seen:
            raise UsageError(
                f"two sources are named {display_name(name)} "
                f"({display_name(seen[name])} and {display_name(spec.path)})",
                hint="give each source once, with distinct file names",
            )
        seen[name] = spec.path


def raw_table(reads: Sequence[SourceRead]) -> pa.Table:
    """Return the raw rows of all sources as one Arrow table in `RAW_COLUMNS` order."""
    import pyarrow as pa

    from cybench.datasets.email.sources import RAW_COLUMNS

    types = {"position": pa.int64(), "line": pa.int64(), "raw_bytes": pa.binary()}
    schema = pa.schema([(name, types.get(name, pa.string())) for name in RAW_COLUMNS])
    rows = [row for read in reads for row in read.rows]
    return pa.Table.from_pylist(rows, schema=schema)


def raw_meta(reads: Sequence[SourceRead], warnings: list[str]) -> dict[str, Any]:
    """Return the fetch metadata: files, per-source provenance, licences, citations."""
    sources = [read.meta for read in reads]
    licences = dict.fromkeys(f"{s['name']}: {s['licence']}" for s in sources)
    citations = dict.fromkeys(c for s in sources for c in s.get("citation", []))
    return {
        "files": [
            {
                "name": s["name"],
                "sha256": s["digest"],
                "bytes": s.get("bytes"),
                "rows": s["rows"],
            }
            for s in sources
        ],
        "sources": sources,
        "columns": {s["name"]: s["columns"] for s in sources if s.get("columns")},
        "licence": "; ".join(licences),
        "citation": "; ".join(citations),
        "warnings": warnings,
    }


def samples_table(samples: list[dict], report: dict[str, Any]) -> pa.Table:
    """Return samples in the normalised layout with sample ids and the clean report."""
    import pyarrow as pa

    types = {
        "y": pa.int8(),
        "decode_fallback": pa.bool_(),
        "truncated": pa.bool_(),
        "n_attachments": pa.int32(),
        "n_urls": pa.int32(),
        "n_tokens_est": pa.int32(),
    }
    names = ["dataset", "label", "y", "category", "text", *EXTRA_COLUMNS]
    fields = [
        (n, types.get(n, pa.int32() if n.startswith("removed_") else pa.string()))
        for n in names
    ]
    rows = [{"dataset": NAME, "category": None, **s} for s in samples]
    table = pa.Table.from_pylist(rows, schema=pa.schema(fields))
    table = with_sample_ids(table, NAME, ["text", "label"])
    # NOTE: the generic prep rebuilds the table and drops schema metadata, so
    # this report reaches the samples manifest only if prep copies it there.
    metadata = {b"cybench.clean_report": json.dumps(report, default=list).encode()}
    return table.replace_schema_metadata(metadata)


SPEC = PhishingEmailSpec()
