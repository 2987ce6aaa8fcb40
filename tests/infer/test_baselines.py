"""Classical baselines on small real preps of UNSW-NB15 and the phishing corpus."""

from __future__ import annotations

import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cybench import schemas
from cybench.infer import RunConfig, run_infer
from cybench.store import Store

TRAIN_ROWS = 3000


def shrink(store: Store, samples, prompts):
    """Write copies of a prep whose train split keeps only TRAIN_ROWS samples."""
    table = store.read_table(samples)
    train = table.filter(pc.equal(table.column("split"), "train")).slice(0, TRAIN_ROWS)
    wanted = store.read_table(prompts, columns=["sample_id"]).column("sample_id")
    rest = table.filter(pc.is_in(table.column("sample_id"), value_set=wanted))
    small = store.write(
        "prep",
        "samples",
        schemas.SAMPLES,
        {"shrunk_from": samples.key, "train_rows": TRAIN_ROWS},
        {"samples": samples.key},
        pa.concat_tables([train, rest]),
        started=time.perf_counter(),
        meta=samples.meta,
    )
    small_prompts = store.write(
        "prep",
        "prompts",
        schemas.PROMPTS,
        {**prompts.params, "shrunk": True},
        {"samples": small.key},
        store.read_table(prompts),
        started=time.perf_counter(),
        meta=prompts.meta,
    )
    return small_prompts


@pytest.fixture(scope="module")
def preps(tmp_path_factory, shared_data):
    from cybench.datasets.prep import ensure_prep

    store = Store(tmp_path_factory.mktemp("baselines") / "store")
    # The first infer on a dataset without prompts runs its default prep.
    first = run_infer(store, RunConfig(model="scripted:coin", dataset="unsw-nb15"))
    prompts = store.find(first.manifest.inputs["prompts"])
    samples = store.find(prompts.inputs["samples"])
    unsw = shrink(store, samples, prompts)
    email = shrink(store, *ensure_prep(store, "phishing-email"))
    return store, unsw, email


def test_dataset_name_ran_default_prep(preps):
    store, unsw, _ = preps
    prepped = [m for m in store.manifests("prompts") if m.step == "prep"]
    assert any(m.params.get("dataset") == "unsw" for m in prepped)
    assert unsw.meta["dataset"] == "unsw"


def run(store: Store, prompts, model: str):
    config = RunConfig(model=model, prep=prompts.key, progress=False)
    result = run_infer(store, config)
    return store.read_table(result.manifest).to_pylist()


def accuracy(rows: list[dict]) -> float:
    return sum(r["y_pred"] == r["y_true"] for r in rows) / len(rows)


@pytest.mark.parametrize("name", ["random-forest", "logistic-regression"])
def test_flow_baseline_beats_chance(preps, name):
    store, unsw, _ = preps
    rows = run(store, unsw, f"baseline:{name}")
    assert {r["parse_status"] for r in rows} == {"ok"}
    assert accuracy(rows) > 0.7


def test_flow_baseline_p_positive_matches_label(preps):
    store, unsw, _ = preps
    rows = run(store, unsw, "baseline:random-forest")
    assert all((r["p_positive"] >= 0.5) == (r["y_pred"] == 1) for r in rows)
    assert all(0.5 <= r["confidence"] <= 1.0 for r in rows)


def test_majority_predicts_one_class(preps):
    store, unsw, _ = preps
    rows = run(store, unsw, "baseline:majority")
    assert len({r["y_pred"] for r in rows}) == 1


def test_email_baseline_uses_text(preps):
    store, _, email = preps
    rows = run(store, email, "baseline:logistic-regression")
    assert accuracy(rows) > 0.7
    assert rows[0]["label"] in ("phishing", "legitimate")


def test_baseline_model_id_names_training_samples(preps):
    store, unsw, _ = preps
    config = RunConfig(model="baseline:majority", prep=unsw.key, progress=False)
    manifest = run_infer(store, config).manifest
    samples_key = unsw.inputs["samples"]
    assert samples_key.split(":")[1][:12] in manifest.params["model_id"]


def test_baseline_rerun_is_reused(preps):
    store, unsw, _ = preps
    run(store, unsw, "baseline:logistic-regression")
    config = RunConfig(model="baseline:logistic-regression", prep=unsw.key)
    assert run_infer(store, config).reused
