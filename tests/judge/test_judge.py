"""The judge step: blinding, row reuse, failures and agreement between judges."""

from __future__ import annotations

import json

import pytest
from sklearn.metrics import cohen_kappa_score

from cybench.judge import (
    JudgeSettings,
    agreement,
    build_items,
    ensure_judgments,
    rubric,
)
from cybench.judge.rubric import redact_model_names
from tests.judge.helpers import SECRET_MODEL, judge_file, scores_reply, write_judged_run


def _short(manifest) -> str:
    return manifest.key.split(":", 1)[1][:12]


def test_judge_requests_never_name_the_model(store):
    run = write_judged_run(store)
    items = build_items(store, run, rubric(1), "scripted:judge", 300)
    for item in items:
        text = item.request.system + item.request.user
        assert "secret-model" not in text
        assert SECRET_MODEL not in text


def test_judge_request_holds_record_and_explanation(store):
    run = write_judged_run(store)
    item = build_items(store, run, rubric(1), "scripted:judge", 300)[3]
    assert "Record 3: proto=tcp" in item.request.user
    assert "explanation 3" in item.request.user


def test_explanation_naming_its_model_is_redacted():
    text = redact_model_names(
        "As Secret-Model I flag this", ["scripted:secret-model", "secret-model"]
    )
    assert text == "As [model] I flag this"


def test_scripted_judge_cannot_see_model(store, tmp_path):
    # The first rule fires only if the request names the model.
    spec = judge_file(
        tmp_path,
        [{"contains": "secret-model", "text": "LEAK"}, {"text": scores_reply(4, 4, 4)}],
    )
    run = write_judged_run(store)
    result = ensure_judgments(store, run, JudgeSettings(judge=spec))
    statuses = set(store.read_table(result.manifest).column("parse_status").to_pylist())
    assert statuses == {"ok"}


def test_judge_cli_writes_artifact_and_rows(cli, store, tmp_path):
    spec = judge_file(tmp_path, [{"text": scores_reply(4, 3, 5)}])
    run = write_judged_run(store)
    result = cli("judge", _short(run), "--judge", spec)
    assert result.exit_code == 0, result.stderr
    assert "faithfulness" in result.stdout
    assert len(store.manifests("judgments")) == 1
    assert len(store.rows("judgments").keys()) == 12


def test_judge_rerun_reuses_artifact(cli, store, tmp_path):
    spec = judge_file(tmp_path, [{"text": scores_reply(4, 3, 5)}])
    run = write_judged_run(store)
    cli("judge", _short(run), "--judge", spec)
    again = cli("judge", _short(run), "--judge", spec)
    assert "reused judgments" in again.stderr
    assert "0 requests" in again.stderr


def test_unparseable_reply_gets_status_not_score(store, tmp_path):
    spec = judge_file(
        tmp_path,
        [
            {"contains": "Record 2:", "text": "five stars"},
            {"text": scores_reply(4, 3, 5)},
        ],
    )
    run = write_judged_run(store)
    table = store.read_table(
        ensure_judgments(store, run, JudgeSettings(judge=spec)).manifest
    )
    row = next(r for r in table.to_pylist() if r["sample_id"] == "sample-00002")
    assert row["parse_status"] == "unparseable"
    assert row["faithfulness"] is None
    assert row["raw_text"] == "five stars"


def test_missing_explanation_is_not_sent(store, tmp_path):
    import pyarrow as pa

    spec = judge_file(tmp_path, [{"text": scores_reply(4, 3, 5)}])
    run = write_judged_run(store)
    table = store.read_table(run)
    blank = table.set_column(
        table.column_names.index("explanation"),
        "explanation",
        pa.array([None] * 12, pa.string()),
    )
    from tests.score.runs import write_run

    run = write_run(store, blank, run.inputs["prompts"], model="scripted:blank")
    result = ensure_judgments(store, run, JudgeSettings(judge=spec))
    assert result.requested == 0
    statuses = set(store.read_table(result.manifest).column("parse_status").to_pylist())
    assert statuses == {"no_explanation"}


