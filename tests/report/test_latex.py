import subprocess

import pytest

from cybench.report import build_report
from cybench.report.latex import escape_latex
from tests.report.builders import scored_runs
from tests.report.tools import require_program


def _keys(runs):
    return [r.key for r in runs]


def test_escape_latex_special_characters():
    assert escape_latex("a_b&c%d$e#f{g}h~i^j\\k") == (
        r"a\_b\&c\%d\$e\#f\{g\}h\textasciitilde{}i\textasciicircum{}j"
        r"\textbackslash{}k"
    )


def test_escape_latex_replaces_glyphs_t1_lacks():
    assert escape_latex("model 🤖") == "model ?"


def test_caption_states_dataset_split_size_prevalence(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="latex")
    assert (
        r"Dataset phishing-email, test split, $n = 60$ samples, prevalence of "
        r"attack 50.0\%." in text
    )


def test_model_names_escaped(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="latex")
    assert r"llamacpp:qwen\textless{}b\textgreater{}\_\&\%" in text


def test_best_f1_in_bold(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="latex")
    first_row = next(line for line in text.splitlines() if line.startswith("llamacpp"))
    assert first_row.split(" & ")[1] == r"\textbf{0.814}"


def test_uses_booktabs_rules(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="latex")
    assert all(rule in text for rule in (r"\toprule", r"\midrule", r"\bottomrule"))


def test_interval_row_under_values(store, two_runs):
    text = build_report(store, _keys(two_runs), fmt="latex")
    assert r"{\scriptsize [" in text


@pytest.fixture
def distinct_runs(store):
    return scored_runs(
        store,
        models=("openai:strong", "openai:weak", "openai:middle"),
        n=120,
        accuracies=[0.97, 0.5, 0.9],
    )


def test_significance_mark_on_worse_model(store, distinct_runs):
    text = build_report(store, _keys(distinct_runs), fmt="latex")
    assert r"openai:weak (zero-shot)$^{**}$ &" in text


def test_no_mark_on_reference_model(store, distinct_runs):
    text = build_report(store, _keys(distinct_runs), fmt="latex")
    assert r"openai:strong (zero-shot) &" in text


def test_footnote_names_test_and_correction(store, distinct_runs):
    text = build_report(store, _keys(distinct_runs), fmt="latex")
    assert "McNemar's exact test" in text and "Holm's step-down correction" in text


@pytest.mark.tex
def test_standalone_compiles_with_pdflatex(store, two_runs, tmp_path):
    pdflatex = require_program("pdflatex")
    source = tmp_path / "report.tex"
    source.write_text(
        build_report(store, _keys(two_runs), fmt="latex", standalone=True)
    )
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "report.pdf").stat().st_size > 1000


@pytest.mark.tex
def test_fragment_compiles_inside_a_paper(store, distinct_runs, tmp_path):
    pdflatex = require_program("pdflatex")
    fragment = build_report(store, _keys(distinct_runs), fmt="latex")
    (tmp_path / "tables.tex").write_text(fragment)
    (tmp_path / "paper.tex").write_text(
        "\\documentclass[twocolumn]{article}\n\\usepackage{booktabs}\n"
        "\\usepackage{graphicx}\n\\begin{document}\nText.\n\\input{tables}\n"
        "\\end{document}\n"
    )
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "paper.pdf").exists()


def test_tiny_p_value_printed_as_bound(store, distinct_runs):
    text = build_report(store, _keys(distinct_runs), fmt="latex")
    assert r"\textless{}0.0001" in text


def test_significance_legend_set_as_math(store, distinct_runs):
    text = build_report(store, _keys(distinct_runs), fmt="latex")
    assert r"$^{*}$~$p<0.05$, $^{**}$~$p<0.01$" in text
