"""Write prompts and responses artifacts in the layouts prep and infer write,
and score them through the real score step.

Every email body and reply carries a `<script>` and an `onerror` handler, so
any report test shows whether that text stayed inert.
"""

from __future__ import annotations

import hashlib
import random
import time

import pyarrow as pa

from cybench import schemas

SCRIPT_PAYLOAD = (
    "<script>document.title='PWNED';var d=document.createElement('div');"
    "d.id='pwned';document.body.appendChild(d);</script>"
)
IMG_PAYLOAD = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def write_prompts(store, dataset="phishing-email", n=60, categories=None, seed=1):
    """Write a prompts artifact of `n` samples, half positive; emails carry scripts."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        y = i % 2
        category = None
        if categories:
            category = (
                categories[0] if y == 0 else categories[1 + i % (len(categories) - 1)]
            )
        body = f"Dear user {i}, verify your account. {SCRIPT_PAYLOAD} {IMG_PAYLOAD}"
        user = f"Classify this email.\nSubject: invoice {i}\n\n{body}"
        sample_id = _digest(f"{dataset}-{i}-{rng.random()}")
        rows.append(
            {
                "prompt_id": _digest(f"prompt-{sample_id}"),
                "sample_id": sample_id,
                "split": "test",
                "label": ("phishing" if y else "legitimate")
                if not categories
                else ("attack" if y else "benign"),
                "y": y,
                "category": category,
                "template": "zero-shot",
                "template_version": 1,
                "system": "You are a security analyst. Reply with JSON.",
                "user": user,
                "few_shot_ids": [],
            }
        )
    table = pa.Table.from_pylist(rows)
    return store.write(
        "prep",
        "prompts",
        schemas.PROMPTS,
        {"dataset": dataset, "template": "zero-shot", "n": n, "seed": seed},
        {},
        table,
        started=time.perf_counter(),
    )


def write_responses(
    store, prompts, model, accuracy=0.8, unparsed=0.1, seed=2, latency=0.5, cost=0.001
):
    """Write a responses artifact: `accuracy` of parsed replies correct."""
    rng = random.Random(seed)
    rows = []
    for prompt in store.read_table(prompts).to_pylist():
        y = prompt["y"]
        parsed = rng.random() >= unparsed
        correct = rng.random() < accuracy
        y_pred = (y if correct else 1 - y) if parsed else None
        confidence = 0.55 + 0.4 * rng.random() if parsed else None
        p_positive = None
        if parsed:
            p_positive = confidence if y_pred == 1 else 1 - confidence
        raw = (
            f'{{"label": "{prompt["label"]}", "explanation": "</pre>{SCRIPT_PAYLOAD}"}}'
            if parsed
            else f"I cannot decide {IMG_PAYLOAD} </details>{SCRIPT_PAYLOAD}"
        )
        rows.append(
            {
                "row_key": _digest(f"{model}-{prompt['prompt_id']}"),
                "prompt_id": prompt["prompt_id"],
                "sample_id": prompt["sample_id"],
                "y_true": y,
                "category_true": prompt["category"],
                "model": model,
                "model_id": model + "@test",
                "raw_text": raw,
                "label": None
                if y_pred is None
                else ("positive" if y_pred else "negative"),
                "y_pred": y_pred,
                "confidence": confidence,
                "p_positive": p_positive,
                "category": None,
                "explanation": "planted </pre> explanation" if parsed else None,
                "parse_status": "ok" if parsed else "unparseable",
                "finish_reason": "stop",
                "latency_s": latency * (0.5 + rng.random()),
                "tokens_in": 300,
                "tokens_out": 40,
                "cost_usd": cost,
                "error_class": None,
                "error_message": None,
            }
        )
    table = pa.Table.from_pylist(rows)
    return store.write(
        "infer",
        "responses",
        schemas.RESPONSES,
        {"model": model, "temperature": 0.0, "seed": seed},
        {"prompts": prompts.key},
        table,
        started=time.perf_counter(),
    )


def write_scores(store, responses, bootstrap=200):
    """Score a run through the real score step, with fewer resamples for speed."""
    from cybench.scoring import ScoreSettings, ensure_scores

    manifest, _ = ensure_scores(store, responses, ScoreSettings(bootstrap=bootstrap))
    return manifest


def scored_runs(
    store,
    models=("llamacpp:qwen2.5-coder-0.5b", "baseline:random-forest"),
    dataset="phishing-email",
    categories=None,
    n=60,
    accuracies=None,
    scored=True,
):
    """Write one prompts artifact and a run per model (scored unless `scored` is
    False); return the responses manifests."""
    prompts = write_prompts(store, dataset=dataset, n=n, categories=categories)
    runs = []
    for i, model in enumerate(models):
        responses = write_responses(
            store,
            prompts,
            model,
            accuracy=accuracies[i] if accuracies else 0.9 - 0.15 * i,
            seed=10 + i,
            latency=0.5 / (i + 1),
            cost=0.001 * (i + 1),
        )
        if scored:
            write_scores(store, responses)
        runs.append(responses)
    return runs
