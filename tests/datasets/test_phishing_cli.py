"""`cybench fetch` and `cybench prep` of phishing-email on tiny local sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    mbox = tmp_path / "phish.mbox"
    mbox.write_bytes(
        b"".join(
            b"From x Mon Jan  3 10:00:00 2005\nX-Spam-Flag: YES\n"
            b"Subject: Verify account %d\n\nDear jose, log in at http://bank%d.test\n\n"
            % (i, i)
            for i in range(6)
        )
    )
    ham = tmp_path / "easy_ham"
    ham.mkdir()
    for i in range(6):
        (ham / f"0000{i}.abc").write_bytes(
            b"List-Id: <ilug.linux.ie>\nSubject: [ILUG] kernel %d\n\npatch number %d\n"
            % (i, i)
        )
    return {"mbox": mbox, "ham": ham}


def test_fetch_and_prep_end_to_end(cli, store, corpus):
    fetched = cli(
        "fetch", "phishing-email", "--path", f"{corpus['mbox']}:phishing",
        "--path", f"{corpus['ham']}:ham", "--json",
    )  # fmt: skip
    assert fetched.exit_code == 0, fetched.stderr
    assert json.loads(fetched.stdout)["rows"] == 12

    prepped = cli("prep", "phishing-email", "--per-class", "1", "--json")
    assert prepped.exit_code == 0, prepped.stderr
    assert store.latest("samples").rows == 12


def test_prep_email_has_no_feature_columns(cli, store, corpus):
    cli("fetch", "phishing-email", "--path", f"{corpus['mbox']}:phishing",
        "--path", f"{corpus['ham']}:ham")  # fmt: skip
    cli("prep", "phishing-email", "--per-class", "1")
    assert store.latest("samples").meta["feature_columns"] == []


def test_prep_samples_carry_no_leaks(cli, store, corpus):
    cli("fetch", "phishing-email", "--path", f"{corpus['mbox']}:phishing",
        "--path", f"{corpus['ham']}:ham")  # fmt: skip
    cli("prep", "phishing-email", "--per-class", "1")
    texts = store.read_table(store.latest("samples")).column("text").to_pylist()
    assert not any("jose" in t or "[ILUG]" in t or "X-Spam" in t for t in texts)


def test_fetch_unlabelled_source_one_line(cli, corpus):
    result = cli("fetch", "phishing-email", "--path", str(corpus["mbox"]))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2
    assert len(lines) == 1
    assert f"--path {corpus['mbox']}:phishing" in result.stderr


def test_fetch_spam_label_one_line(cli, corpus):
    result = cli("fetch", "phishing-email", "--path", f"{corpus['ham']}:spam")
    assert result.exit_code == 2
    assert "spam is not phishing" in result.stderr


def test_fetch_garbage_mbox_writes_nothing(cli, store, tmp_path):
    bad = tmp_path / "bad.mbox"
    bad.write_bytes(b"From x Mon Jan  3 10:00:00 2005\nnot a header line\n")
    result = cli("fetch", "phishing-email", "--path", f"{bad}:phishing")
    assert result.exit_code == 1
    assert "bad.mbox line 2" in result.stderr
    assert store.manifests() == []


def test_fetch_missing_source_is_error(cli, store, tmp_path):
    result = cli("fetch", "phishing-email", "--path", f"{tmp_path}/nope.mbox:phishing")
    assert result.exit_code == 1
    assert "nope.mbox not found" in result.stderr


def test_garbage_mbox_shows_text_not_bytes(cli, tmp_path):
    bad = tmp_path / "bad.mbox"
    bad.write_bytes(b"From x Mon Jan  3 10:00:00 2005\n<<garbage>>>\n")
    result = cli("fetch", "phishing-email", "--path", f"{bad}:phishing")
    assert "'<<garbage>>>'" in result.stderr
    assert "b'" not in result.stderr


def test_unknown_corpus_cite_line_not_empty(cli, corpus):
    result = cli("fetch", "phishing-email", "--path", f"{corpus['mbox']}:phishing")
    cite = [line for line in result.stderr.splitlines() if line.startswith("cite:")]
    assert cite == ["cite: none recorded for these files"]
