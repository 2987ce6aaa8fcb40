"""The interface every dataset implements, and helpers shared by implementations.

A dataset is a `DatasetSpec` with two methods that the generic steps call:

- `fetch(source, paths, options)` reads the published files and returns the raw
  rows as published plus metadata. `cybench.datasets.fetch` stores them as the
  `raw` artifact of step `fetch`.
- `clean(raw, raw_meta)` turns that raw table into the normalised samples layout
  of `cybench.schemas.SAMPLES_COLUMNS` (without `split`). The generic prep in
  `cybench.datasets.prep` then removes duplicates, splits, samples and renders
  prompts, so a dataset never does those itself.

Both methods raise `cybench.errors.DataError` naming the file and line for bad
input, and `UsageError` for a source or option they do not support. Neither
writes to the store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from cybench.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

Task = Literal["flow", "email"]
SOURCES = ("kaggle", "hf", "url", "path")

# Columns of the samples layout that are not features. Every other column that
# `clean` returns is a feature column, except those in `DatasetSpec.info_columns`.
BASE_COLUMNS = ("sample_id", "dataset", "split", "label", "y", "category", "text")


@dataclass(frozen=True)
class AnswerContract:
    """Keys and allowed values of the JSON reply a model must give.

    `labels` are the two class names (positive first). `categories` is None for
    tasks without a category (email); otherwise the allowed category names.
    """

    labels: tuple[str, str]
    categories: tuple[str, ...] | None = None
    confidence_range: tuple[float, float] = (0.0, 1.0)
    explanation_max_words: int = 40


@dataclass(frozen=True)
class FetchOptions:
    """Options of one fetch, passed to the dataset's `locate`, `read` or `fetch`.

    `ref` is the remote dataset name (Kaggle `owner/slug`, Hugging Face repo id)
    or the URL; None picks the dataset's default. `extra` carries
    dataset-specific options (for email, `--path P:LABEL` labels arrive already
    split into `paths` and `labels`).
    """

    ref: str | None = None
    labels: tuple[str | None, ...] = ()
    download_dir: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class DatasetSpec:
    """One dataset: identity, licence, label names and the fetch/clean contract.

    Subclasses set the class attributes and implement `fetch` and `clean`. An
    instance is stateless, so one module-level `SPEC = MySpec()` object serves
    every call.
    """

    name: ClassVar[str]
    """Registry name used on the command line, e.g. `unsw`."""
    title: ClassVar[str]
    """Human-readable name, e.g. `UNSW-NB15`."""
    task: ClassVar[Task]
    """`flow` (feature columns, no text) or `email` (text column, no features)."""
    licence: ClassVar[str]
    """Licence terms in one line, e.g. `academic non-commercial use only`."""
    citation: ClassVar[str]
    """The reference users of the dataset are asked to cite."""
    url: ClassVar[str]
    """Official page of the dataset."""
    positive_label: ClassVar[str]
    """`label` value of the positive class (y = 1), e.g. `attack`, `phishing`."""
    negative_label: ClassVar[str]
    """`label` value of the negative class (y = 0), e.g. `benign`, `legitimate`."""
    categories: ClassVar[tuple[str, ...] | None] = None
    """Every `category` value `clean` may emit, or None. The negative class's
    category comes first, because prompts name it as the category of negative
    records (`Normal` for UNSW-NB15)."""
    sources: ClassVar[tuple[str, ...]] = ("path",)
    """Sources `fetch` accepts, a subset of `SOURCES`; `path` is always one."""
    default_source: ClassVar[str] = "path"
    """Source used when the user gives none."""
    info_columns: ClassVar[tuple[str, ...]] = ()
    """Columns `clean` adds that are neither features nor in the samples layout
    (provenance such as the source file). Prep keeps them in the samples
    artifact but never counts them as features or shows them to a model."""
    streams_raw: ClassVar[bool] = False
    """When true, `clean` receives a `pyarrow.dataset.Dataset` over the raw
    Parquet file instead of an in-memory table, so a DuckDB scan can stream
    millions of rows. Set it only if `clean` does nothing but such a scan."""
    data_dir_names: ClassVar[tuple[str, ...]] = ()
    """Folder names under a data root ($CYBENCH_DATA, ../shared/data) that hold
    a local copy; `discover_paths` looks for them."""

    def answer_contract(self) -> AnswerContract:
        """Return the allowed labels and categories of a model's reply."""
        return AnswerContract(
            labels=(self.positive_label, self.negative_label),
            categories=self.categories,
        )

    def locate(
        self, source: str, paths: Sequence[Path], options: FetchOptions
    ) -> list[Path] | None:
        """Return the local files a fetch will read, downloading them if needed.

        Optional: a dataset that implements `locate` and `read` lets the fetch
        step digest the files and reuse an existing raw artifact before reading
        them. The default returns None, and the fetch step then calls `fetch`.
        """
        return None

    def read(
        self, files: Sequence[Path], options: FetchOptions
    ) -> tuple[pa.Table, dict[str, Any]]:
        """Read files returned by `locate`; same result contract as `fetch`."""
        raise NotImplementedError

    def fetch(
        self, source: str, paths: Sequence[Path], options: FetchOptions
    ) -> tuple[pa.Table, dict[str, Any]]:
        """Read the published files and return (raw rows, metadata).

        The default calls `locate` and then `read`; override either this
        method or both of those.

        `source` is one of `self.sources`. For `path`, `paths` lists the files
        or folders the user gave (folders are searched for the dataset's files);
        for remote sources `paths` is empty and the files are downloaded into
        `options.download_dir`. Raw rows are kept as published: string columns
        are fine, names may be the published ones, but add a `source_file`
        column when rows come from more than one file.

        The metadata dict must be plain JSON and hold at least:
        `files` (list of {"name", "sha256", "bytes", "rows"}, digests tagged
        `sha256:`), `source`, `ref` (what was fetched from, or None),
        `licence`, `citation`, `warnings` (list of one-line strings shown to
        the user) and any dataset-specific facts that `clean` needs, such as
        `layout` or a detected `partition`.

        Missing network or credentials raise `cybench.errors.DataError` or
        `AuthError` in one line that names the missing thing and shows the
        `--source path --path ...` form.
        """
        files = self.locate(source, paths, options)
        if files is None:
            raise NotImplementedError(f"{type(self).__name__} implements no fetch")
        return self.read(files, options)

    def clean(self, raw: pa.Table, raw_meta: Mapping[str, Any]) -> pa.Table:
        """Return the normalised samples of a raw table, one row per raw record.

        Columns: `sample_id` (see `with_sample_ids`), `dataset` (= `self.name`),
        `label` (positive or negative label name), `y` (int8, 1 positive),
        `category` (one of `self.categories`, or null when None), `text` (email
        subject and body, or null for flows), then the feature columns with
        clean types (float64/int64 for numbers, string for categorical values).
        No `split` column: the generic prep adds it. Duplicates stay in, because
        the generic prep counts and removes them. Columns named in
        `info_columns` may follow; every other extra column is a feature.
        """
        raise NotImplementedError

    def feature_descriptions(self, raw_meta: Mapping[str, Any]) -> dict[str, str]:
        """Return {feature column: one-line description} for prompts; may be empty."""
        return {}

    def discover_paths(self, roots: Sequence[Path] | None = None) -> list[Path]:
        """Return the local folders that hold a copy of this dataset, best first.

        Looks for each of `self.data_dir_names` under every root; without
        `roots`, under `data_roots()`.
        """
        found = []
        for root in roots if roots is not None else data_roots():
            for name in self.data_dir_names:
                candidate = root / name
                if candidate.is_dir():
                    found.append(candidate)
        return found

    def check_source(self, source: str) -> None:
        """Raise UsageError when this dataset cannot be fetched from `source`."""
        if source in self.sources:
            return
        raise UsageError(
            f"dataset {self.name} has no source {source!r}",
            hint=f"use --source {' or '.join(self.sources)}",
        )


