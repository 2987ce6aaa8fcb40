"""Prompt templates, rendering, and the answer contract of a prompts artifact.

Inference uses `answer_schema(manifest)` for structured output and
`allowed_labels(manifest)` to validate parsed replies. Both read the prompts
manifest's meta, which `cybench prep` fills from the dataset's spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cybench.prompts.render import (
    EXPLANATION_MAX_WORDS,
    TEMPLATE_NAMES,
    render,
    render_prompts,
    template_version,
)

if TYPE_CHECKING:
    from cybench.store import Manifest

__all__ = [
    "EXPLANATION_MAX_WORDS",
    "TEMPLATE_NAMES",
    "allowed_labels",
    "answer_schema",
    "answer_schema_for",
    "render",
    "render_prompts",
    "template_version",
]


def answer_schema_for(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Return the JSON Schema of a reply from prompts meta (labels, categories)."""
    properties: dict[str, Any] = {
        "label": {"type": "string", "enum": list(meta["labels"])},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    }
    required = ["label", "confidence"]
    if meta.get("categories"):
        properties["category"] = {"type": "string", "enum": list(meta["categories"])}
        required.append("category")
    properties["explanation"] = {
        "type": "string",
        "description": f"at most {EXPLANATION_MAX_WORDS} words",
    }
    required.append("explanation")
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def answer_schema(prompts: Manifest) -> dict[str, Any]:
    """Return the JSON Schema of a reply to the prompts of this artifact."""
    return prompts.meta.get("answer_schema") or answer_schema_for(prompts.meta)


def allowed_labels(prompts: Manifest) -> tuple[list[str], list[str] | None]:
    """Return (labels, categories) a reply to this prompts artifact may use.

    Labels list the positive class first; categories is None for tasks without one.
    """
    return list(prompts.meta["labels"]), prompts.meta.get("categories")
