"""The OpenAI and Anthropic SDKs over HTTP against the stub: replies and faults."""

from __future__ import annotations

import logging

import pytest

from cybench.errors import AuthError, ModelError
from cybench.infer import RunConfig, run_infer
from cybench.models.base import GenerationSettings
from tests.stub_server import STUB_KEY

OPENAI = "openai:gpt-4o-mini"
ANTHROPIC = "anthropic:claude-3-5-haiku-latest"


def config(stub, prompts, model: str = OPENAI, **overrides) -> RunConfig:
    base_url = stub.openai_url if model.startswith("openai") else stub.url
    values = {
        "model": model,
        "prep": prompts.key,
        "base_url": base_url,
        "progress": False,
        "backoff_base": 0.01,
        "concurrency": 4,
    }
    values.update(overrides)
    return RunConfig(**values)


def rows_of(store, result) -> list[dict]:
    return store.read_table(result.manifest).to_pylist()


def test_openai_happy_path(store, stub, prompts):
    result = run_infer(store, config(stub, prompts))
    rows = rows_of(store, result)
    assert len(rows) == 12
    assert {r["parse_status"] for r in rows} == {"ok"}
    assert stub.requests == 12
    assert all(r["tokens_in"] > 0 for r in rows)
    assert all(r["cost_usd"] is not None for r in rows)


def test_openai_rows_follow_prompt_order(store, stub, prompts):
    result = run_infer(store, config(stub, prompts))
    prompt_ids = store.read_table(prompts).column("prompt_id").to_pylist()
    assert [r["prompt_id"] for r in rows_of(store, result)] == prompt_ids


def test_anthropic_happy_path(store, stub, prompts):
    result = run_infer(store, config(stub, prompts, ANTHROPIC))
    rows = rows_of(store, result)
    assert {r["parse_status"] for r in rows} == {"ok"}
    assert {r["finish_reason"] for r in rows} == {"stop"}
    assert stub.requests == 12


def test_rate_limit_honours_retry_after(store, stub, prompts, caplog):
    stub.add_faults({"status": 429, "retry_after": 0.25})
    with caplog.at_level(logging.INFO, logger="cybench.infer.retry"):
        result = run_infer(store, config(stub, prompts))
    assert result.manifest.meta["errors"] == 0
    assert result.stats.retries == 1
    assert stub.requests == 13
    assert any("in 0.25 s after RateLimitError" in m for m in caplog.messages)


def test_server_error_500_is_retried(store, stub, prompts):
    stub.add_faults({"status": 500})
    result = run_infer(store, config(stub, prompts))
    assert result.manifest.meta["errors"] == 0
    assert result.stats.retries == 1


def test_overloaded_529_is_retried(store, stub, prompts):
    stub.add_faults({"status": 529})
    result = run_infer(store, config(stub, prompts, ANTHROPIC))
    assert result.manifest.meta["errors"] == 0
    assert result.stats.retries == 1


def test_malformed_body_is_retried(store, stub, prompts):
    stub.add_faults({"malformed": True})
    result = run_infer(store, config(stub, prompts))
    assert result.manifest.meta["errors"] == 0
    assert result.stats.retries == 1


def test_malformed_body_every_time_is_error_row(store, stub, prompts):
    stub.add_faults({"malformed": True, "match": "marker-2", "times": -1})
    result = run_infer(store, config(stub, prompts, max_retries=2))
    failed = [r for r in rows_of(store, result) if r["parse_status"] == "error"]
    assert [r["error_class"] for r in failed] == ["MalformedResponse"]


def test_slow_reply_times_out_then_succeeds(store, stub, prompts):
    stub.add_faults({"delay": 1.5, "match": "marker-4"})
    result = run_infer(store, config(stub, prompts, timeout=0.5))
    assert result.manifest.meta["errors"] == 0
    assert result.stats.retries == 1


