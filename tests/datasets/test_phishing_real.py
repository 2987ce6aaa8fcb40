"""The phishing-email readers and cleaning over the real corpus files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cybench.datasets.base import FetchOptions
from cybench.datasets.email.clean import clean_rows
from cybench.datasets.email.sources import parse_source_spec, read_source
from cybench.datasets.phishing import SPEC


@pytest.fixture(scope="module")
def corpus(shared_data: Path) -> Path:
    return shared_data / "phishing-email"


def cleaned(path: Path, label: str | None = None):
    text = f"{path}:{label}" if label else str(path)
    read = read_source(parse_source_spec(text))
    columns = {read.meta["name"]: read.meta.get("columns", {})}
    samples, report = clean_rows(read.rows, columns)
    return read, samples, report


def test_phishing0_has_414_messages(corpus):
    read, samples, report = cleaned(corpus / "phishing0.mbox", "phishing")
    assert read.meta["digest"].endswith(
        "6184b0a34ed8cbbb252676e21c1eab9eac5fa4be89c61e30cc9954ebbb25d848"
    )
    assert len(samples) == 414
    assert report.skipped_pseudo_messages == []


def test_phishing1_skips_folder_pseudo_message(corpus):
    read, samples, report = cleaned(corpus / "phishing1.mbox", "phishing")
    assert len(read.rows) == 456
    assert report.skipped_pseudo_messages == ["phishing1.mbox message 0"]
    assert len(samples) == 455


def test_phishing1_spam_tags_and_owner_removed(corpus):
    _, samples, _ = cleaned(corpus / "phishing1.mbox", "phishing")
    texts = [s["text"] for s in samples]
    assert not any("POSIBLE SPAM" in t for t in texts)
    assert not any("jose@monkey.org" in t.lower() for t in texts)


def test_nazario_csv_drops_row_68(corpus):
    read, samples, report = cleaned(corpus / "Nazario.csv")
    assert len(read.rows) == 1563
    assert report.skipped_pseudo_messages == ["Nazario.csv row 68"]
    assert len(samples) == 1562


def test_nazario_keeps_mailer_daemon_lures(corpus):
    read, samples, _ = cleaned(corpus / "Nazario.csv")
    members = {s["member"] for s in samples}
    assert {"row 1227", "row 1275"} <= members


def test_nazario_encoded_subjects_decoded(corpus):
    _, samples, _ = cleaned(corpus / "Nazario.csv")
    assert not any("=?utf-8?" in s["subject"].lower() for s in samples)


def test_nazario_receiver_never_in_text(corpus):
    read, samples, _ = cleaned(corpus / "Nazario.csv")
    assert not any("monkey.org" in s["text"].lower() for s in samples)
    assert json.loads(read.rows[0]["fields"])["receiver"] == "jose@monkey.org"


def test_easy_ham_has_2500_messages(corpus):
    read, samples, _ = cleaned(corpus / "spamassassin" / "easy_ham.tar.xz", "ham")
    assert len(read.rows) == 2500
    assert len(samples) == 2500


def test_easy_ham_list_tags_and_addresses_removed(corpus):
    _, samples, _ = cleaned(corpus / "spamassassin" / "easy_ham.tar.xz", "ham")
    texts = [s["text"] for s in samples]
    assert not any("[ILUG]" in t for t in texts)
    assert not any("spamassassin.taint.org" in t for t in texts)
    assert not any("/mailman/listinfo/" in t for t in texts)


def test_corpus_folder_expands_to_pairing(corpus):
    raw, meta = SPEC.fetch("path", [corpus], FetchOptions())
    assert raw.num_rows == 414 + 456 + 2500 + 1400 + 250
    assert meta["warnings"][0].startswith(str(corpus))
    assert all(s["identified_by"] == "sha256" for s in meta["sources"])
