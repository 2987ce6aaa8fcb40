"""Render prompts from the versioned jinja2 templates in `templates/TASK/NAME.j2`.

A template has two blocks, `system` and `user`, and declares its version on
its first line as `{#- version: N -#}`. Change N whenever the rendered text
changes, because the version is part of each response's row key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cybench.errors import UsageError

if TYPE_CHECKING:
    import jinja2
    import pyarrow as pa

TEMPLATE_NAMES = ("zero-shot", "few-shot")
EXPLANATION_MAX_WORDS = 40
VERSION_PATTERN = re.compile(r"\{#-?\s*version:\s*(\d+)\s*-?#\}")


@cache
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("cybench.prompts", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def template_path(task: str, name: str) -> str:
    if name not in TEMPLATE_NAMES:
        raise UsageError(
            f"unknown template {name!r}",
            hint=f"choose one of {', '.join(TEMPLATE_NAMES)}",
        )
    return f"{task}/{name}.j2"


def template_version(task: str, name: str) -> int:
    """Return the version a template declares on its first line."""
    import jinja2

    path = template_path(task, name)
    try:
        source, _, _ = environment().loader.get_source(environment(), path)
    except jinja2.TemplateNotFound as exc:
        raise UsageError(f"no template {name!r} for {task} datasets") from exc
    match = VERSION_PATTERN.search(source.split("\n", 1)[0])
    if match is None:
        raise UsageError(f"template {path} does not declare `{{#- version: N -#}}`")
    return int(match.group(1))


def render(task: str, name: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Return the (system, user) messages of one prompt."""
    template = environment().get_template(template_path(task, name))
    ctx = template.new_context(dict(context))
    system = "".join(template.blocks["system"](ctx)).strip()
    user = "".join(template.blocks["user"](ctx)).strip()
    return system, user


def format_value(value: Any) -> str:
    """Format a feature value: integral floats as integers, others to 6 digits."""
    if value is None:
        return "missing"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


def read_rows(path: Path, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Return {sample_id: row} for the listed samples of a samples Parquet file."""

    from cybench.datasets.duck import connect

    if not ids:
        return {}
    con = connect()
    try:
        table = con.sql(
            "SELECT * FROM read_parquet($path) "
            "WHERE sample_id IN (SELECT unnest($ids))",
            params={"path": str(path), "ids": list(ids)},
        ).to_arrow_table()
    finally:
        con.close()
    return {row["sample_id"]: row for row in table.to_pylist()}


def example_answer(row: Mapping[str, Any], with_category: bool) -> str:
    answer = {"label": row["label"]}
    if with_category:
        answer["category"] = row["category"]
    return json.dumps(answer)


def base_context(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Return the template variables shared by every prompt of a samples artifact."""
    categories = meta.get("categories")
    features = meta.get("feature_columns") or []
    descriptions = meta.get("feature_descriptions") or {}
    return {
        "title": meta.get("title", meta.get("dataset")),
        "positive": meta["positive_label"],
        "negative": meta["negative_label"],
        "categories": categories or [],
        # Datasets list their negative-class category first (Normal, normal).
        "negative_category": categories[0] if categories else None,
        "legend": [(c, descriptions.get(c, c)) for c in features],
        "max_words": EXPLANATION_MAX_WORDS,
    }


def record_context(row: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    features = meta.get("feature_columns") or []
    return {
        "features": [(c, format_value(row.get(c))) for c in features],
        "text": row.get("text") or "",
    }


def render_prompts(
    path: Path,
    meta: Mapping[str, Any],
    ids: Sequence[str],
    example_ids: Sequence[str],
    template: str,
    version: int,
) -> pa.Table:
    """Render one prompt per sample id into a table in the prompts layout."""
    import pyarrow as pa

    from cybench.store.keys import digest_json

    task = meta.get("task", "flow")
    rows = read_rows(path, [*ids, *example_ids])
    context = base_context(meta)
    with_category = bool(meta.get("categories"))
    context["examples"] = [
        {
            **record_context(rows[i], meta),
            "answer": example_answer(rows[i], with_category),
        }
        for i in example_ids
    ]

    records = []
    for sample_id in ids:
        row = rows[sample_id]
        system, user = render(task, template, {**context, **record_context(row, meta)})
        prompt_id = digest_json(
            {"template": template, "version": version, "system": system, "user": user}
        )
        records.append(
            {
                "prompt_id": prompt_id,
                "sample_id": sample_id,
                "split": row["split"],
                "label": row["label"],
                "y": row["y"],
                "category": row["category"],
                "template": template,
                "template_version": version,
                "system": system,
                "user": user,
                "few_shot_ids": list(example_ids),
            }
        )
    schema = pa.schema(
        [
            ("prompt_id", pa.string()),
            ("sample_id", pa.string()),
            ("split", pa.string()),
            ("label", pa.string()),
            ("y", pa.int8()),
            ("category", pa.string()),
            ("template", pa.string()),
            ("template_version", pa.int32()),
            ("system", pa.string()),
            ("user", pa.string()),
            ("few_shot_ids", pa.list_(pa.string())),
        ]
    )
    return pa.Table.from_pylist(records, schema=schema)
