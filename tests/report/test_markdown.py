from cybench.report import build_report
from cybench.report.markdown import escape_markdown


def _keys(runs):
    return [r.key for r in runs]


def test_escape_markdown_pipe_and_html():
    assert escape_markdown("a|b<c>&_d") == r"a\|b\<c\>&amp;\_d"


def test_table_row_per_run(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="md")
    section = text.split("### Detection quality")[1].split("###")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert len(rows) == 3  # header and two runs


def test_best_value_in_bold(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="md")
    assert "| **0.814** [" in text


def test_model_name_cannot_break_table(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="md")
    assert r"llamacpp:qwen\<b\>\_&amp;%" in text


def test_facts_line_states_split_and_size(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="md")
    assert "Split test, 60 samples, prevalence of attack 50.0%." in text


def test_category_table_present(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="md")
    assert "### Detection rate by attack category" in text


def test_paired_table_against_best(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="md")
    section = text.split("### Paired tests against the best run")[1].split("###")[0]
    assert section.count("| baseline:random-forest |") == 1


def test_stored_comparison_is_used(store, two_runs):
    from cybench.comparison import CompareSettings, ensure_comparison
    from cybench.scoring import ScoreSettings

    settings = CompareSettings(bootstrap=20, seed=5, score=ScoreSettings(bootstrap=200))
    manifest, result = ensure_comparison(store, two_runs, settings)
    row = next(r for r in result.rows if r.get("f1_diff_ci_low") is not None)
    expected = f"[{row['f1_diff_ci_low']:.3f}, {row['f1_diff_ci_high']:.3f}]"
    assert expected in build_report(store, _keys(two_runs), fmt="md")
