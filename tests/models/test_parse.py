"""Reply parsing: statuses and labels for the replies models really give."""

from __future__ import annotations

import pytest

from cybench.models.parse import TaskLabels, parse_reply

FLOWS = TaskLabels.of("attack", "benign", ("DoS", "Exploits", "Normal"))
EMAIL = TaskLabels.of("phishing", "legitimate")


def test_bold_malicious_is_attack():
    parsed = parse_reply("**Malicious**", FLOWS)
    assert parsed.status == "repaired"
    assert parsed.label == "attack"
    assert parsed.y == 1


def test_bare_benign_word():
    parsed = parse_reply("Benign.", FLOWS)
    assert parsed.status == "repaired"
    assert parsed.label == "benign"


def test_not_malicious_is_benign():
    parsed = parse_reply("not malicious", FLOWS)
    assert parsed.label == "benign"
    assert parsed.y == 0


def test_not_malicious_in_sentence_is_benign():
    parsed = parse_reply("This connection is not malicious; it looks routine.", FLOWS)
    assert parsed.label == "benign"


def test_fenced_json_with_prose():
    reply = (
        "Here is my analysis.\n```json\n"
        '{"label": "attack", "confidence": 0.8, "category": "dos", '
        '"explanation": "SYN flood"}\n```\nLet me know if you need more.'
    )
    parsed = parse_reply(reply, FLOWS)
    assert parsed.status == "repaired"
    assert parsed.label == "attack"
    assert parsed.confidence == 0.8
    assert parsed.category == "DoS"
    assert parsed.explanation == "SYN flood"


def test_exact_json_is_ok():
    parsed = parse_reply('{"label": "benign", "confidence": 0.7}', FLOWS)
    assert parsed.status == "ok"
    assert parsed.p_positive == pytest.approx(0.3)


def test_closed_think_block_before_answer():
    reply = '<think>Ports look odd... maybe an attack?</think>\n{"label": "benign"}'
    parsed = parse_reply(reply, FLOWS)
    assert parsed.status == "ok"
    assert parsed.label == "benign"


def test_unclosed_think_cut_by_limit_is_truncated():
    parsed = parse_reply(
        "<think>Let me look at the bytes. It might be", FLOWS, "length"
    )
    assert parsed.status == "truncated"
    assert parsed.label is None


def test_unclosed_think_with_label_words_is_repaired():
    parsed = parse_reply("<think>Many packets, so this is malicious", FLOWS, "stop")
    assert parsed.status == "repaired"
    assert parsed.label == "attack"


def test_empty_reply():
    assert parse_reply("   \n", FLOWS).status == "empty"


def test_none_reply_is_empty():
    assert parse_reply(None, FLOWS).status == "empty"


def test_refusal():
    parsed = parse_reply("I can't help with that.", FLOWS)
    assert parsed.status == "refused"
    assert parsed.label is None


def test_json_cut_before_label_is_truncated():
    parsed = parse_reply('{"explanation": "The flow sends many', FLOWS, "length")
    assert parsed.status == "truncated"
    assert parsed.y is None


def test_json_cut_after_label_keeps_label():
    reply = '{"label": "attack", "confidence": 0.9, "explanation": "The flow sen'
    parsed = parse_reply(reply, FLOWS, "length")
    assert parsed.status == "repaired"
    assert parsed.label == "attack"
    assert parsed.confidence == 0.9


def test_label_outside_allowed_set_is_unparseable():
    parsed = parse_reply('{"label": "suspicious", "confidence": 0.5}', FLOWS)
    assert parsed.status == "unparseable"
    assert parsed.label is None


def test_prose_without_label_is_unparseable():
    assert parse_reply("The weather is nice today.", FLOWS).status == "unparseable"


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("anomalous", "attack"),
        ("malicious", "attack"),
        ("normal", "benign"),
    ],
)
def test_flow_synonyms(word: str, label: str):
    assert parse_reply(f'{{"label": "{word}"}}', FLOWS).label == label


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("phishing", "phishing"),
        ("ham", "legitimate"),
        ("safe", "legitimate"),
        ("legitimate", "legitimate"),
    ],
)
def test_email_synonyms(word: str, label: str):
    assert parse_reply(f'{{"label": "{word}"}}', EMAIL).label == label


def test_percent_confidence_is_scaled():
    parsed = parse_reply('{"label": "phishing", "confidence": 85}', EMAIL)
    assert parsed.confidence == pytest.approx(0.85)


def test_labelled_verdict_in_prose():
    parsed = parse_reply("Verdict: legitimate. No phishing indicators found.", EMAIL)
    assert parsed.label == "legitimate"


def test_both_labels_without_marker_is_unparseable():
    parsed = parse_reply("It could be benign or an attack.", FLOWS)
    assert parsed.status == "unparseable"


def test_unknown_category_is_dropped():
    parsed = parse_reply('{"label": "attack", "category": "Martian"}', FLOWS)
    assert parsed.label == "attack"
    assert parsed.category is None
