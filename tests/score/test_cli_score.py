"""`cybench score` against a store holding responses artifacts."""

from __future__ import annotations

import json

import pytest

from tests.score.runs import responses_table, write_prompts, write_run


def _short(manifest) -> str:
    return manifest.key.split(":", 1)[1][:12]


def test_score_writes_scores_artifact(cli, store):
    run = write_run(store, responses_table(120))
    result = cli("score", _short(run), "--bootstrap", "50")
    assert result.exit_code == 0, result.stderr
    assert len(store.manifests("scores")) == 1
    assert "F1 [95% CI]" in result.stdout


def test_score_reuses_existing_artifact(cli, store):
    run = write_run(store, responses_table(120))
    cli("score", _short(run), "--bootstrap", "50")
    again = cli("score", _short(run), "--bootstrap", "50")
    assert "reused scores" in again.stderr
    assert len(store.manifests("scores")) == 1


def test_changed_parameter_writes_new_artifact(cli, store):
    run = write_run(store, responses_table(120))
    cli("score", _short(run), "--bootstrap", "50")
    cli("score", _short(run), "--bootstrap", "50", "--prevalence", "0.2")
    assert len(store.manifests("scores")) == 2


def test_score_json_prints_manifest_and_headline(cli, store):
    run = write_run(store, responses_table(120))
    result = cli("score", _short(run), "--bootstrap", "50", "--json")
    data = json.loads(result.stdout)
    assert data[0]["manifest"]["inputs"] == {"responses": run.key}
    assert "f1" in data[0]["headline"]
    assert "curves" not in data[0]["manifest"]["meta"]


def test_score_dataset_scores_newest_prompts_only(cli, store):
    old = write_prompts(store, n=150)
    newest = write_prompts(store, n=120)
    write_run(store, responses_table(150), old.key)
    write_run(store, responses_table(120, model="scripted:a"), newest.key)
    write_run(store, responses_table(120, model="scripted:b", seed=2), newest.key)
    result = cli("score", "--dataset", "unsw", "--bootstrap", "20", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2


def test_score_unknown_dataset_fails(cli, store):
    result = cli("score", "--dataset", "nope")
    assert result.exit_code == 1
    assert "no prompts artifact of dataset 'nope'" in result.stderr


def test_score_without_runs_is_usage_error(cli, store):
    result = cli("score")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no runs given")


def test_score_rejects_prevalence_outside_unit_interval(cli, store):
    run = write_run(store, responses_table(50))
    result = cli("score", _short(run), "--prevalence", "1.5")
    assert result.exit_code == 2
    assert "--prevalence" in result.stderr


def test_score_rejects_non_run_artifact(cli, store):
    prompts = write_prompts(store)
    result = cli("score", _short(prompts))
    assert result.exit_code == 2
    assert "not a run" in result.stderr


def test_score_warns_about_unparseable_run(cli, store):
    table = responses_table(40, unparsed=1.0)
    run = write_run(store, table)
    result = cli("score", _short(run), "--bootstrap", "20")
    assert result.exit_code == 0, result.stderr
    assert "every response is unparsed" in result.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--events-per-day", "-5"),
        ("--events-per-day", "0"),
        ("--events-per-day", "inf"),
        ("--prevalence", "0"),
        ("--prevalence", "1"),
        ("--prevalence", "1.5"),
        ("--prevalence", "nan"),
        ("--bootstrap", "-1"),
        ("--seed", "-1"),
    ],
)
def test_score_out_of_range_option_is_usage_error(cli, store, option, value):
    run = write_run(store, responses_table(120))
    result = cli("score", _short(run), option, value)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert option in result.stderr
    assert store.manifests("scores") == []