def test_always_slow_reply_is_timeout_error_row(store, stub, prompts):
    stub.add_faults({"delay": 1.5, "match": "marker-4", "times": -1})
    result = run_infer(store, config(stub, prompts, timeout=0.3, max_retries=1))
    failed = [r for r in rows_of(store, result) if r["parse_status"] == "error"]
    assert len(failed) == 1
    assert failed[0]["error_class"] == "Timeout"


def test_content_filter_is_error_row_not_retried(store, stub, prompts):
    stub.add_faults({"status": 400, "code": "content_filter", "match": "marker-7"})
    result = run_infer(store, config(stub, prompts))
    failed = [r for r in rows_of(store, result) if r["parse_status"] == "error"]
    assert len(failed) == 1
    assert failed[0]["error_class"] == "ContentFilterError"
    assert failed[0]["finish_reason"] == "content_filter"
    assert sum("marker-7" in u for u in stub.state.users) == 1
    assert result.manifest.meta["errors"] == 1


def test_rerun_retries_error_rows_only(store, stub, prompts):
    stub.add_faults({"status": 400, "code": "content_filter", "match": "marker-7"})
    first = run_infer(store, config(stub, prompts))
    before = stub.requests
    second = run_infer(store, config(stub, prompts))
    assert stub.requests - before == 1
    assert second.manifest.meta["errors"] == 0
    assert second.manifest.key != first.manifest.key
    assert second.manifest.params["attempt"] == 2


def test_rerun_with_same_errors_keeps_artifact(store, stub, prompts):
    fault = {"status": 400, "code": "content_filter", "match": "marker-7", "times": -1}
    stub.add_faults(fault)
    first = run_infer(store, config(stub, prompts))
    second = run_infer(store, config(stub, prompts))
    assert second.manifest.key == first.manifest.key


def test_finished_run_makes_zero_requests(store, stub, prompts):
    run_infer(store, config(stub, prompts))
    before = stub.requests
    again = run_infer(store, config(stub, prompts))
    assert again.reused
    assert stub.requests == before


def test_shared_rows_serve_a_smaller_run(store, stub, prompts):
    run_infer(store, config(stub, prompts))
    before = stub.requests
    subset = run_infer(store, config(stub, prompts, limit=5))
    assert subset.manifest.rows == 5
    assert stub.requests == before


def test_changed_settings_call_again(store, stub, prompts):
    run_infer(store, config(stub, prompts))
    before = stub.requests
    run_infer(store, config(stub, prompts, settings=GenerationSettings(max_tokens=64)))
    assert stub.requests - before == 12