DATA_ENV = "CYBENCH_DATA"


def data_roots(cwd: Path | None = None) -> list[Path]:
    """Return the folders searched for local dataset copies, in order.

    $CYBENCH_DATA first, then `../shared/data` relative to the repository and
    to the working directory; only folders that exist are returned.
    """
    repo = Path(__file__).resolve().parents[2]
    here = cwd or Path.cwd()
    candidates = []
    if os.environ.get(DATA_ENV):
        candidates.append(Path(os.environ[DATA_ENV]).expanduser())
    candidates += [repo.parent / "shared" / "data", here.parent / "shared" / "data"]
    unique = dict.fromkeys(p.resolve() for p in candidates if p.is_dir())
    return list(unique)


def sample_id_sql(dataset: str, content_columns: Sequence[str]) -> str:
    """Return the DuckDB expression of the `sample_id` of a row.

    The id is the hex SHA-256 of the dataset name and the listed columns, each
    cast to text with nulls written as `\\N`, joined by the unit separator
    (0x1f). Rows with equal content get equal ids, so the id is also the key
    of exact-duplicate removal. Include label and category in
    `content_columns`, so that conflicting labels give different ids.
    """
    parts = ", ".join(
        f"coalesce(CAST({_quote(c)} AS VARCHAR), '\\N')" for c in content_columns
    )
    name = dataset.replace("'", "''")
    return f"sha256(concat_ws(chr(31), '{name}', {parts}))"


def with_sample_ids(
    table: pa.Table, dataset: str, content_columns: Sequence[str]
) -> pa.Table:
    """Return `table` with a `sample_id` column first (see `sample_id_sql`)."""

    from cybench.datasets.duck import connect

    rest = "* EXCLUDE (sample_id)" if "sample_id" in table.column_names else "*"
    sql = (
        f"SELECT {sample_id_sql(dataset, content_columns)} AS sample_id, {rest} FROM t"
    )
    con = connect()
    try:
        con.register("t", table)
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def display_name(path: str | os.PathLike[str]) -> str:
    """Return a path as valid UTF-8 text, undecodable bytes shown as `\\xNN`.

    A file name that is not UTF-8 reaches Python as a string with surrogate
    escapes, which Arrow, DuckDB and JSON cannot encode; artifacts and
    messages store this form instead.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def file_record(
    path: Path, rows: int | None, name: str | None = None
) -> dict[str, Any]:
    """Return the `files` metadata entry of one fetched file: name, digest, size."""
    from cybench.store.keys import digest_file

    return {
        "name": name or display_name(path.name),
        "sha256": digest_file(str(path)),
        "bytes": path.stat().st_size,
        "rows": rows,
    }
