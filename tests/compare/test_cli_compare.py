"""`cybench compare` on runs of the same and of different samples."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cybench.cli.settings import build_settings
from cybench.comparison import CompareSettings
from cybench.errors import UsageError
from tests.score.runs import responses_table, write_prompts, write_run


def _short(manifest) -> str:
    return manifest.key.split(":", 1)[1][:12]


def _two_runs(store, n: int = 150):
    prompts = write_prompts(store, n=n)
    a = write_run(
        store, responses_table(n, seed=1, accuracy=0.9, model="scripted:a"), prompts.key
    )
    b = write_run(
        store, responses_table(n, seed=2, accuracy=0.6, model="scripted:b"), prompts.key
    )
    return a, b


def test_compare_prints_table_with_best_marked(cli, store):
    a, b = _two_runs(store)
    result = cli("compare", _short(a), _short(b), "--bootstrap", "100")
    assert result.exit_code == 0, result.stderr
    assert "scripted:a" in result.stdout
    assert "▲" in result.stdout
    assert len(store.manifests("comparison")) == 1


def test_compare_table_leaves_asterisk_to_significance(cli, store):
    a, b = _two_runs(store)
    result = cli("compare", _short(a), _short(b), "--bootstrap", "100")
    assert "*" not in result.stdout


def test_compare_json_rows(cli, store):
    a, b = _two_runs(store)
    result = cli("compare", _short(a), _short(b), "--bootstrap", "100", "--json")
    rows = {row["model"]: row for row in json.loads(result.stdout)}
    assert "f1" in rows["scripted:a"]["best_metrics"]
    assert rows["scripted:a"]["mcnemar_p"] is None
    assert rows["scripted:b"]["mcnemar_p_holm"] < 0.05
    assert rows["scripted:b"]["f1_diff_ci_high"] < 0


def test_compare_csv_has_same_columns_as_json(cli, store):
    a, b = _two_runs(store)
    as_json = json.loads(
        cli("compare", _short(a), _short(b), "--bootstrap", "50", "--json").stdout
    )
    as_csv = list(
        csv.DictReader(
            io.StringIO(
                cli(
                    "compare", _short(a), _short(b), "--bootstrap", "50", "--csv"
                ).stdout
            )
        )
    )
    assert list(as_csv[0]) == list(as_json[0])
    assert len(as_csv) == 2


def test_compare_dataset(cli, store):
    _two_runs(store)
    result = cli("compare", "--dataset", "unsw", "--bootstrap", "50", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2


def test_compare_reuses_artifact(cli, store):
    a, b = _two_runs(store)
    cli("compare", _short(a), _short(b), "--bootstrap", "50")
    again = cli("compare", _short(b), _short(a), "--bootstrap", "50")
    assert "reused comparison" in again.stderr
    assert len(store.manifests("comparison")) == 1


def test_compare_rejects_runs_on_different_samples(cli, store):
    a, _ = _two_runs(store, n=150)
    other = write_run(
        store, responses_table(140, model="scripted:c"), "sha256:" + "1" * 64
    )
    result = cli("compare", _short(a), _short(other), "--bootstrap", "20")
    assert result.exit_code == 1
    assert "evaluated on other samples" in result.stderr
    assert "10 of" in result.stderr
    assert len(store.manifests("comparison")) == 0


def test_compare_rejects_other_labels_for_same_samples(cli, store):
    a, _ = _two_runs(store, n=100)
    flipped = responses_table(
        100,
        model="scripted:d",
        y_true=1 - responses_table(100).column("y_true").to_numpy(),
    )
    other = write_run(store, flipped)
    result = cli("compare", _short(a), _short(other), "--bootstrap", "20")
    assert result.exit_code == 1
    assert "another true label" in result.stderr


def test_compare_needs_two_runs(cli, store):
    a, _ = _two_runs(store)
    result = cli("compare", _short(a))
    assert result.exit_code == 2
    assert "at least two runs" in result.stderr


def test_compare_rejects_unknown_metric(cli, store):
    a, b = _two_runs(store)
    result = cli("compare", _short(a), _short(b), "--metric", "vibes")
    assert result.exit_code == 2
    assert "unknown metric 'vibes'" in result.stderr


def test_compare_reuses_scores_from_score_command(cli, store):
    a, b = _two_runs(store)
    cli("score", _short(a), _short(b), "--bootstrap", "50")
    cli("compare", _short(a), _short(b), "--bootstrap", "50")
    assert len(store.manifests("scores")) == 2


@pytest.mark.parametrize("option", ["--bootstrap", "--seed"])
def test_compare_negative_option_is_usage_error(cli, store, option):
    a, b = _two_runs(store)
    result = cli("compare", _short(a), _short(b), option, "-1")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert option in result.stderr
    assert store.manifests("comparison") == []


def test_rejected_settings_field_names_its_option():
    with pytest.raises(UsageError, match="--metric"):
        build_settings(
            CompareSettings, "compare", {"primary": 5}, options={"primary": "--metric"}
        )


def test_rejected_nested_settings_field_names_its_option():
    with pytest.raises(UsageError, match="--seed"):
        build_settings(CompareSettings, "compare", {"score": {"seed": -1}})
