"""Judge replies: scores only from a complete, in-range JSON object."""

from __future__ import annotations

import pytest

from cybench.judge import parse_judgment

CRITERIA = ["faithfulness", "reasoning", "usefulness"]
GOOD = '{"faithfulness": 4, "reasoning": 3, "usefulness": 5, "rationale": "fine"}'


def test_plain_json_is_ok():
    parsed = parse_judgment(GOOD, CRITERIA)
    assert parsed.status == "ok"
    assert parsed.scores == {"faithfulness": 4, "reasoning": 3, "usefulness": 5}
    assert parsed.rationale == "fine"


@pytest.mark.parametrize(
    "text",
    [
        f"```json\n{GOOD}\n```",
        f"Here is my rating:\n{GOOD}\nThanks.",
        f"<think>the record says {{port}}</think>{GOOD}",
    ],
)
def test_wrapped_json_is_ok(text):
    assert parse_judgment(text, CRITERIA).status == "ok"


def test_integer_strings_are_accepted():
    text = '{"faithfulness": "4", "reasoning": 3.0, "usefulness": 5}'
    assert parse_judgment(text, CRITERIA).scores["faithfulness"] == 4


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (None, "empty"),
        ("   ", "empty"),
        ("I rate it highly.", "unparseable"),
        ('{"faithfulness": 4, "reasoning": 3}', "incomplete"),
        ('{"faithfulness": 6, "reasoning": 3, "usefulness": 5}', "out_of_range"),
        ('{"faithfulness": 0, "reasoning": 3, "usefulness": 5}', "out_of_range"),
        ('{"faithfulness": 3.5, "reasoning": 3, "usefulness": 5}', "out_of_range"),
        ('{"faithfulness": true, "reasoning": 3, "usefulness": 5}', "out_of_range"),
        ("<think>never closed {", "unparseable"),
    ],
)
def test_bad_replies_get_a_status_and_no_scores(text, status):
    parsed = parse_judgment(text, CRITERIA)
    assert parsed.status == status
    assert parsed.scores == {}
