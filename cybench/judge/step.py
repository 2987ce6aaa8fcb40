"""The judge step: rate every explanation of a run with a judge model.

Judgments are a row table (`store.rows("judgments")`) keyed by (judge model
id, rubric version, response row key), so a re-run sends the judge only the
responses it has not rated yet, or whose request failed. The judgments
artifact is written once every response has a judgment without an error.

The judge requests are sent here, not through `cybench.infer`: the infer
orchestration builds response rows for the detection task. This module reuses
its retry policy (`cybench.infer.retry`) for API providers and calls
`generate` in batches for local ones.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from cybench.errors import DataError, ModelError, UsageError
from cybench.judge.parse import parse_judgment
from cybench.judge.rubric import LATEST, Rubric, model_names, redact_model_names, rubric
from cybench.schemas import JUDGMENTS
from cybench.store.keys import row_key

if TYPE_CHECKING:
    from cybench.models.base import ChatRequest, Provider, Reply
    from cybench.store import Manifest, Store

STEP = "judge"
KIND = "judgments"
ROW_TABLE = "judgments"
NO_EXPLANATION = "no_explanation"
ERROR = "error"

Progress = Callable[[int], None]


class JudgeSettings(BaseModel):
    """Parameters of one judge pass; judge, rubric and decoding are in the key."""

    judge: str = Field(description="Judge model spec, provider:name.")
    rubric_version: int = Field(LATEST, description="Rubric version to rate with.")
    max_tokens: int = Field(300, gt=0, description="Maximum tokens in a judge reply.")
    batch_size: int = Field(8, gt=0, description="Requests per generate call (local).")
    concurrency: int = Field(8, gt=0, description="Requests in flight at once (API).")
    base_url: str | None = Field(
        None, description="OpenAI-compatible server for an openai: judge."
    )


@dataclass
class JudgeItem:
    """One response to rate: its judgment key and the request, if it needs one."""

    key: str
    response: dict[str, Any]
    request: ChatRequest | None


@dataclass
class JudgeResult:
    """Outcome of one judge pass: the artifact, requests sent and rows reused."""

    manifest: Manifest
    requested: int
    reused_rows: int
    reused_artifact: bool


def resolve_judge(spec: str, base_url: str | None = None) -> Provider:
    """Return the judge's provider (no model load); reject feature-based baselines."""
    from cybench.models.registry import resolve_provider

    provider = resolve_provider(spec, {"base_url": base_url} if base_url else None)
    if getattr(provider, "needs_sample", False):
        raise UsageError(
            f"model {spec!r} reads sample features and cannot judge explanations",
            hint="use a language model as judge, e.g. llamacpp:qwen2.5-coder-0.5b",
        )
    return provider


def judge_params(settings: JudgeSettings, judge_model_id: str) -> dict[str, Any]:
    return {
        "judge": settings.judge,
        "judge_model_id": judge_model_id,
        "rubric_version": settings.rubric_version,
        "max_tokens": settings.max_tokens,
        "temperature": 0.0,
        "seed": 0,
    }


def _prompts_by_id(store: Store, responses: Manifest) -> dict[str, dict[str, Any]]:
    key = responses.inputs.get("prompts")
    prompts = store.find(key, "prompts") if isinstance(key, str) else None
    if prompts is None:
        raise DataError(
            f"the prompts artifact of run {responses.short_key} is not in the store",
            hint="the judge needs each response's record: re-run `cybench prep`",
        )
    table = store.read_table(prompts)
    columns = [
        c for c in ("prompt_id", "user", "label", "category") if c in table.column_names
    ]
    return {row["prompt_id"]: row for row in table.select(columns).to_pylist()}


def build_items(
    store: Store,
    responses: Manifest,
    rules: Rubric,
    judge_model_id: str,
    max_tokens: int,
) -> list[JudgeItem]:
    """Return one item per response, with a blinded judge request where it has
    an explanation to rate."""
    from cybench.models.base import ChatRequest, GenerationSettings

    table = store.read_table(responses)
    if "row_key" not in table.column_names:
        raise DataError(
            f"run {responses.short_key} has no row_key column", hint="re-run infer"
        )
    prompts = _prompts_by_id(store, responses)
    settings = GenerationSettings(temperature=0.0, seed=0, max_tokens=max_tokens)
    schema = rules.response_schema()
    items = []
    for response in table.to_pylist():
        key = row_key(
            {
                "judge_model_id": judge_model_id,
                "rubric_version": rules.version,
                "response": response["row_key"],
            }
        )
        explanation = (response.get("explanation") or "").strip()
        if not explanation:
            items.append(JudgeItem(key, response, None))
            continue
        prompt = prompts.get(response.get("prompt_id"), {})
        hidden = model_names(response.get("model"), response.get("model_id"))
        user = rules.render(
            task=prompt.get("user") or "(task text not stored)",
            true_label=_true_label(response, prompt),
            true_category=response.get("category_true") or prompt.get("category"),
            label=response.get("label"),
            explanation=redact_model_names(explanation, hidden),
        )
        request = ChatRequest(
            prompt_id=key,
            system=rules.system,
            user=user,
            settings=settings,
            response_schema=schema,
        )
        items.append(JudgeItem(key, response, request))
    return items