def test_auth_error_stops_run(store, stub, prompts, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-123456")
    with pytest.raises(AuthError) as raised:
        run_infer(store, config(stub, prompts, concurrency=1))
    assert "OPENAI_API_KEY" in raised.value.one_line()
    assert "sk-wrong-key-123456" not in raised.value.one_line()
    assert stub.requests == 1
    assert store.manifests("responses") == []


def test_auth_error_cli_prints_one_line(cli, stub, prompts, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-wrong-key-123456")
    result = cli(
        "infer", "-m", ANTHROPIC, "--prep", prompts.key, "--base-url", stub.url
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: anthropic rejected the API key in ANTHROPIC")
    assert "Traceback" not in result.stderr
    assert "sk-ant-wrong" not in result.stderr


def test_missing_key_names_env_var(cli, prompts, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = cli("infer", "-m", OPENAI, "--prep", prompts.key)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: OPENAI_API_KEY is not set; export OPENAI_API_KEY=... "
        "or pass --base-url for a local server"
    )


def test_unknown_model_404_stops_run(store, stub, prompts, monkeypatch):
    stub.add_faults({"status": 404, "times": -1})
    with pytest.raises(ModelError) as raised:
        run_infer(store, config(stub, prompts, concurrency=1))
    assert "not found" in raised.value.one_line()


def test_concurrency_bounds_requests_in_flight(store, stub, prompts):
    stub.state.latency_s = 0.05
    run_infer(store, config(stub, prompts, concurrency=3))
    assert stub.state.max_in_flight <= 3
    assert stub.state.max_in_flight > 1


def test_cli_prints_key_and_json_manifest(cli, stub, prompts):
    args = ["infer", "-m", OPENAI, "--prep", prompts.key, "--base-url", stub.openai_url]
    first = cli(*args)
    assert first.exit_code == 0
    assert first.stdout.startswith("sha256:")
    again = cli("--json", *args)
    assert '"kind": "responses"' in again.stdout
    assert "reused finished run" in again.stderr


def test_dry_run_calls_and_writes_nothing(cli, stub, prompts, store_dir):
    args = ["infer", "-m", OPENAI, "--prep", prompts.key, "--base-url", stub.openai_url]
    result = cli(*args, "--dry-run")
    assert result.exit_code == 0
    assert "12 requests" in result.stderr
    assert "$" in result.stderr
    assert stub.requests == 0
    assert not (store_dir / "rows").exists()


def test_no_key_in_stored_rows(store, stub, prompts, monkeypatch):
    stub.add_faults({"status": 400, "match": "marker-1"})
    result = run_infer(store, config(stub, prompts))
    text = str(rows_of(store, result))
    assert STUB_KEY not in text


def test_structured_request_sends_schema(store, stub, prompts):
    from cybench.models.base import ChatRequest
    from cybench.models.openai_provider import OpenAIProvider

    provider = OpenAIProvider("gpt-4o-mini", {"base_url": stub.openai_url})
    request = ChatRequest(
        prompt_id="p",
        system="s",
        user="u",
        settings=GenerationSettings(),
        response_schema={"type": "object"},
    )
    kwargs = provider.request_kwargs(request)
    assert kwargs["response_format"]["type"] == "json_schema"
    assert kwargs["max_tokens"] == 256


FAULTS = [
    ({"status": 429, "retry_after": 0.05}, "RateLimitError"),
    ({"status": 500}, "InternalServerError"),
    ({"malformed": True}, "MalformedResponse"),
]


@pytest.mark.parametrize(("fault", "error_class"), FAULTS)
def test_aiohttp_client_retries_like_sdk(store, stub, prompts, fault, error_class):
    stub.add_faults(fault)
    result = run_infer(store, config(stub, prompts, http_client="aiohttp"))
    assert result.manifest.meta["errors"] == 0
    assert result.stats.retries == 1


@pytest.mark.parametrize(("fault", "error_class"), FAULTS)
def test_aiohttp_client_error_rows_name_cause(store, stub, prompts, fault, error_class):
    stub.add_faults({**fault, "match": "marker-3", "times": -1})
    overrides = {"http_client": "aiohttp", "max_retries": 1}
    result = run_infer(store, config(stub, prompts, **overrides))
    failed = [r for r in rows_of(store, result) if r["parse_status"] == "error"]
    assert [r["error_class"] for r in failed] == [error_class]


def test_aiohttp_client_content_filter_not_retried(store, stub, prompts):
    stub.add_faults({"status": 400, "code": "content_filter", "match": "marker-7"})
    result = run_infer(store, config(stub, prompts, http_client="aiohttp"))
    assert result.manifest.meta["errors"] == 1
    assert result.stats.retries == 0


def test_aiohttp_client_auth_error_stops_run(store, stub, prompts, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-123456")
    with pytest.raises(AuthError):
        run_infer(store, config(stub, prompts, http_client="aiohttp", concurrency=1))
    assert stub.requests == 1


def test_aiohttp_client_rows_equal_sdk_rows(store, stub, prompts):
    sdk = run_infer(store, config(stub, prompts, model="openai:a"))
    raw = run_infer(
        store, config(stub, prompts, model="openai:b", http_client="aiohttp")
    )
    columns = ["raw_text", "label", "tokens_in", "tokens_out", "parse_status"]
    assert store.read_table(sdk.manifest).select(columns) == store.read_table(
        raw.manifest
    ).select(columns)


def test_unknown_http_client_is_usage_error(store, stub, prompts):
    from cybench.errors import UsageError

    with pytest.raises(UsageError):
        run_infer(store, config(stub, prompts, http_client="curl"))


def test_every_request_rejected_stops_run(store, stub, prompts):
    stub.add_faults({"status": 400, "times": -1})
    with pytest.raises(ModelError) as raised:
        run_infer(store, config(stub, prompts, concurrency=1))
    assert "were all rejected" in raised.value.one_line()
    assert stub.requests == 5
    assert store.manifests("responses") == []


def test_reasoning_model_gets_no_temperature(stub):
    from cybench.models.base import ChatRequest
    from cybench.models.openai_provider import OpenAIProvider

    request = ChatRequest(
        prompt_id="p", system="s", user="u", settings=GenerationSettings()
    )
    assert "temperature" not in OpenAIProvider("o4-mini").request_kwargs(request)
    assert "temperature" in OpenAIProvider("gpt-4o-mini").request_kwargs(request)


def test_schema_bounds_are_stripped(stub):
    from cybench.models.base import ChatRequest
    from cybench.models.openai_provider import OpenAIProvider

    schema = {"type": "object", "properties": {"c": {"type": "number", "minimum": 0}}}
    request = ChatRequest(
        prompt_id="p",
        system="s",
        user="u",
        settings=GenerationSettings(),
        response_schema=schema,
    )
    sent = OpenAIProvider("gpt-4o-mini").request_kwargs(request)["response_format"]
    assert sent["json_schema"]["schema"]["properties"]["c"] == {"type": "number"}


def test_http_client_with_other_provider_is_usage_error(store, stub, prompts):
    from cybench.errors import UsageError

    with pytest.raises(UsageError) as raised:
        run_infer(store, config(stub, prompts, ANTHROPIC, http_client="aiohttp"))
    assert "openai" in raised.value.one_line()


def test_unknown_http_client_cli_exits_2(cli, prompts):
    result = cli(
        "infer",
        "-m",
        "scripted:coin",
        "--prep",
        prompts.key[:16],
        "--http-client",
        "curl",
    )
    assert result.exit_code == 2


def closed_port_url() -> str:
    """Return a 127.0.0.1 URL whose port was just free and is now closed."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.parametrize("client", ["sdk", "aiohttp"])
def test_closed_port_stops_run_naming_url(store, stub, prompts, client):
    url = closed_port_url()
    overrides = {"base_url": url, "http_client": client, "max_retries": 0}
    with pytest.raises(ModelError) as raised:
        run_infer(store, config(stub, prompts, **overrides))
    assert f"could not connect to {url}" in raised.value.one_line()
    assert store.manifests("responses") == []


@pytest.mark.parametrize("client", ["sdk", "aiohttp"])
def test_closed_port_short_run_stops(store, stub, prompts, client):
    overrides = {"base_url": closed_port_url(), "max_retries": 0, "limit": 2}
    with pytest.raises(ModelError):
        run_infer(store, config(stub, prompts, http_client=client, **overrides))
    assert store.manifests("responses") == []


def test_closed_port_error_is_connection_error_not_timeout(store, stub, prompts):
    overrides = {"base_url": closed_port_url(), "max_retries": 0, "limit": 1}
    with pytest.raises(ModelError) as raised:
        run_infer(store, config(stub, prompts, **overrides))
    assert "timed out" not in raised.value.one_line()


def test_latency_leaves_out_rate_limit_wait(store, stub, prompts):
    # 240 rpm gives 4 requests at once and one more every 0.25 s, so the last
    # of 12 concurrent requests waits about 2 s for its token.
    result = run_infer(store, config(stub, prompts, concurrency=12, rpm=240))
    latencies = [r["latency_s"] for r in rows_of(store, result)]
    assert max(latencies) < 1.0
