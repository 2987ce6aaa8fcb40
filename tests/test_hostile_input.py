"""Hostile input: each failure is one `error:` line, a non-zero exit and no write.

Covers odd file names, fake model files, bad numeric options, output paths that
are not regular files, SQL that reaches outside the store, terminal control
characters in data, and Ctrl-C.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

ESC = "\x1b"
# Rich replaces the emoji code ":x:" with this character unless emoji is off.
CROSS_MARK = "\u274c"
HOSTILE_TEXT = f"[bold red]x[/] :x: [/] {ESC}[31mRED{ESC}[0m {ESC}]0;title{ESC}\\"


def stored_files(store_dir: Path) -> list[str]:
    """Return the store's artifact and row files, ignoring lock files."""
    if not store_dir.is_dir():
        return []
    names = [
        str(path.relative_to(store_dir))
        for path in store_dir.rglob("*")
        if path.is_file() and path.parent.name != "locks"
    ]
    return sorted(names)


def run_process(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the CLI as its own process, so stderr and logging are the real ones."""
    return subprocess.run(
        [sys.executable, "-m", "cybench", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        check=False,
    )


def assert_one_error_line(result, code: int = 1) -> None:
    assert result.exit_code == code
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.strip().startswith("error: ")


@pytest.fixture
def nsl_prompts(cli, shared_data) -> str:
    """Fetch NSL-KDD's hard test file and prep its default prompts; return their key."""
    path = shared_data / "nsl-kdd" / "KDDTest-21.txt"
    assert cli("fetch", "nsl-kdd", "--path", path).exit_code == 0
    result = cli("prep", "nsl-kdd")
    assert result.exit_code == 0
    return result.stdout.strip()


@pytest.fixture
def scripted_run(cli, nsl_prompts, tmp_path) -> str:
    """Run a scripted model that replies with markup and escapes; return the run key."""
    reply = {
        "label": "attack",
        "confidence": 0.9,
        "category": None,
        "explanation": HOSTILE_TEXT,
    }
    rules = tmp_path / "hostile.jsonl"
    rules.write_text(json.dumps({"text": json.dumps(reply)}) + "\n")
    result = cli("infer", "-m", f"scripted:file={rules}", "--prep", nsl_prompts)
    assert result.exit_code == 0
    return result.stdout.strip()


@pytest.fixture
def samples_with_text(store):
    table = pa.table({"sample_id": ["a"], "text": [HOSTILE_TEXT]})
    return store.write("prep", "samples", 1, {"dataset": "unsw"}, {}, table)


# fetch


def test_fetch_error_has_no_blank_line(store_dir, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run_process("fetch", "unsw", "--path", path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()]


def test_fetch_non_utf8_file_name(cli, store_dir, shared_data, tmp_path):
    name = os.fsdecode(b"KDDTest-21-\xff.txt")
    path = tmp_path / name
    shutil.copyfile(shared_data / "nsl-kdd" / "KDDTest-21.txt", path)
    result = cli("fetch", "nsl-kdd", "--path", path)
    assert "invalid UTF-8 text" not in result.stderr
    assert result.exit_code == 0


def test_fetch_escape_in_file_name_not_raw(cli, tmp_path):
    path = tmp_path / f"a{ESC}[31mred.csv"
    path.write_bytes(b"")
    result = cli("fetch", "unsw", "--path", path)
    assert result.exit_code == 1
    assert ESC not in result.stderr


def test_fetch_mbox_garbage_after_from_line(cli, store_dir, shared_data, tmp_path):
    data = (shared_data / "phishing-email" / "phishing0.mbox").read_bytes()
    second = data.index(b"\nFrom ", 100) + 1
    line_end = data.index(b"\n", second) + 1
    path = tmp_path / "garbage.mbox"
    path.write_bytes(data[:line_end] + b"<<<not a header>>>\n" + data[line_end:])
    result = cli("fetch", "phishing-email", "--path", f"{path}:phishing")
    assert_one_error_line(result)
    assert "garbage" in result.stderr
    assert stored_files(store_dir) == []


def test_fetch_spam_label_rejected(cli, store_dir, shared_data):
    path = shared_data / "phishing-email" / "phishing0.mbox"
    result = cli("fetch", "phishing-email", "--path", f"{path}:spam")
    assert_one_error_line(result, code=2)
    assert stored_files(store_dir) == []


def test_fetch_flow_file_as_email(cli, store_dir, shared_data):
    path = shared_data / "unsw-nb15" / "NUSW20000.csv"
    result = cli("fetch", "phishing-email", "--path", f"{path}:phishing")
    assert_one_error_line(result)
    assert "no email text column" in result.stderr


def test_store_under_a_file_is_reported(cli, shared_data, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = shared_data / "nsl-kdd" / "KDDTest-21.txt"
    result = cli("--store", blocker / "store", "fetch", "nsl-kdd", "--path", path)
    assert_one_error_line(result)
    assert str(blocker) in result.stderr


def test_store_that_is_a_file_is_reported(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("--store", blocker, "store", "ls")
    assert_one_error_line(result)


# prep


@pytest.mark.parametrize(
    "args",
    [
        ("--per-class", "0"),
        ("--per-class", "-1"),
        ("--template", "few-shot", "--k", "0"),
        ("--template", "bogus"),
        ("--split", "holdout"),
        ("--seed", "abc"),
        ("--n", "0"),
        ("--show", "-1"),
    ],
)
def test_prep_rejects_bad_option(cli, store_dir, args):
    result = cli("prep", "unsw", *args)
    assert_one_error_line(result, code=2)
    assert stored_files(store_dir) == []


def test_prep_help_states_real_default(cli):
    from cybench.datasets.prep import DEFAULT_PER_CLASS

    result = cli("prep", "--help")
    assert f"default {DEFAULT_PER_CLASS}" in " ".join(result.stdout.split())


def test_few_shot_k_above_train_split(cli, shared_data, tmp_path):
    source = shared_data / "unsw-nb15" / "UNSW_NB15_training-set.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    category_column = lines[0].split(",").index("attack_cat")
    kept: dict[str, int] = {}
    rows = [lines[0]]
    for line in lines[1:]:
        category = line.split(",")[category_column]
        if kept.get(category, 0) < 2:
            kept[category] = kept.get(category, 0) + 1
            rows.append(line)
    path = tmp_path / "UNSW_NB15_testing-set.csv"
    path.write_text("\n".join(rows) + "\n")
    assert cli("fetch", "unsw", "--path", path).exit_code == 0
    result = cli("prep", "unsw", "--template", "few-shot", "--k", "32")
    # The train split has 9 records, so 32 examples cannot be drawn, and a
    # prompts artifact keyed k=32 would misdescribe itself.
    assert result.exit_code == 2
    assert "--k" in result.stderr


# infer


def test_fake_gguf_is_one_error_line(cli, store_dir, nsl_prompts, tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(Path("/bin/ls").read_bytes())
    before = stored_files(store_dir)
    result = cli("infer", "-m", f"llamacpp:{fake}", "--prep", nsl_prompts)
    assert_one_error_line(result)
    assert str(fake) in result.stderr
    assert stored_files(store_dir) == before


def test_empty_gguf_is_one_error_line(cli, nsl_prompts, tmp_path):
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    result = cli("infer", "-m", f"llamacpp:{empty}", "--prep", nsl_prompts)
    assert_one_error_line(result)


def test_binary_price_table_is_one_line(cli, nsl_prompts):
    result = cli(
        "infer",
        "-m",
        "scripted:coin",
        "--prep",
        nsl_prompts,
        "--price-table",
        "/bin/ls",
    )
    assert_one_error_line(result)


def test_binary_scripted_file_is_one_line(cli, nsl_prompts):
    result = cli("infer", "-m", "scripted:file=/bin/ls", "--prep", nsl_prompts)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    "spec",
    [
        "foo",
        "openai:",
        ":x",
        "llamacpp:",
        "llamacpp:/nonexistent.gguf",
        "baseline:nope",
    ],
)
def test_bad_model_spec_is_one_line(cli, store_dir, nsl_prompts, spec):
    before = stored_files(store_dir)
    result = cli("infer", "-m", spec, "--prep", nsl_prompts)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    assert stored_files(store_dir) == before


def test_missing_api_keys_are_one_line(cli, nsl_prompts, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    for spec in ("openai:x", "anthropic:x"):
        result = cli("infer", "-m", spec, "--prep", nsl_prompts)
        assert_one_error_line(result)


def test_prep_key_of_raw_is_rejected(cli, nsl_prompts):
    raw_key = cli(
        "store", "ls", "--kind", "raw", "--format", "csv"
    ).stdout.splitlines()[1]
    result = cli("infer", "-m", "scripted:coin", "--prep", raw_key.split(",")[0][:12])
    assert_one_error_line(result)
    assert "not prompts" in result.stderr


def test_closed_port_fails_the_run(nsl_prompts, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run_process(
        "infer",
        "-m",
        "openai:x",
        "--base-url",
        "http://127.0.0.1:9",
        "--prep",
        nsl_prompts,
        "--max-retries",
        "0",
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")


def test_closed_port_is_not_a_timeout(nsl_prompts, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run_process(
        "infer",
        "-m",
        "openai:x",
        "--base-url",
        "http://127.0.0.1:9",
        "--prep",
        nsl_prompts,
        "--max-retries",
        "0",
    )
    assert "timed out" not in result.stderr


def test_error_message_escapes_not_raw(nsl_prompts, tmp_path):
    rules = tmp_path / "errors.jsonl"
    error = {"class": "Boom", "message": HOSTILE_TEXT, "retryable": False}
    rules.write_text(json.dumps({"error": error}) + "\n")
    result = run_process("infer", "-m", f"scripted:file={rules}", "--prep", nsl_prompts)
    assert "[bold red]x[/]" in result.stderr
    assert ESC not in result.stderr


def test_interrupted_prep_says_so(cli, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("cybench.datasets.prep.ensure_prep", interrupt)
    result = cli("prep", "unsw")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr


def test_interrupted_duckdb_query_exits_130(cli, monkeypatch):
    # DuckDB turns SIGINT during a query into this RuntimeError; a real
    # Ctrl-C in `prep unsw` about 2.8 s in printed it as a traceback, exit 1.
    def interrupt(*args, **kwargs):
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr("cybench.datasets.prep.ensure_prep", interrupt)
    result = cli("prep", "unsw")
    assert result.exit_code == 130
    assert "Traceback" not in result.stderr


# judge, score, compare


@pytest.mark.parametrize(
    "args", [("--concurrency", "0"), ("--batch-size", "0"), ("--max-tokens", "-1")]
)
def test_judge_rejects_bad_option(cli, scripted_run, args):
    result = cli("judge", scripted_run, "--judge", "scripted:coin", *args)
    assert_one_error_line(result, code=2)


def test_score_negative_seed_is_usage_error(cli, scripted_run):
    result = cli("score", scripted_run, "--seed", "-1")
    assert_one_error_line(result, code=2)


def test_compare_negative_bootstrap_is_usage(cli, scripted_run, nsl_prompts):
    other = cli("infer", "-m", "scripted:coin", "--prep", nsl_prompts).stdout.strip()
    result = cli("compare", scripted_run, other, "--bootstrap", "-1")
    assert_one_error_line(result, code=2)


def test_compare_negative_seed_is_usage(cli, scripted_run, nsl_prompts):
    other = cli("infer", "-m", "scripted:coin", "--prep", nsl_prompts).stdout.strip()
    result = cli("compare", scripted_run, other, "--seed", "-1")
    assert_one_error_line(result, code=2)


def test_compare_different_samples_rejected(cli, scripted_run, nsl_prompts):
    other = cli("infer", "-m", "scripted:coin", "--prep", nsl_prompts, "--limit", "3")
    result = cli("compare", scripted_run, other.stdout.strip())
    assert_one_error_line(result)
    assert "other samples" in result.stderr


def test_score_prompts_key_rejected(cli, nsl_prompts):
    result = cli("score", nsl_prompts)
    assert_one_error_line(result, code=2)
    assert "not a run" in result.stderr


# report


def test_report_needs_one_format(cli, scripted_run):
    assert_one_error_line(cli("report", scripted_run), code=2)
    assert_one_error_line(cli("report", scripted_run, "--html", "--md"), code=2)


def test_report_output_directory_rejected(cli, scripted_run, tmp_path):
    result = cli("report", scripted_run, "--md", "-o", tmp_path)
    assert_one_error_line(result)
    assert tmp_path.is_dir()


def test_report_output_fifo_stays_fifo(cli, scripted_run, tmp_path):
    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)
    # A reader keeps a direct write from blocking; the report fits the pipe buffer.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        cli("report", scripted_run, "--md", "-o", fifo)
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_report_negative_examples_rejected(cli, scripted_run, tmp_path):
    result = cli(
        "report", scripted_run, "--html", "--examples", "-3", "-o", tmp_path / "r.html"
    )
    assert_one_error_line(result, code=2)


def test_report_html_escapes_reply(cli, scripted_run, tmp_path):
    page = tmp_path / "r.html"
    assert cli("report", scripted_run, "--html", "-o", page).exit_code == 0
    assert ESC not in page.read_text()


# store


def test_export_output_directory_rejected(cli, scripted_run, tmp_path):
    result = cli("store", "export", scripted_run, "-f", "parquet", "-o", tmp_path)
    assert_one_error_line(result)


def test_export_unknown_format_rejected(cli, scripted_run):
    assert_one_error_line(cli("store", "export", scripted_run, "-f", "xml"), code=2)


def test_show_short_prefix_rejected(cli, samples_with_text):
    assert_one_error_line(cli("store", "show", samples_with_text.key[7:10]))


def test_ls_unknown_kind_rejected(cli, samples_with_text):
    assert_one_error_line(cli("store", "ls", "--kind", "bogus"), code=2)


def test_datasets_unknown_format_rejected(cli):
    assert_one_error_line(cli("datasets", "--format", "xml"), code=2)


def test_models_lists_mlx_descriptions(cli):
    result = cli("models")
    assert "<built-in method" not in result.stdout


def test_sql_empty_query_is_one_line(cli, samples_with_text):
    result = cli("store", "sql", "")
    assert_one_error_line(result, code=2)


def test_sql_syntax_error_is_one_line(cli, samples_with_text):
    assert_one_error_line(cli("store", "sql", "SELEC 1"), code=2)


def test_sql_cannot_copy_outside_store(cli, samples_with_text, tmp_path):
    target = tmp_path / "copied.csv"
    cli("store", "sql", f"COPY (SELECT 1 AS x) TO '{target}'")
    assert not target.exists()


def test_sql_cannot_attach_database(cli, samples_with_text, tmp_path):
    target = tmp_path / "attached.db"
    cli("store", "sql", f"ATTACH '{target}' AS other")
    assert not target.exists()


def test_sql_cannot_read_outside_store(cli, samples_with_text, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret-content\n")
    result = cli(
        "store", "sql", f"SELECT * FROM read_text('{secret}')", "--format", "csv"
    )
    assert "secret-content" not in result.stdout


def test_sql_drop_leaves_store_intact(cli, samples_with_text, store_dir):
    before = stored_files(store_dir)
    cli("store", "sql", "DROP VIEW samples")
    assert stored_files(store_dir) == before
    assert cli("store", "verify").exit_code == 0


def test_sql_table_keeps_emoji_codes(cli, samples_with_text):
    result = cli("store", "sql", "SELECT text FROM samples")
    assert CROSS_MARK not in result.stdout


def test_sql_table_escapes_control_chars(cli, samples_with_text):
    result = cli("store", "sql", "SELECT text FROM samples")
    assert ESC not in result.stdout


def test_show_head_prints_reply_literally(cli, scripted_run):
    result = cli("store", "show", scripted_run, "--head", "1")
    assert CROSS_MARK not in result.stdout
    assert ESC not in result.stdout


def test_prep_show_prints_email_literally(cli, tmp_path):
    def message(index: int, label: str) -> str:
        return (
            f"From a{index}@example.com  Sat Nov 27 15:33:27 2004\n"
            f"From: a{index}@example.com\nTo: b@example.com\n"
            f"Subject: note {index}\nContent-Type: text/plain\n\n"
            f"{HOSTILE_TEXT} {label} message {index} words {index * 7919}\n\n"
        )

    phishing = tmp_path / "p.mbox"
    phishing.write_text("".join(message(i, "verify") for i in range(12)))
    legitimate = tmp_path / "l.mbox"
    legitimate.write_text("".join(message(i + 100, "meeting") for i in range(12)))
    fetched = cli(
        "fetch",
        "phishing-email",
        "--path",
        f"{phishing}:phishing",
        "--path",
        f"{legitimate}:legitimate",
    )
    assert fetched.exit_code == 0
    result = cli("prep", "phishing-email", "--show", "2")
    assert "[bold red]x[/]" in result.stderr
    assert CROSS_MARK not in result.stderr
    assert ESC not in result.stderr
