"""The judge step: rate explanations with a judge model and a versioned rubric.

Importable entry points (documented where defined):

- `ensure_judgments(store, responses_manifest, JudgeSettings(judge=...))`;
- `agreement(table_a, table_b, criteria)`: weighted kappa per criterion;
- `judge_pairs(store, responses_manifest, rubric_version)`: judgments to compare;
- `rubric(version)`, `RUBRICS`, `parse_judgment(text, criteria)`.
"""

from __future__ import annotations

from cybench.judge.agreement import agreement, judge_pairs, weighted_kappa
from cybench.judge.parse import parse_judgment
from cybench.judge.rubric import LATEST, RUBRICS, rubric
from cybench.judge.step import JudgeResult, JudgeSettings, build_items, ensure_judgments

__all__ = [
    "LATEST",
    "RUBRICS",
    "JudgeResult",
    "JudgeSettings",
    "agreement",
    "build_items",
    "ensure_judgments",
    "judge_pairs",
    "parse_judgment",
    "rubric",
    "weighted_kappa",
]
