"""Vectorised cleaning shared by the network-flow datasets, done in DuckDB SQL.

A flow dataset describes its raw columns with a `FlowLayout`; `clean_flows`
casts them, maps the category names, checks every value and returns the
samples layout. Bad values raise DataError naming the file and line, found by
one query over the `source_file` / `source_line` columns of the raw table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cybench.errors import DataError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


@dataclass(frozen=True)
class FlowLayout:
    """Mapping from the raw columns of one file layout to normalised columns.

    `numeric`, `ports` and `categorical` map normalised feature names to raw
    column names. `category_map` maps lower-cased, stripped raw category
    values to canonical names; `blank_category` is the name of an empty cell,
    or None when empty cells are invalid.
    """

    numeric: Mapping[str, str]
    categorical: Mapping[str, str]
    category_column: str
    category_map: Mapping[str, str]
    positive_categories: frozenset[str]
    label_column: str | None = None
    ports: Mapping[str, str] = field(default_factory=dict)
    blank_category: str | None = None
    none_values: Mapping[str, str] = field(default_factory=dict)

    @property
    def feature_columns(self) -> list[str]:
        return [*self.categorical, *self.numeric, *self.ports]


def q(identifier: str) -> str:
    """Quote an SQL identifier (raw names may hold spaces, such as `ct_src_ ltm`)."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def cell(raw: str) -> str:
    """Return SQL for a stripped cell with blank values as NULL."""
    return f"NULLIF(trim({q(raw)}), '')"


def port_sql(raw: str) -> str:
    """Return SQL parsing a port like Python's int(x, 0): 0x... is hex, else decimal.

    `-` means no port. Decimal digits are never read as hex, so `80` stays 80.
    """
    value = cell(raw)
    return (
        f"CASE WHEN {value} = '-' THEN NULL "
        f"WHEN lower({value}) LIKE '0x%' THEN TRY_CAST({value} AS BIGINT) "
        f"WHEN regexp_full_match({value}, '[0-9]+') THEN TRY_CAST({value} AS BIGINT) "
        "ELSE NULL END"
    )


def category_sql(layout: FlowLayout) -> str:
    """Return SQL mapping the raw category cell to its canonical name or NULL."""
    value = f"lower(trim(coalesce({q(layout.category_column)}, '')))"
    branches = " ".join(
        f"WHEN {literal(raw)} THEN {literal(name)}"
        for raw, name in layout.category_map.items()
    )
    blank = literal(layout.blank_category) if layout.blank_category else "NULL"
    return f"CASE {value} WHEN '' THEN {blank} {branches} ELSE NULL END"


def bad_value_checks(layout: FlowLayout) -> list[tuple[str, str, str]]:
    """Return (raw column, SQL condition true for a bad cell, what is expected)."""
    checks = []
    for raw in layout.numeric.values():
        condition = (
            f"{cell(raw)} IS NOT NULL AND TRY_CAST({cell(raw)} AS DOUBLE) IS NULL"
        )
        checks.append((raw, condition, "a number"))
    for raw in layout.ports.values():
        condition = (
            f"{cell(raw)} IS NOT NULL AND ({port_sql(raw)}) IS NULL "
            f"AND {cell(raw)} <> '-'"
        )
        checks.append((raw, condition, "a port number (decimal, 0x hex or -)"))
    checks.append(
        (
            layout.category_column,
            f"({category_sql(layout)}) IS NULL",
            "a known category",
        )
    )
    if layout.label_column:
        condition = f"coalesce(trim({q(layout.label_column)}), '') NOT IN ('0', '1')"
        checks.append((layout.label_column, condition, "0 or 1"))
    return checks


def check_values(
    con: duckdb.DuckDBPyConnection, layout: FlowLayout, dataset: str
) -> None:
    """Raise DataError naming the file and line of the first invalid cell, if any."""
    checks = bad_value_checks(layout)
    any_bad = " OR ".join(f"({condition})" for _, condition, _ in checks)
    cases = ", ".join(
        f"({condition}) AS bad_{i}" for i, (_, condition, _) in enumerate(checks)
    )
    rows = con.sql(
        f"SELECT source_file, source_line, {cases} FROM raw WHERE {any_bad} LIMIT 1"
    ).fetchall()
    if not rows:
        return
    source_file, source_line, *flags = rows[0]
    column, _, expected = checks[flags.index(True)]
    value = con.sql(
        f"SELECT {q(column)} FROM raw "
        "WHERE source_file = $file AND source_line = $line",
        params={"file": source_file, "line": source_line},
    ).fetchall()[0][0]
    raise DataError(
        f"{source_file}:{source_line}: column {column!r} has {value!r}, "
        f"expected {expected}",
        hint=f"check that the file is an unmodified {dataset} file",
    )


