"""Prompt templates: versions, rendering, value formatting and answer schema."""

from __future__ import annotations

import pytest

from cybench.errors import UsageError
from cybench.prompts import answer_schema_for, render, template_version
from cybench.prompts.render import format_value

EMAIL_CONTEXT = {
    "positive": "phishing",
    "negative": "legitimate",
    "max_words": 40,
    "examples": [
        {"text": "Subject: hi\n\nlunch?", "answer": '{"label": "legitimate"}'}
    ],
    "text": "Subject: Verify your account\n\nClick here.",
}


@pytest.mark.parametrize("task", ["flow", "email"])
@pytest.mark.parametrize("name", ["zero-shot", "few-shot"])
def test_templates_declare_version(task, name):
    assert template_version(task, name) >= 1


def test_unknown_template_is_rejected():
    with pytest.raises(UsageError):
        template_version("flow", "chain-of-thought")


def test_email_zero_shot_renders_text():
    system, user = render("email", "zero-shot", EMAIL_CONTEXT)
    assert "phishing or legitimate" in system
    assert '"category"' not in system
    assert "<email>\nSubject: Verify your account\n\nClick here.\n</email>" in user


def test_email_few_shot_shows_examples():
    system, _ = render("email", "few-shot", EMAIL_CONTEXT)
    assert "Example 1:\n<email>\nSubject: hi" in system
    assert 'Answer: {"label": "legitimate"}' in system


def test_flow_prompt_has_no_blank_feature_lines():
    context = {
        "title": "UNSW-NB15",
        "positive": "attack",
        "negative": "benign",
        "categories": ["Normal", "DoS"],
        "negative_category": "Normal",
        "legend": [("dur", "flow duration in seconds")],
        "max_words": 40,
        "features": [("dur", "0.5"), ("proto", "tcp")],
    }
    _, user = render("flow", "zero-shot", context)
    assert user == "Classify this network flow record.\n\ndur = 0.5\nproto = tcp"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (4294949667.0, "4294949667"),
        (0.000011, "1.1e-05"),
        (90909.0902, "90909.1"),
        (None, "missing"),
        ("tcp", "tcp"),
        (80, "80"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_answer_schema_without_categories():
    schema = answer_schema_for(
        {"labels": ["phishing", "legitimate"], "categories": None}
    )
    assert "category" not in schema["properties"]
    assert schema["required"] == ["label", "confidence", "explanation"]
    assert schema["properties"]["confidence"] == {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
    }