def _true_label(response: dict[str, Any], prompt: dict[str, Any]) -> str:
    if prompt.get("label"):
        return str(prompt["label"])
    return (
        "positive (malicious)" if response.get("y_true") == 1 else "negative (benign)"
    )


def judgment_row(
    item: JudgeItem,
    rules: Rubric,
    judge: str,
    judge_model_id: str,
    *,
    reply: Reply | None = None,
    error: Exception | None = None,
    latency_s: float = 0.0,
) -> dict[str, Any]:
    """Return the stored judgment of one item (JUDGMENTS layout)."""
    response = item.response
    row: dict[str, Any] = {
        "row_key": item.key,
        "response_row_key": response["row_key"],
        "prompt_id": response.get("prompt_id"),
        "sample_id": response.get("sample_id"),
        "judge_model": judge,
        "judge_model_id": judge_model_id,
        "rubric_version": rules.version,
        **dict.fromkeys(rules.criteria),
        "rationale": None,
        "raw_text": None,
        "parse_status": NO_EXPLANATION,
        "error_class": None,
        "error_message": None,
        "latency_s": float(latency_s),
    }
    if error is not None:
        row["parse_status"] = ERROR
        row["error_class"] = getattr(error, "error_class", type(error).__name__)
        row["error_message"] = " ".join(str(getattr(error, "message", error)).split())[
            :500
        ]
        return row
    if reply is None:
        return row
    parsed = parse_judgment(reply.text, list(rules.criteria))
    row.update(parsed.scores)
    row["rationale"] = parsed.rationale
    row["raw_text"] = reply.text
    row["parse_status"] = parsed.status
    return row


def _ask_local(provider, items, rules, judge, model_id, batch_size, sink) -> None:
    from cybench.models.base import ProviderRequestError

    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        begun = time.perf_counter()
        try:
            replies = provider.generate([item.request for item in batch])
        except ProviderRequestError:
            # One failing request fails a whole batch; ask one at a time instead.
            sink(
                [
                    _ask_one_local(provider, item, rules, judge, model_id)
                    for item in batch
                ]
            )
            continue
        share = (time.perf_counter() - begun) / len(batch)
        sink(
            [
                judgment_row(
                    item,
                    rules,
                    judge,
                    model_id,
                    reply=reply,
                    latency_s=reply.latency_s or share,
                )
                for item, reply in zip(batch, replies, strict=True)
            ]
        )


def _ask_one_local(provider, item, rules, judge, model_id) -> dict[str, Any]:
    from cybench.models.base import ProviderRequestError

    begun = time.perf_counter()
    try:
        (reply,) = provider.generate([item.request])
    except ProviderRequestError as exc:
        return judgment_row(
            item,
            rules,
            judge,
            model_id,
            error=exc,
            latency_s=time.perf_counter() - begun,
        )
    return judgment_row(
        item,
        rules,
        judge,
        model_id,
        reply=reply,
        latency_s=reply.latency_s or time.perf_counter() - begun,
    )


def _ask_api(provider, items, rules, judge, model_id, concurrency, sink) -> None:
    from cybench.infer.retry import RetryPolicy, call_with_retries

    policy = RetryPolicy()

    async def one(item: JudgeItem, gate: asyncio.Semaphore) -> None:
        async with gate:
            outcome = await call_with_retries(
                lambda: provider.agenerate(item.request),
                policy,
                item.key,
                random.Random(),
            )
        if outcome.reply is None:
            sink(
                [
                    judgment_row(
                        item,
                        rules,
                        judge,
                        model_id,
                        error=outcome.error,
                        latency_s=outcome.latency_s,
                    )
                ]
            )
            return
        sink(
            [
                judgment_row(
                    item,
                    rules,
                    judge,
                    model_id,
                    reply=outcome.reply,
                    latency_s=outcome.latency_s,
                )
            ]
        )

    async def run_all() -> None:
        gate = asyncio.Semaphore(concurrency)
        try:
            await asyncio.gather(*(one(item, gate) for item in items))
        finally:
            await provider.aclose()

    asyncio.run(run_all())


