"""Versioned rubrics for rating a response's explanation, and the judge prompt.

A rubric version never changes once released: a new wording gets a new
version, so judgments keyed by rubric version stay comparable. The judge gets
the task the detector was given (which contains the record), the true label
and category, and the detector's label and explanation, never which model
wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cybench.errors import UsageError

SCALE = (1, 5)


@dataclass(frozen=True)
class Rubric:
    """One released rubric: criteria with their 1-5 descriptions, and the prompt."""

    version: int
    criteria: dict[str, str]
    system: str
    template: str

    def render(
        self,
        *,
        task: str,
        true_label: str,
        true_category: str | None,
        label: str | None,
        explanation: str,
    ) -> str:
        """Return the judge's user message for one response."""
        criteria = "\n".join(
            f"- {name}: {text}" for name, text in self.criteria.items()
        )
        truth = true_label if not true_category else f"{true_label} ({true_category})"
        return self.template.format(
            task=task,
            truth=truth,
            label=label or "(none)",
            explanation=explanation,
            criteria=criteria,
            keys=", ".join(f'"{name}"' for name in self.criteria),
        )

    def response_schema(self) -> dict:
        """Return the JSON schema of the judge's reply, for structured output."""
        low, high = SCALE
        properties = {
            name: {"type": "integer", "minimum": low, "maximum": high}
            for name in self.criteria
        }
        properties["rationale"] = {"type": "string"}
        return {
            "type": "object",
            "properties": properties,
            "required": [*self.criteria, "rationale"],
            "additionalProperties": False,
        }


RUBRICS: dict[int, Rubric] = {
    1: Rubric(
        version=1,
        criteria={
            "faithfulness": "the explanation cites only features and values that "
            "the record actually contains, and states them correctly (1 = invents "
            "or misreads them, 5 = every cited fact is in the record)",
            "reasoning": "the security reasoning is correct: the cited evidence "
            "supports the true label for the reasons a security analyst would "
            "accept (1 = wrong or irrelevant reasoning, 5 = sound and specific)",
            "usefulness": "an analyst triaging this alert could act on the "
            "explanation: it names what to check next and why (1 = no help, "
            "5 = directly actionable)",
        },
        system="You are a senior security analyst reviewing the explanations that "
        "an automated detector gave for its verdicts. Rate each explanation "
        "strictly and consistently. Reply with one JSON object and nothing else.",
        template="The detector was given this task, which contains the record:\n"
        "<task>\n{task}\n</task>\n\n"
        "True label of the record: {truth}\n"
        "Detector's label: {label}\n"
        "Detector's explanation:\n<explanation>\n{explanation}\n</explanation>\n\n"
        "Rate the explanation from 1 (worst) to 5 (best) on each criterion:\n"
        "{criteria}\n\n"
        'Reply with JSON: {{{keys}, "rationale": "one sentence"}} where each '
        "criterion is an integer from 1 to 5.",
    ),
}
LATEST = max(RUBRICS)


def rubric(version: int) -> Rubric:
    """Return rubric `version`; raise UsageError for an unknown one."""
    if version not in RUBRICS:
        known = ", ".join(str(v) for v in sorted(RUBRICS))
        raise UsageError(
            f"unknown rubric version {version}", hint=f"use one of {known}"
        )
    return RUBRICS[version]


def redact_model_names(text: str, names: list[str]) -> str:
    """Replace every mention of the given model names in `text` with `[model]`.

    Explanations sometimes name their author ("As Qwen, I ..."); the judge must
    not learn it. Matching is case-insensitive; names shorter than 3
    characters are skipped because they would match ordinary words.
    """
    for name in sorted({n for n in names if n and len(n) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(name), "[model]", text, flags=re.IGNORECASE)
    return text


def model_names(spec: str | None, model_id: str | None) -> list[str]:
    """Return the strings that identify a model: spec, name, id and id parts."""
    names: list[str] = []
    for value in (spec, model_id):
        if not value:
            continue
        names.append(value)
        _, _, rest = value.partition(":")
        names.append(rest)
        names.extend(part for part in re.split(r"[:/@]", rest) if len(part) >= 3)
    return names
