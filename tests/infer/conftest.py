"""Fixtures for inference tests: the stub API server and a small prompts artifact."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.infer.prompts import write_prompts
from tests.stub_server import STUB_KEY, StubServer


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubServer]:
    """A stub OpenAI/Anthropic server on 127.0.0.1, its key set in the environment."""
    monkeypatch.setenv("OPENAI_API_KEY", STUB_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", STUB_KEY)
    server = StubServer().start()
    yield server
    server.stop()


@pytest.fixture
def prompts(store):
    """A prompts artifact of 12 flow prompts."""
    return write_prompts(store, 12)