def register_raw(con: duckdb.DuckDBPyConnection, raw: Any) -> None:
    """Expose the raw rows as view `raw`, scanning Parquet files natively when given."""
    files = getattr(raw, "files", None)
    if not files:
        con.register("raw", raw)
        return
    listed = ", ".join(literal(str(f)) for f in files)
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet([{listed}])")


def clean_flows(raw: Any, dataset: str, layout: FlowLayout) -> pa.Table:
    """Return the samples layout of a raw flow table (duplicates kept, no split).

    `raw` is an Arrow table or a `pyarrow.dataset.Dataset` of Parquet files.
    One streaming pass casts every cell, hashes the sample id and flags
    invalid cells; only when a flag is set does a second query locate the
    first invalid cell to name its file and line.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from cybench.datasets.duck import connect

    con = connect()
    try:
        register_raw(con, raw)
        reader = con.sql(select_sql(layout, dataset)).to_arrow_reader()
        table = pa.Table.from_batches(list(reader), schema=reader.schema)
        if pc.any(table.column("_bad")).as_py():
            check_values(con, layout, dataset)
        return table.drop_columns(["_bad"])
    finally:
        con.close()


def id_text_sql(layout: FlowLayout, y: str, category: str, dataset: str) -> str:
    """Return SQL for the text a flow's sample_id hashes.

    The text joins the dataset name, class and every feature as published
    after normalisation (trimmed numbers, mapped category and service, parsed
    ports) with the unit separator 0x1f, nulls written as `\\N`. Numbers are
    hashed as text so no value is cast back from a double.
    """
    parts = [literal(dataset), f"CAST({y} AS VARCHAR)", category]
    parts += [
        categorical_sql(layout, name, raw) for name, raw in layout.categorical.items()
    ]
    parts += [cell(raw) for raw in layout.numeric.values()]
    parts += [f"CAST({port_sql(raw)} AS VARCHAR)" for raw in layout.ports.values()]
    joined = ", ".join(f"coalesce({part}, '\\N')" for part in parts)
    return f"concat_ws(chr(31), {joined})"


def categorical_sql(layout: FlowLayout, name: str, raw: str) -> str:
    value = cell(raw)
    none = layout.none_values.get(name)
    if none is None:
        return value
    return f"CASE WHEN {value} = {literal(none)} THEN 'none' ELSE {value} END"


def select_sql(layout: FlowLayout, dataset: str) -> str:
    """Return the SELECT that casts every raw column; `_bad` flags invalid rows."""
    category = category_sql(layout)
    positives = ", ".join(literal(c) for c in sorted(layout.positive_categories))
    if layout.label_column:
        y = f"TRY_CAST(trim({q(layout.label_column)}) AS TINYINT)"
    else:
        y = f"CAST(({category}) IN ({positives}) AS TINYINT)"
    bad = " OR ".join(f"({condition})" for _, condition, _ in bad_value_checks(layout))

    columns = [
        f"sha256({id_text_sql(layout, y, category, dataset)}) AS sample_id",
        f"{literal(dataset)} AS dataset",
        f"CASE WHEN {y} = 1 THEN 'attack' ELSE 'benign' END AS label",
        f"{y} AS y",
        f"{category} AS category",
        "CAST(NULL AS VARCHAR) AS text",
    ]
    for name, raw in layout.categorical.items():
        columns.append(f"{categorical_sql(layout, name, raw)} AS {q(name)}")
    for name, raw in layout.numeric.items():
        columns.append(f"TRY_CAST({cell(raw)} AS DOUBLE) AS {q(name)}")
    for name, raw in layout.ports.items():
        columns.append(f"{port_sql(raw)} AS {q(name)}")
    columns.append(f"coalesce({bad}, true) AS _bad")
    return f"SELECT {', '.join(columns)} FROM raw"
