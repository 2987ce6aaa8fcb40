"""A run with a prompts artifact, and scripted judges that reply from rules."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from tests.score.runs import responses_table, write_run

SECRET_MODEL = "scripted:secret-model"


def write_judged_run(store, n: int = 12, **table_options):
    """Write prompts whose user text contains a record, and a run that answers them."""
    ids = [f"sample-{i:05d}" for i in range(n)]
    prompts = pa.table(
        {
            "prompt_id": [f"prompt-{i}" for i in ids],
            "user": [
                f"Record {i}: proto=tcp dport=80 sbytes={i * 10}." for i in range(n)
            ],
            "label": ["attack"] * n,
        }
    )
    prompts_manifest = store.write(
        "prep", "prompts", 1, {"dataset": "unsw"}, {}, prompts
    )
    table = responses_table(n, model=SECRET_MODEL, **table_options)
    return write_run(store, table, prompts_manifest.key)


def judge_file(tmp_path: Path, rules: list[dict], name: str = "judge.jsonl") -> str:
    """Write scripted judge rules and return the judge spec that reads them."""
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(rule) for rule in rules))
    return f"scripted:file={path}"


def scores_reply(faithfulness: int, reasoning: int, usefulness: int) -> str:
    return json.dumps(
        {
            "faithfulness": faithfulness,
            "reasoning": reasoning,
            "usefulness": usefulness,
            "rationale": "scripted",
        }
    )
