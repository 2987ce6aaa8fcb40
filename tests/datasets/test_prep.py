"""prep: deduplication, conflicts, stratified split, sampling, prompts and reuse."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cybench.datasets.prep import ensure_prep
from cybench.prompts import allowed_labels, answer_schema
from tests.datasets.flowfiles import PARTITION_ROW, class_rows, partition_file

CLASS_SIZES = {
    "Normal": 40,
    "Generic": 20,
    "Exploits": 12,
    "Fuzzers": 10,
    "DoS": 8,
    "Reconnaissance": 6,
    "Analysis": 5,
    "Backdoor": 4,
    "Shellcode": 4,
    "Worms": 3,
}


@pytest.fixture
def unsw_raw(store, tmp_path) -> Path:
    """A fetched partition file: every class, 3 Worms, 2 duplicates, 1 conflict."""
    from cybench.datasets.fetch import ensure_fetch

    rows = class_rows(PARTITION_ROW, "attack_cat", CLASS_SIZES, "sbytes", label="label")
    rows += [dict(rows[0]), dict(rows[1])]
    conflict = {**rows[2], "attack_cat": "Exploits", "label": "1"}
    rows.append(conflict)
    path = partition_file(tmp_path / "UNSW_NB15_testing-set.csv", rows)
    ensure_fetch(store, "unsw", paths=[path])
    return path


def samples_table(store, manifest):
    return store.read_table(manifest).to_pylist()


def test_duplicates_and_conflicts_are_counted(store, unsw_raw):
    samples, _ = ensure_prep(store, "unsw")
    counts = samples.meta["counts"]
    assert counts["clean_rows"] == 115
    assert counts["duplicates_removed"] == 2
    assert counts["conflicting_label_vectors"] == 1
    assert samples.rows == 113


def test_samples_have_unique_ids(store, unsw_raw):
    samples, _ = ensure_prep(store, "unsw")
    ids = [r["sample_id"] for r in samples_table(store, samples)]
    assert len(ids) == len(set(ids))


def test_every_class_is_in_every_split(store, unsw_raw):
    samples, _ = ensure_prep(store, "unsw")
    by_split = samples.meta["counts"]["by_split"]
    for split in ("train", "dev", "test"):
        assert set(by_split[split]) == set(CLASS_SIZES), split


def test_split_is_seeded(store, unsw_raw):
    first, _ = ensure_prep(store, "unsw", seed=1)
    again = samples_table(store, first)
    other, _ = ensure_prep(store, "unsw", seed=2)
    splits = {r["sample_id"]: r["split"] for r in samples_table(store, other)}
    assert first.key != other.key
    assert any(splits[r["sample_id"]] != r["split"] for r in again)


def test_samples_meta_lists_columns(store, unsw_raw):
    samples, _ = ensure_prep(store, "unsw")
    meta = samples.meta
    assert meta["categorical_columns"] == ["proto", "service", "state"]
    assert "sbytes" in meta["feature_columns"]
    assert "id" not in meta["feature_columns"]
    assert meta["categories"][0] == "Normal"
    assert meta["positive_label"] == "attack"
    assert meta["negative_label"] == "benign"


def test_per_class_sampling_is_balanced(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw", per_class=1)
    classes = Counter(store.read_table(prompts).column("category").to_pylist())
    assert set(classes) == set(CLASS_SIZES)
    assert set(classes.values()) == {1}


def test_per_class_caps_at_class_size(store, unsw_raw):
    samples, prompts = ensure_prep(store, "unsw", per_class=100)
    assert prompts.rows == sum(samples.meta["counts"]["by_split"]["test"].values())


def test_natural_prevalence_keeps_every_class(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw", n=12)
    classes = Counter(store.read_table(prompts).column("category").to_pylist())
    assert set(classes) == set(CLASS_SIZES)
    assert classes["Normal"] >= classes["Worms"]


def test_prompts_come_from_chosen_split(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw", split="dev")
    assert set(store.read_table(prompts).column("split").to_pylist()) == {"dev"}


def test_few_shot_examples_come_from_train(store, unsw_raw):
    samples, prompts = ensure_prep(store, "unsw", template="few-shot", k=4)
    splits = {r["sample_id"]: r["split"] for r in samples_table(store, samples)}
    examples = prompts.meta["few_shot_ids"]
    assert len(examples) == 4
    assert {splits[i] for i in examples} == {"train"}


def test_few_shot_examples_have_both_labels(store, unsw_raw):
    samples, prompts = ensure_prep(store, "unsw", template="few-shot", k=2)
    labels = {r["sample_id"]: r["label"] for r in samples_table(store, samples)}
    assert {labels[i] for i in prompts.meta["few_shot_ids"]} == {"attack", "benign"}


def test_few_shot_prompt_shows_examples(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw", template="few-shot", k=2)
    system = store.read_table(prompts).column("system")[0].as_py()
    assert "Example 2:" in system
    assert 'Answer: {"label": ' in system


def test_zero_shot_prompt_states_contract(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw")
    row = store.read_table(prompts).to_pylist()[0]
    assert '- "confidence": a number from 0 to 1' in row["system"]
    assert '"Worms"' in row["system"]
    assert "- sbytes: bytes sent from source to destination" in row["system"]
    assert "service = none" in row["user"]
    assert row["template"] == "zero-shot"
    assert row["template_version"] == 2


def test_prompt_ids_are_tagged_digests(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw")
    ids = store.read_table(prompts).column("prompt_id").to_pylist()
    assert all(i.startswith("sha256:") for i in ids)
    assert len(set(ids)) == len(ids)


def test_limit_caps_prompts(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw", limit=7)
    assert prompts.rows == 7


def test_answer_schema_lists_labels_and_categories(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw")
    schema = answer_schema(prompts)
    assert schema["properties"]["label"]["enum"] == ["attack", "benign"]
    assert "Worms" in schema["properties"]["category"]["enum"]
    assert schema["required"] == ["label", "confidence", "category", "explanation"]


def test_allowed_labels_from_manifest(store, unsw_raw):
    _, prompts = ensure_prep(store, "unsw")
    labels, categories = allowed_labels(prompts)
    assert labels == ["attack", "benign"]
    assert len(categories) == 10


def test_second_prep_reuses_artifacts(cli, store_dir, unsw_raw):
    first = cli("prep", "unsw").stdout
    files = sorted(store_dir.glob("artifacts/*/*"))
    second = cli("prep", "unsw").stdout
    assert first == second
    assert sorted(store_dir.glob("artifacts/*/*")) == files


def test_dry_run_writes_nothing(cli, store_dir, unsw_raw):
    before = sorted(store_dir.glob("artifacts/*/*.json"))
    result = cli("prep", "unsw", "--dry-run")
    assert result.exit_code == 0
    assert "would write samples sha256:" in result.stderr
    assert "would write prompts sha256:" in result.stderr
    assert sorted(store_dir.glob("artifacts/*/*.json")) == before


def test_dry_run_key_matches_real_run(cli, unsw_raw):
    planned = cli("prep", "unsw", "--dry-run").stdout.strip()
    assert cli("prep", "unsw").stdout.strip() == planned


def test_show_prints_prompts_on_stderr(cli, unsw_raw):
    result = cli("prep", "unsw", "--show", "3")
    assert result.stderr.count("--- prompt ") == 3
    assert "Classify this network flow record." in result.stderr
    assert result.stdout.strip().startswith("sha256:")


def test_json_prints_both_manifests(cli, unsw_raw):
    manifests = json.loads(cli("prep", "unsw", "--json").stdout)
    assert manifests["samples"]["kind"] == "samples"
    assert manifests["prompts"]["inputs"] == {"samples": manifests["samples"]["key"]}


def test_n_with_per_class_is_usage_error(cli, unsw_raw):
    result = cli("prep", "unsw", "--n", "5", "--per-class", "2")
    assert result.exit_code == 2
    assert "exclude each other" in result.stderr


def test_unknown_template_is_usage_error(cli, unsw_raw):
    result = cli("prep", "unsw", "--template", "chain-of-thought")
    assert result.exit_code == 2


def test_prep_by_raw_key(cli, store, unsw_raw):
    raw = store.manifests("raw")[0]
    result = cli("prep", "unsw", "--raw", raw.short_key)
    assert result.exit_code == 0


def test_prep_rejects_raw_of_other_dataset(cli, store, unsw_raw):
    raw = store.manifests("raw")[0]
    result = cli("prep", "nsl-kdd", "--raw", raw.short_key)
    assert result.exit_code == 2
    assert "belongs to unsw, not nsl-kdd" in result.stderr


def test_real_partition_duplicates(store, shared_data):
    from cybench.datasets.fetch import ensure_fetch

    path = shared_data / "unsw-nb15" / "UNSW_NB15_training-set.csv"
    raw = ensure_fetch(store, "unsw", paths=[path])
    samples, prompts = ensure_prep(store, "unsw", raw=raw.key)
    counts = samples.meta["counts"]
    assert counts["clean_rows"] == 82_332
    assert counts["duplicates_removed"] == 26_387
    assert counts["conflicting_category_vectors"] == 575
    assert sum(counts["by_split"][s]["Worms"] for s in ("train", "dev", "test")) == 44
    assert prompts.rows == 20


def test_label_category_mismatch_is_warned(cli, tmp_path):
    rows = class_rows(PARTITION_ROW, "attack_cat", {"Normal": 4, "DoS": 4}, "sbytes")
    for row in rows:
        row["label"] = "1" if row["attack_cat"] == "DoS" else "0"
    rows[0]["label"] = "1"
    cli("fetch", "unsw", "--path", partition_file(tmp_path / "p.csv", rows))
    result = cli("prep", "unsw", "--json")
    counts = json.loads(result.stdout)["samples"]["meta"]["counts"]
    assert counts["label_category_mismatches"] == 1
    assert "1 records have a binary label" in cli("prep", "unsw").stderr


def test_raw_layout_prompts_show_ports(store, tmp_path):
    from cybench.datasets.fetch import ensure_fetch
    from tests.datasets.flowfiles import RAW_ROW, raw_file

    rows = class_rows(RAW_ROW, "attack_cat", {"": 4, " Fuzzers ": 4}, "sbytes")
    for row in rows:
        row["Label"] = "0" if row["attack_cat"] == "" else "1"
        row["dsport"] = "0x000b"
    ensure_fetch(store, "unsw", paths=[raw_file(tmp_path / "UNSW-NB15_1.csv", rows)])
    _, prompts = ensure_prep(store, "unsw", per_class=1)
    table = store.read_table(prompts).to_pylist()
    assert {r["category"] for r in table} == {"Normal", "Fuzzers"}
    assert "dsport = 11" in table[0]["user"]
    assert "srcip" not in table[0]["user"]


def test_bad_option_names_the_option(cli, unsw_raw):
    result = cli("prep", "unsw", "--per-class", "-1")
    assert result.exit_code == 2
    assert "invalid --per-class value -1" in result.stderr


def test_interrupted_query_exits_130(cli, store, unsw_raw, monkeypatch):
    def interrupt(*args, **kwargs):
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr("cybench.datasets.prep.build_samples", interrupt)
    result = cli("prep", "unsw")
    assert result.exit_code == 130
    assert store.manifests("samples") == []
