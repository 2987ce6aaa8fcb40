"""A real local model (SmolLM2 through llama.cpp) as judge."""

from __future__ import annotations

import importlib.util

import pytest

from cybench.judge import JudgeSettings, ensure_judgments
from tests.judge.helpers import write_judged_run

pytestmark = pytest.mark.model

STATUSES = {"ok", "empty", "unparseable", "incomplete", "out_of_range"}


def test_smollm2_judges_explanations(store):
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama_cpp is not installed; scripts/setup.sh installs it")
    run = write_judged_run(store, n=3)
    settings = JudgeSettings(judge="llamacpp:smollm2", max_tokens=120)
    result = ensure_judgments(store, run, settings)
    rows = store.read_table(result.manifest).to_pylist()
    assert len(rows) == 3
    assert {row["parse_status"] for row in rows} <= STATUSES
    for row in rows:
        scores = [row[name] for name in ("faithfulness", "reasoning", "usefulness")]
        if row["parse_status"] == "ok":
            assert all(1 <= score <= 5 for score in scores)
        else:
            assert scores == [None, None, None]
    assert result.manifest.params["judge_model_id"].startswith("llamacpp:")
