import base64
import hashlib
import html
import re

import pytest

from cybench.report import build_report
from tests.report.builders import IMG_PAYLOAD, SCRIPT_PAYLOAD, scored_runs

CHART_KINDS = ("line", "scatter", "bar", "confusion")


@pytest.fixture
def page(store, two_runs):
    return build_report(store, [r.key for r in two_runs], fmt="html")


def test_planted_script_is_not_markup(page):
    assert "<script" not in page.lower()


def test_planted_img_handler_is_not_markup(page):
    assert "<img" not in page.lower()


def test_planted_script_shown_as_text(page):
    assert "&lt;script&gt;document.title=" in page


def test_every_chart_kind_present(page):
    missing = [k for k in CHART_KINDS if f'class="chart chart-{k}"' not in page]
    assert missing == []


def _csp(page):
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    return html.unescape(found.group(1))


def test_csp_forbids_scripts(page):
    assert "script-src 'none'" in _csp(page)


def test_csp_default_none(page):
    assert "default-src 'none'" in _csp(page)


def test_csp_hash_matches_stylesheet(page):
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in _csp(page)


def test_single_style_block(page):
    assert page.count("<style") == 1


def test_no_external_resources(page):
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}


def test_no_style_attributes(page):
    # A style attribute would need 'unsafe-inline' under the CSP.
    assert " style=" not in page


def test_examples_shown_per_run(page):
    assert page.count("<details>") == 6


def test_judge_section_says_none(page):
    assert "No judgments in the store" in page


def test_reply_text_escaped(page):
    assert "&lt;/pre&gt;" in page


def test_unscored_run_scored_and_reported(store):
    runs = scored_runs(store, models=("scripted:a",), scored=False)
    page = build_report(store, [runs[0].key], fmt="html")
    assert "had no scores; scored it" in page


def test_unscored_run_gets_scores_artifact(store):
    runs = scored_runs(store, models=("scripted:a",), scored=False)
    build_report(store, [runs[0].key], fmt="md")
    assert len(store.manifests("scores")) == 1


def test_payload_constants_are_hostile():
    # Guards the fixtures: the payloads must stay real markup.
    assert SCRIPT_PAYLOAD.startswith("<script>") and IMG_PAYLOAD.startswith("<img")


def _write_judgments(store, responses, judge, score, vary=False):
    import time

    from cybench.judge.rubric import LATEST, rubric
    from cybench.judge.step import judgments_table, summarise
    from cybench.schemas import JUDGMENTS

    rules = rubric(LATEST)
    rows = []
    for response in store.read_table(responses).to_pylist():
        row = {
            "row_key": f"{judge}-{response['row_key']}",
            "response_row_key": response["row_key"],
            "sample_id": response["sample_id"],
            "judge_model": judge,
            "parse_status": "ok",
            "rubric_version": rules.version,
        }
        value = score if not vary else 1 + len(rows) % 5
        row.update(dict.fromkeys(rules.criteria, value))
        rows.append(row)
    return store.write(
        "judge",
        "judgments",
        JUDGMENTS,
        {"judge": judge, "judge_model_id": judge, "rubric_version": rules.version},
        {"responses": responses.key},
        judgments_table(rows, rules),
        started=time.perf_counter(),
        meta={"summary": summarise(rows, rules), "rubric": rules.criteria},
    )


def test_judge_scores_shown(store, two_runs):
    _write_judgments(store, two_runs[0], "scripted:judge<x>", 4)
    page = build_report(store, [r.key for r in two_runs], fmt="html")
    assert "4.00 (n=60)" in page


def test_judge_chart_drawn(store, two_runs):
    _write_judgments(store, two_runs[0], "scripted:judge", 4)
    page = build_report(store, [r.key for r in two_runs], fmt="html")
    assert "Judge scores (mean rating, 1-5)" in page


def test_two_judges_named_per_criterion(store, two_runs):
    _write_judgments(store, two_runs[0], "scripted:a", 4)
    _write_judgments(store, two_runs[0], "scripted:b", 2)
    page = build_report(store, [r.key for r in two_runs], fmt="html")
    assert "faithfulness (scripted:b)" in page


def test_two_judges_agreement_shown(store, two_runs):
    _write_judgments(store, two_runs[0], "scripted:a", 4, vary=True)
    _write_judgments(store, two_runs[0], "scripted:b", 2, vary=True)
    page = build_report(store, [r.key for r in two_runs], fmt="html")
    assert "<td>1.000</td>" in page  # identical ratings agree perfectly


def test_constant_judges_agreement_undefined(store, two_runs):
    _write_judgments(store, two_runs[0], "scripted:a", 4)
    _write_judgments(store, two_runs[0], "scripted:b", 4)
    page = build_report(store, [r.key for r in two_runs], fmt="html")
    assert "n/a: both judges gave every response the same score" in page


def test_judge_means_from_scores_carry_interval(store, two_runs):
    from cybench.scoring import ScoreSettings, ensure_scores

    judgments = _write_judgments(store, two_runs[0], "scripted:judge", 3, vary=True)
    ensure_scores(store, two_runs[0], ScoreSettings(bootstrap=50), judgments)
    page = build_report(store, [r.key for r in two_runs], fmt="html")
    assert re.search(r"3\.00 \[\d\.\d\d, \d\.\d\d\] \(n=60\)", page)


def test_reliability_diagram_drawn(page):
    assert "<title>Reliability diagram</title>" in page