def ensure_judgments(
    store: Store,
    responses: Manifest,
    settings: JudgeSettings,
    progress: Progress | None = None,
) -> JudgeResult:
    """Return the judgments artifact of `responses` by this judge and rubric.

    Reuses the artifact when it exists, and otherwise every stored judgment
    whose request did not fail. Raises ModelError, after storing the finished
    rows, when some judge requests failed: a re-run retries only those.
    """
    rules = rubric(settings.rubric_version)
    provider = resolve_judge(settings.judge, settings.base_url)
    model_id = provider.model_id
    params = judge_params(settings, model_id)
    inputs = {"responses": responses.key}
    found = store.lookup(STEP, KIND, JUDGMENTS, params, inputs)
    if found is not None:
        return JudgeResult(found, 0, found.rows, True)

    started = time.perf_counter()
    items = build_items(store, responses, rules, model_id, settings.max_tokens)
    rows_table = store.rows(ROW_TABLE)
    stored = {
        r["row_key"]: r for r in rows_table.read([i.key for i in items]).to_pylist()
    }
    done = {k: r for k, r in stored.items() if r.get("parse_status") != ERROR}
    fresh = [
        judgment_row(i, rules, settings.judge, model_id)
        for i in items
        if i.request is None and i.key not in done
    ]
    pending = [i for i in items if i.request is not None and i.key not in done]

    new_rows: dict[str, dict[str, Any]] = {r["row_key"]: r for r in fresh}

    def sink(rows: list[dict[str, Any]]) -> None:
        rows_table.append(judgments_table(rows, rules))
        new_rows.update({r["row_key"]: r for r in rows})
        if progress is not None:
            progress(len(rows))

    if fresh:
        rows_table.append(judgments_table(fresh, rules))
    if pending:
        _call_judge(provider, pending, rules, settings, model_id, sink)

    rows = [{**done, **new_rows}[item.key] for item in items]
    failed = [r for r in rows if r["parse_status"] == ERROR]
    if failed:
        first = failed[0]
        raise ModelError(
            f"{len(failed)} of {len(pending)} judge requests to {settings.judge} "
            "failed "
            f"(first: {first['error_class']}: {first['error_message']})",
            hint="re-run the same command to retry only the failed ones",
        )
    table = judgments_table(rows, rules)
    meta = {"summary": summarise(rows, rules), "rubric": rules.criteria}
    manifest = store.write(
        STEP, KIND, JUDGMENTS, params, inputs, table, started=started, meta=meta
    )
    return JudgeResult(manifest, len(pending), len(done), False)


def _call_judge(provider, pending, rules, settings, model_id, sink) -> None:
    provider.load()
    try:
        if provider.local:
            _ask_local(
                provider,
                pending,
                rules,
                settings.judge,
                model_id,
                settings.batch_size,
                sink,
            )
        else:
            _ask_api(
                provider,
                pending,
                rules,
                settings.judge,
                model_id,
                settings.concurrency,
                sink,
            )
    finally:
        provider.close()


def judgments_table(rows: Sequence[dict[str, Any]], rules: Rubric):  # -> pyarrow.Table
    """Return the judgment rows as a table with fixed column types (JUDGMENTS)."""
    import pyarrow as pa

    fields = [
        ("row_key", pa.string()),
        ("response_row_key", pa.string()),
        ("prompt_id", pa.string()),
        ("sample_id", pa.string()),
        ("judge_model", pa.string()),
        ("judge_model_id", pa.string()),
        ("rubric_version", pa.int32()),
        *[(name, pa.int8()) for name in rules.criteria],
        ("rationale", pa.string()),
        ("raw_text", pa.string()),
        ("parse_status", pa.string()),
        ("error_class", pa.string()),
        ("error_message", pa.string()),
        ("latency_s", pa.float64()),
    ]
    schema = pa.schema(fields)
    return pa.Table.from_pylist(
        [{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema
    )


def summarise(rows: Sequence[dict[str, Any]], rules: Rubric) -> dict[str, Any]:
    """Return status counts and the mean score of each criterion over `ok` rows."""
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["parse_status"]] = statuses.get(row["parse_status"], 0) + 1
    ok = [r for r in rows if r["parse_status"] == "ok"]
    means = {
        name: (sum(r[name] for r in ok) / len(ok) if ok else None)
        for name in rules.criteria
    }
    return {"statuses": statuses, "rated": len(ok), "means": means}
