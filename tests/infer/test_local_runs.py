"""Local (batched) providers, scripted replies, pricing and rate limits."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from cybench.errors import DataError, UsageError
from cybench.infer import RunConfig, run_infer
from cybench.infer.limits import TokenBucket
from cybench.infer.pricing import read_price_table
from cybench.infer.progress import PlainProgress, RunStats


def run(store, prompts, model: str, **overrides):
    config = RunConfig(model=model, prep=prompts.key, progress=False, **overrides)
    return run_infer(store, config)


def test_always_attack_labels_every_prompt(store, prompts):
    result = run(store, prompts, "scripted:always-attack")
    rows = store.read_table(result.manifest).to_pylist()
    assert {r["y_pred"] for r in rows} == {1}
    assert result.manifest.rows == 12


def test_local_provider_runs_in_batches(store, prompts):
    result = run(store, prompts, "scripted:coin", batch_size=5)
    assert result.stats.requests == 12
    assert result.manifest.meta["errors"] == 0


def test_scripted_file_rules(store, prompts, tmp_path):
    script = tmp_path / "replies.jsonl"
    lines = [
        {"contains": "marker-1", "text": "I can't help with that."},
        {"contains": "marker-2", "text": '{"label": "att', "finish_reason": "length"},
        {"contains": "marker-3", "error": {"class": "ScriptedError"}},
        {"text": "**Benign**"},
    ]
    script.write_text("\n".join(json.dumps(line) for line in lines))
    result = run(store, prompts, f"scripted:file={script}")
    rows = {r["prompt_id"]: r for r in store.read_table(result.manifest).to_pylist()}
    by_marker = {}
    for prompt in store.read_table(prompts).to_pylist():
        marker = prompt["user"].rsplit(" ", 1)[-1]
        by_marker[marker] = rows[prompt["prompt_id"]]
    assert by_marker["marker-1"]["parse_status"] == "refused"
    assert by_marker["marker-2"]["parse_status"] == "truncated"
    assert by_marker["marker-3"]["error_class"] == "ScriptedError"
    assert by_marker["marker-4"]["label"] == "benign"
    assert result.manifest.meta["errors"] == 1


def test_scripted_file_with_bad_json_names_line(store, prompts, tmp_path):
    script = tmp_path / "bad.jsonl"
    script.write_text('{"text": "ok"}\n{not json\n')
    with pytest.raises(DataError) as raised:
        run(store, prompts, f"scripted:file={script}")
    assert "line 2" in raised.value.one_line()


def test_limit_runs_first_prompts(store, prompts):
    result = run(store, prompts, "scripted:coin", limit=4)
    first = store.read_table(prompts).column("prompt_id").to_pylist()[:4]
    assert store.read_table(result.manifest).column("prompt_id").to_pylist() == first


def test_dataset_name_selects_newest_prompts(store, prompts):
    result = run_infer(
        store, RunConfig(model="scripted:coin", dataset="unsw", progress=False)
    )
    assert result.manifest.inputs == {"prompts": prompts.key}


def test_dataset_and_prep_together_is_usage_error(store, prompts):
    config = RunConfig(model="scripted:coin", dataset="unsw", prep=prompts.key)
    with pytest.raises(UsageError):
        run_infer(store, config)


def test_dry_run_without_prompts_writes_nothing(store):
    config = RunConfig(model="scripted:coin", dataset="unsw", dry_run=True)
    with pytest.raises(UsageError) as raised:
        run_infer(store, config)
    assert "cybench prep unsw" in raised.value.one_line()
    assert not store.root.exists()


def test_settings_are_recorded_in_params(store, prompts):
    result = run(store, prompts, "scripted:coin")
    params = result.manifest.params
    assert params["settings"] == {
        "temperature": 0.0,
        "seed": 0,
        "max_tokens": 256,
        "structured": True,
    }
    assert params["model_id"] == "scripted:coin"


def test_packaged_price_table_is_dated():
    table = read_price_table()
    assert table.date >= "2025-01-01"
    assert table.price("openai:gpt-4o-mini-2024-07-18").input == 0.15


def test_unknown_price_gives_null_cost(store, prompts, tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"date": "2026-01-01", "models": {}}))
    result = run(store, prompts, "scripted:coin", price_table=prices)
    assert result.manifest.meta["cost_usd"] is None
    costs = store.read_table(result.manifest).column("cost_usd").to_pylist()
    assert costs == [None] * 12


@pytest.mark.parametrize("model", ["llamacpp:x", "mlx:x", "baseline:x", "scripted:x"])
def test_packaged_price_table_prices_no_local_model(model):
    assert read_price_table().price(model) is None


def test_local_run_cost_is_null_with_packaged_prices(store, prompts):
    result = run(store, prompts, "scripted:coin")
    assert result.manifest.meta["cost_usd"] is None


def test_invalid_price_table_is_data_error(tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text('{"models": {}}')
    with pytest.raises(DataError):
        read_price_table(prices)


def test_token_bucket_waits_when_empty():
    async def take_two() -> tuple[float, float]:
        bucket = TokenBucket(per_minute=60)
        return await bucket.acquire(1.0), await bucket.acquire(0.1)

    first, second = asyncio.run(take_two())
    assert first == 0.0
    assert second > 0.0


def test_rpm_limit_still_finishes(store, stub, prompts):
    config = RunConfig(
        model="openai:gpt-4o-mini",
        prep=prompts.key,
        base_url=stub.openai_url,
        rpm=6000,
        tpm=1_000_000,
        progress=False,
    )
    assert run_infer(store, config).manifest.rows == 12


def test_artifact_has_responses_columns(store, prompts):
    from cybench.schemas import RESPONSES_COLUMNS

    result = run(store, prompts, "scripted:coin")
    assert store.read_table(result.manifest).column_names == list(RESPONSES_COLUMNS)
    assert result.manifest.step == "infer"
    assert result.manifest.kind == "responses"
    assert result.manifest.inputs == {"prompts": prompts.key}


def test_token_bucket_admits_oversized_request():
    async def take() -> tuple[float, float]:
        bucket = TokenBucket(per_minute=60)
        waited = await bucket.acquire(5.0)
        return waited, bucket.tokens

    waited, tokens = asyncio.run(take())
    assert waited == 0.0
    assert tokens < 0


def test_non_tty_stderr_gets_plain_progress(store, prompts, capsys):
    config = RunConfig(model="scripted:coin", prep=prompts.key, progress=True)
    run_infer(store, config)
    lines = capsys.readouterr().err.splitlines()
    last = [line for line in lines if line.startswith("infer scripted:coin: ")][-1]
    assert "12/12" in last
    assert "eta " in last
    assert "retries 0" in last


def test_plain_progress_repeats_every_interval(capsys):
    stats = RunStats(total=10, done=3)
    plain = PlainProgress(stats, "infer x", interval_s=0.01)
    plain.start()
    while capsys.readouterr().err.count("infer x: 3/10") < 2:
        time.sleep(0.01)
    plain.stop()
    assert "infer x: 3/10" in capsys.readouterr().err
