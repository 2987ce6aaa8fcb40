"""Local model throughput: batched generation versus one prompt at a time.

Same model, same few-shot UNSW-NB15 prompts (built from the real training set
in ../shared/data), same greedy settings and answer schema. Modes:

llamacpp
  single    llama-cpp-python's `Llama.create_chat_completion`, one prompt per
            call, with the schema as `response_format`. This is the usual way
            to call it, and it reuses the KV cache of the prompt prefix shared
            with the previous call.
  provider1 `LlamaCppProvider` with batch_size=1 and no prefix cache.
  batched   `LlamaCppProvider` with batch_size=B and the prefix cache.
mlx
  single    `mlx_lm.generate`, one prompt per call.
  batched   `MlxProvider` with batch_size=B (`mlx_lm.batch_generate`).

Prints wall seconds, generated tokens, generated tokens/s, prompts/s, and
each mode's ratio to `single`, plus the load average, because other
processes on a shared machine slow llama.cpp's threads a lot.

    .venv/bin/python benchmarks/local_batching.py --backend llamacpp --prompts 16
    .venv/bin/python benchmarks/local_batching.py --backend mlx --prompts 8
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cybench.models.base import ChatRequest, GenerationSettings, Reply  # noqa: E402
from cybench.models.contract import answer_schema  # noqa: E402
from cybench.models.parse import TaskLabels, parse_reply  # noqa: E402

DATA = Path(os.environ.get("CYBENCH_DATA", REPO.parent / "shared" / "data"))
TASK = TaskLabels.of("attack", "benign")
FEATURES = [
    "dur",
    "proto",
    "service",
    "state",
    "spkts",
    "dpkts",
    "sbytes",
    "dbytes",
    "rate",
    "sttl",
    "dttl",
    "sload",
    "dload",
    "sinpkt",
    "dinpkt",
    "smean",
    "dmean",
    "ct_srv_src",
    "ct_state_ttl",
    "ct_dst_ltm",
]


def build_requests(count: int, shots: int, max_tokens: int) -> list[ChatRequest]:
    """Few-shot prompts sharing one system prompt, one UNSW-NB15 flow each."""
    path = DATA / "unsw-nb15" / "UNSW_NB15_training-set.csv"
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    step = len(rows) // (count + shots)
    picked = [rows[i * step] for i in range(count + shots)]

    def flow(row: dict[str, str]) -> str:
        return "\n".join(f"{name}: {row[name]}" for name in FEATURES)

    system = (
        "You are a network security analyst. Classify the network flow record "
        "from the UNSW-NB15 data set as attack or benign. Reply with JSON only: "
        '{"label": "attack" or "benign", "confidence": 0 to 1, '
        '"category": attack category or null, "explanation": one short sentence}.'
    )
    for row in picked[:shots]:
        answer = {
            "label": "attack" if row["label"] == "1" else "benign",
            "confidence": 0.9,
            "category": row["attack_cat"] if row["label"] == "1" else None,
            "explanation": "example",
        }
        system += f"\n\nFlow:\n{flow(row)}\nAnswer: {json.dumps(answer)}"
    settings = GenerationSettings(max_tokens=max_tokens)
    return [
        ChatRequest(
            prompt_id=f"unsw-{n}",
            system=system,
            user=f"Flow:\n{flow(row)}",
            settings=settings,
            response_schema=answer_schema(TASK),
        )
        for n, row in enumerate(picked[shots:])
    ]


def messages(request: ChatRequest) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": request.system},
        {"role": "user", "content": request.user},
    ]


def llamacpp_single(
    model: str, requests: list[ChatRequest]
) -> tuple[list[Reply], float]:
    import llama_cpp

    from cybench.models.llamacpp import bound_free_text, resolve_gguf

    llm = llama_cpp.Llama(
        str(resolve_gguf(model)),
        n_ctx=4096,
        n_threads=os.cpu_count(),
        n_threads_batch=os.cpu_count(),
        verbose=False,
    )
    schema = bound_free_text(requests[0].response_schema)
    fmt = {"type": "json_object", "schema": schema}

    def ask(request: ChatRequest) -> Reply:
        out = llm.create_chat_completion(
            messages=messages(request),
            temperature=0.0,
            seed=0,
            max_tokens=request.settings.max_tokens,
            response_format=fmt,
        )
        return Reply(
            text=out["choices"][0]["message"]["content"],
            finish_reason=out["choices"][0]["finish_reason"] or "stop",
            tokens_in=out["usage"]["prompt_tokens"],
            tokens_out=out["usage"]["completion_tokens"],
        )

    ask(requests[0])  # warm-up, untimed
    return timed(lambda: [ask(r) for r in requests])


def llamacpp_provider(model: str, requests, batch_size: int, prefix: bool):
    from cybench.models.llamacpp import LlamaCppProvider

    options = {"batch_size": batch_size, "prefix_cache": prefix}
    provider = LlamaCppProvider(model, options)
    provider.load()
    provider.generate(requests[:1])  # warm-up, untimed
    if not prefix:
        provider.close()
        provider.load()
    try:
        return timed(lambda: provider.generate(requests))
    finally:
        provider.close()


def mlx_single(model: str, requests: list[ChatRequest]) -> tuple[list[Reply], float]:
    from cybench.models.mlx_provider import MlxProvider

    provider = MlxProvider(model, {"batch_size": 1})
    provider.load()
    from mlx_lm import generate

    def ask(request: ChatRequest) -> Reply:
        prompt = provider._prompt_tokens(request)
        text = generate(
            provider._model,
            provider._tokenizer,
            prompt,
            max_tokens=request.settings.max_tokens,
        )
        produced = provider._tokenizer.encode(text, add_special_tokens=False)
        return Reply(text=text, tokens_in=len(prompt), tokens_out=len(produced))

    ask(requests[0])
    return timed(lambda: [ask(r) for r in requests])


def mlx_batched(model: str, requests, batch_size: int) -> tuple[list[Reply], float]:
    from cybench.models.mlx_provider import MlxProvider

    provider = MlxProvider(model, {"batch_size": batch_size})
    provider.load()
    provider.generate(requests[:1])
    return timed(lambda: provider.generate(requests))


def timed(work) -> tuple[list[Reply], float]:
    """Run `work` and return its replies with the wall-clock seconds it took."""
    started = time.perf_counter()
    replies = work()
    return replies, time.perf_counter() - started


def report(name: str, replies: list[Reply], wall: float, base: float | None) -> float:
    out = sum(r.tokens_out or 0 for r in replies)
    into = sum(r.tokens_in or 0 for r in replies)
    parsed = sum(
        parse_reply(r.text, TASK, r.finish_reason).status in ("ok", "repaired")
        for r in replies
    )
    rate = out / wall
    ratio = f"{rate / base:5.2f}x" if base else "  1.00x"
    print(
        f"{name:<10} wall {wall:7.1f} s  prompt tok {into:6d}  gen tok {out:5d}  "
        f"gen tok/s {rate:6.1f}  prompts/s {len(replies) / wall:5.2f}  "
        f"parsed {parsed}/{len(replies)}  vs single {ratio}",
        flush=True,
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["llamacpp", "mlx"], default="llamacpp")
    parser.add_argument("--model", default="smollm2", help="model alias or GGUF path")
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--shots", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    requests = build_requests(args.prompts, args.shots, args.max_tokens)
    print(
        f"{args.backend}:{args.model}, {len(requests)} prompts, {args.shots} shots, "
        f"max_tokens {args.max_tokens}, batch_size {args.batch_size}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    if args.backend == "llamacpp":
        base = report("single", *llamacpp_single(args.model, requests), None)
        one = llamacpp_provider(args.model, requests, 1, prefix=False)
        report("provider1", *one, base)
        many = llamacpp_provider(args.model, requests, args.batch_size, prefix=True)
        report("batched", *many, base)
    else:
        base = report("single", *mlx_single(args.model, requests), None)
        report("batched", *mlx_batched(args.model, requests, args.batch_size), base)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