def test_failed_requests_are_retried_alone(cli, store, tmp_path):
    spec = judge_file(
        tmp_path,
        [
            {
                "contains": "Record 5:",
                "error": {"class": "ContentFilterError", "message": "blocked"},
            },
            {"text": scores_reply(4, 3, 5)},
        ],
    )
    run = write_judged_run(store)
    first = cli("judge", _short(run), "--judge", spec)
    assert first.exit_code == 1
    assert "1 of 12 judge requests" in first.stderr
    assert len(store.manifests("judgments")) == 0
    second = cli("judge", _short(run), "--judge", spec)
    assert "1 of 1 judge requests" in second.stderr


def test_two_judges_report_weighted_kappa(cli, store, tmp_path):
    run = write_judged_run(store)
    rules_a = [
        {"contains": f"Record {i}:", "text": scores_reply(1 + i % 5, 3, 1 + i % 4)}
        for i in range(12)
    ]
    rules_b = [
        {
            "contains": f"Record {i}:",
            "text": scores_reply(1 + (i + 1) % 5, 3, 1 + i % 4),
        }
        for i in range(12)
    ]
    spec_a = judge_file(tmp_path, rules_a, "a.jsonl")
    spec_b = judge_file(tmp_path, rules_b, "b.jsonl")
    result = cli("judge", _short(run), "--judge", spec_a, "--judge", spec_b, "--json")
    assert result.exit_code == 0, result.stderr
    by_criterion = {a["criterion"]: a for a in json.loads(result.stdout)["agreement"]}
    expected = cohen_kappa_score(
        [1 + i % 5 for i in range(12)],
        [1 + (i + 1) % 5 for i in range(12)],
        labels=[1, 2, 3, 4, 5],
        weights="quadratic",
    )
    assert by_criterion["faithfulness"]["kappa"] == pytest.approx(expected)
    assert by_criterion["usefulness"]["kappa"] == pytest.approx(1.0)
    assert by_criterion["reasoning"]["kappa"] is None


def test_agreement_without_shared_ratings_is_null(store, tmp_path):
    run = write_judged_run(store)
    good = ensure_judgments(
        store,
        run,
        JudgeSettings(
            judge=judge_file(tmp_path, [{"text": scores_reply(3, 3, 3)}], "g.jsonl")
        ),
    )
    bad = ensure_judgments(
        store,
        run,
        JudgeSettings(judge=judge_file(tmp_path, [{"text": "no"}], "b.jsonl")),
    )
    out = agreement(
        store.read_table(good.manifest), store.read_table(bad.manifest), ["reasoning"]
    )
    assert out[0]["n"] == 0
    assert out[0]["kappa"] is None


def test_unknown_rubric_version_is_usage_error(cli, store, tmp_path):
    run = write_judged_run(store)
    result = cli(
        "judge",
        _short(run),
        "--judge",
        "scripted:always-attack",
        "--rubric-version",
        "99",
    )
    assert result.exit_code == 2
    assert "unknown rubric version 99" in result.stderr


def test_baseline_cannot_judge(cli, store):
    run = write_judged_run(store)
    result = cli("judge", _short(run), "--judge", "baseline:majority")
    assert result.exit_code == 2
    assert "cannot judge" in result.stderr


def test_score_with_judge_adds_rubric_means(cli, store, tmp_path):
    spec = judge_file(tmp_path, [{"text": scores_reply(4, 3, 5)}])
    run = write_judged_run(store)
    cli("judge", _short(run), "--judge", spec)
    result = cli("score", _short(run), "--judge", spec, "--bootstrap", "20", "--json")
    assert result.exit_code == 0, result.stderr
    entry = json.loads(result.stdout)[0]
    assert entry["headline"]["judge_reasoning"]["value"] == pytest.approx(3.0)
    assert "judgments" in entry["manifest"]["inputs"]


def test_score_with_missing_judgments_fails(cli, store):
    run = write_judged_run(store)
    result = cli("score", _short(run), "--judge", "scripted:always-attack")
    assert result.exit_code == 1
    assert "has no judgments by scripted:always-attack" in result.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--rubric-version", "0"),
        ("--rubric-version", "-1"),
        ("--max-tokens", "0"),
        ("--batch-size", "-2"),
        ("--concurrency", "0"),
    ],
)
def test_judge_out_of_range_option_is_usage_error(cli, store, option, value):
    run = write_judged_run(store)
    result = cli("judge", _short(run), "--judge", "scripted:coin", option, value)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert option in result.stderr
    assert store.manifests("judgments") == []
