"""An OpenAI-compatible judge through the real SDK against a local stub server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.judge.helpers import scores_reply, write_judged_run
from tests.stub_server import STUB_KEY, StubServer


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubServer]:
    monkeypatch.setenv("OPENAI_API_KEY", STUB_KEY)
    server = StubServer().start()
    yield server
    server.stop()


def _short(manifest) -> str:
    return manifest.key.split(":", 1)[1][:12]


def test_openai_judge_rates_every_explanation(cli, store, stub):
    stub.add_faults({"text": scores_reply(5, 4, 3), "times": -1})
    run = write_judged_run(store)
    result = cli(
        "judge", _short(run), "--judge", "openai:judge-model",
        "--base-url", stub.openai_url, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["judgments"][0]["meta"]["summary"]
    assert summary["statuses"] == {"ok": 12}
    assert summary["means"]["faithfulness"] == 5
    assert stub.requests == 12


def test_openai_judge_retries_rate_limits(cli, store, stub):
    stub.add_faults({"status": 429, "retry_after": 0.01, "match": "Record 4:"})
    stub.add_faults({"text": scores_reply(2, 2, 2), "times": -1})
    run = write_judged_run(store)
    result = cli(
        "judge", _short(run), "--judge", "openai:judge-model",
        "--base-url", stub.openai_url, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["judgments"][0]["meta"]["summary"]
    assert summary["statuses"] == {"ok": 12}
    assert stub.requests == 13
