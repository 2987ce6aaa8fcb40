import json
import os
import stat

from tests.report.builders import scored_runs, write_prompts, write_responses


def _prefixes(runs):
    return [r.key.split(":", 1)[1][:10] for r in runs]


def test_md_to_stdout(cli, two_runs):
    result = cli("report", *_prefixes(two_runs), "--md")
    assert result.exit_code == 0, result.stderr
    assert "### Detection quality" in result.stdout


def test_latex_to_stdout_without_output(cli, two_runs):
    result = cli("report", *_prefixes(two_runs), "--latex")
    assert result.stdout.startswith("% Requires \\usepackage{booktabs}")


def test_dataset_selects_runs(cli, two_runs):
    result = cli("report", "--dataset", "phishing-email", "--md")
    quality = result.stdout.split("### Detection quality")[1].split("###")[0]
    assert quality.count("\n| ") == 3  # header and two runs


def test_html_written_to_output(cli, two_runs, tmp_path):
    path = tmp_path / "out" / "report.html"
    result = cli("report", *_prefixes(two_runs), "--html", "-o", path)
    assert result.exit_code == 0, result.stderr
    assert path.read_text().startswith("<!DOCTYPE html>")


def test_output_leaves_stdout_empty(cli, two_runs, tmp_path):
    result = cli("report", *_prefixes(two_runs), "--html", "-o", tmp_path / "r.html")
    assert result.stdout == ""


def test_output_suffix_implies_format(cli, two_runs, tmp_path):
    path = tmp_path / "table.tex"
    cli("report", *_prefixes(two_runs), "-o", path)
    assert "\\begin{table}" in path.read_text()


def test_json_describes_written_file(cli, two_runs, tmp_path):
    path = tmp_path / "r.md"
    result = cli("report", *_prefixes(two_runs), "--md", "-o", path, "--json")
    assert json.loads(result.stdout)["format"] == "md"


def test_standalone_latex_has_document(cli, two_runs):
    result = cli("report", *_prefixes(two_runs), "--latex", "--standalone")
    assert "\\begin{document}" in result.stdout


def test_no_format_is_usage_error(cli, two_runs):
    result = cli("report", *_prefixes(two_runs))
    assert (result.exit_code, result.stderr.count("\n")) == (2, 1)


def test_two_formats_rejected(cli, two_runs):
    result = cli("report", *_prefixes(two_runs), "--md", "--html")
    assert result.exit_code == 2


def test_no_runs_is_usage_error(cli, store):
    result = cli("report", "--md")
    assert result.exit_code == 2


def test_unknown_policy_rejected(cli, two_runs):
    result = cli("report", *_prefixes(two_runs), "--md", "--policy", "some")
    assert result.exit_code == 2


def test_unknown_dataset_one_line_error(cli, two_runs):
    result = cli("report", "--dataset", "nsl-kdd", "--md")
    assert (result.exit_code, result.stderr.count("\n")) == (1, 1)


def test_runs_on_other_samples_refused(cli, store):
    first = scored_runs(store, models=("scripted:a",), n=20)
    other_prompts = write_prompts(store, n=30, seed=7)
    other = write_responses(store, other_prompts, "scripted:b")
    result = cli("report", *_prefixes([first[0], other]), "--md")
    assert "other samples" in result.stderr


def test_parsed_policy_headline(cli, two_runs):
    result = cli("report", *_prefixes(two_runs), "--md", "--policy", "parsed")
    assert "(policy: parsed)" in result.stdout


def test_scores_key_names_run(cli, store, two_runs):
    scores = store.manifests("scores")[0]
    result = cli("report", scores.key.split(":")[1][:10], "--md")
    assert result.exit_code == 0, result.stderr


def test_json_without_output_carries_report(cli, two_runs):
    result = cli("report", *_prefixes(two_runs), "--md", "--json")
    assert json.loads(result.stdout)["report"].startswith("## cybench report")


def test_negative_examples_is_usage_error(cli, two_runs, tmp_path):
    page = tmp_path / "r.html"
    result = cli("report", *_prefixes(two_runs), "--examples", "-1", "-o", page)
    assert result.exit_code == 2
    assert "--examples" in result.stderr
    assert not page.exists()


def test_output_directory_is_one_error_line(cli, two_runs, tmp_path):
    result = cli("report", *_prefixes(two_runs), "--md", "-o", tmp_path)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "is a directory" in result.stderr


def test_output_under_a_file_is_one_error_line(cli, two_runs, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("report", *_prefixes(two_runs), "--md", "-o", blocker / "r.md")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "x"


def test_output_fifo_gets_the_report_in_place(cli, two_runs, tmp_path):
    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)
    # The reader lets the open for writing return; the report fits the pipe buffer.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = cli("report", *_prefixes(two_runs), "--md", "-o", fifo)
        received = os.read(reader, 1 << 16).decode()
    finally:
        os.close(reader)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert "### Detection quality" in received


def test_output_symlink_stays_a_link(cli, two_runs, tmp_path):
    page = tmp_path / "real.md"
    page.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(page)
    result = cli("report", *_prefixes(two_runs), "--md", "-o", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert "### Detection quality" in page.read_text()


def test_overwritten_output_leaves_no_temporary_file(cli, two_runs, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    page = folder / "r.md"
    page.write_text("old")
    cli("report", *_prefixes(two_runs), "--md", "-o", page)
    assert [p.name for p in folder.iterdir()] == ["r.md"]
