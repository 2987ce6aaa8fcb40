"""Parse a judge's reply into criterion scores, or a status saying why not.

Statuses: `ok`; `empty` (no text); `unparseable` (no JSON object found);
`incomplete` (a criterion missing); `out_of_range` (a score that is not an
integer from 1 to 5). Only `ok` carries scores.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from cybench.judge.rubric import SCALE

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class ParsedJudgment:
    status: str
    scores: dict[str, int] = field(default_factory=dict)
    rationale: str | None = None


def _first_object(text: str) -> dict | None:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _score(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and SCALE[0] <= value <= SCALE[1]:
        return value
    return None


def parse_judgment(text: str | None, criteria: list[str]) -> ParsedJudgment:
    """Return the scores in `text` for every criterion, or a failure status."""
    if text is None or not text.strip():
        return ParsedJudgment("empty")
    found = _first_object(_THINK.sub("", text))
    if found is None:
        return ParsedJudgment("unparseable")
    lowered = {str(k).strip().lower(): v for k, v in found.items()}
    if any(name not in lowered for name in criteria):
        return ParsedJudgment("incomplete")
    scores = {name: _score(lowered[name]) for name in criteria}
    if any(v is None for v in scores.values()):
        return ParsedJudgment("out_of_range")
    rationale = lowered.get("rationale")
    return ParsedJudgment(
        "ok", scores, str(rationale) if rationale is not None else None
    )  # type: ignore[arg-type]
