"""Tolerant parsing of a model's reply into the answer contract.

The contract asks for JSON `{"label", "confidence", "category", "explanation"}`.
`parse_reply` accepts that JSON bare, inside a code fence or surrounded by
prose, after a `<think>` block (closed or not), and falls back to label words
(`**Malicious**`, `Verdict: benign`, `Benign.`) with negation handled
(`not malicious` is the negative class). Every reply gets one status:

- `ok`: the whole reply (after reasoning blocks) is the contract's JSON;
- `repaired`: a usable label was recovered some other way (fenced or embedded
  JSON, label words, a reply cut off after its label);
- `refused`: the model declined to answer;
- `empty`: nothing but whitespace or reasoning;
- `truncated`: the token limit cut the reply before a label appeared;
- `unparseable`: no allowed label could be found (or only a label outside the
  allowed set).

Invariant: `label` and `y` are set exactly when the status is ok or repaired.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

PARSED_STATUSES = ("ok", "repaired")

# Synonyms per canonical label; keys are label names a dataset may use.
LABEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "attack": ("attack", "malicious", "anomalous", "anomaly", "intrusion"),
    "benign": ("benign", "normal", "clean"),
    "phishing": ("phishing", "phish", "scam", "fraudulent", "malicious", "spam"),
    "legitimate": ("legitimate", "ham", "safe", "benign", "genuine"),
}

LABEL_KEYS = ("label", "verdict", "classification", "class", "prediction", "answer")
CONFIDENCE_KEYS = ("confidence", "probability", "score", "certainty")
CATEGORY_KEYS = ("category", "attack_category", "attack_type", "type")
EXPLANATION_KEYS = ("explanation", "reason", "reasoning", "rationale", "justification")

_THINK_CLOSED = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_END = re.compile(r"</think>", re.IGNORECASE)
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", re.DOTALL)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NEGATIONS = frozenset(
    {"not", "non", "no", "isn't", "wasn't", "never", "nor", "without"}
)
_REFUSAL = re.compile(
    r"\b(i\s*(?:can(?:'|no)?t|cannot|won't|will not|am unable to|'m unable to|"
    r"am not able to|'m not able to)\s+(?:help|assist|comply|provide|classify|"
    r"determine|do that|answer)|i'm sorry,? but|i apologi[sz]e,? but|"
    r"as an ai\b)",
    re.IGNORECASE,
)
_LABELLED = re.compile(
    r"(?:label|verdict|classification|class|prediction|answer)\s*[:=\-]\s*\**\s*"
    r"([A-Za-z][A-Za-z\- ]{0,30})",
    re.IGNORECASE,
)
_BOLD = re.compile(r"\*\*\s*([^*\n]{1,40}?)\s*\*\*")


@dataclass(frozen=True)
class TaskLabels:
    """The allowed answers of one task: the two labels and the categories."""

    positive: str
    negative: str
    categories: tuple[str, ...] | None = None
    synonyms: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls, positive: str, negative: str, categories: tuple[str, ...] | None = None
    ) -> TaskLabels:
        """Build the synonym table for a positive/negative label pair."""
        words: dict[str, str] = {}
        for label in (negative, positive):
            for word in LABEL_SYNONYMS.get(label.lower(), ()):
                words[word] = label
        words[positive.lower()] = positive
        words[negative.lower()] = negative
        return cls(positive, negative, categories, words)

    def canonical(self, text: str) -> str | None:
        """Return the allowed label that `text` names, or None.

        `text` is a short label value such as `Malicious`, `not an attack`,
        `non-malicious`; a negated positive word maps to the negative label.
        """
        words = _WORD.findall(text.lower().replace("-", " "))
        if not words:
            return None
        hits = _label_hits(words, self.synonyms, self.negative)
        labels = {label for label, _ in hits}
        return labels.pop() if len(labels) == 1 else None

    def y(self, label: str) -> int:
        return 1 if label == self.positive else 0

    def canonical_category(self, value: Any) -> str | None:
        """Return the allowed category matching `value` case-insensitively."""
        if not isinstance(value, str) or not value.strip():
            return None
        text = value.strip()
        if not self.categories:
            return text
        for category in self.categories:
            if category.lower() == text.lower():
                return category
        return None


@dataclass(frozen=True)
class ParsedReply:
    """The parsed fields of one reply; see the module docstring for statuses."""

    status: str
    label: str | None = None
    y: int | None = None
    confidence: float | None = None
    category: str | None = None
    explanation: str | None = None

    @property
    def p_positive(self) -> float | None:
        """Probability of the positive class implied by label and confidence."""
        if self.y is None or self.confidence is None:
            return None
        return self.confidence if self.y == 1 else 1.0 - self.confidence


def parse_reply(
    text: str | None, task: TaskLabels, finish_reason: str | None = None
) -> ParsedReply:
    """Parse one reply into the answer contract; never raises on model text."""
    truncated = finish_reason == "length"
    if text is None or not text.strip():
        return ParsedReply("truncated" if truncated else "empty")

    body, open_think = _strip_reasoning(text)
    if open_think and truncated:
        return ParsedReply("truncated")
    if not body.strip() and not open_think:
        return ParsedReply("truncated" if truncated else "empty")

    exact = _load_object(body.strip())
    if exact is not None:
        parsed = _from_object(exact, task, "ok")
        if parsed is not None:
            return parsed if not open_think else _as_repaired(parsed)
        return ParsedReply("unparseable", explanation=_text_field(exact))

    for candidate in _json_candidates(body):
        parsed = _from_object(candidate, task, "repaired")
        if parsed is not None:
            return parsed

    partial = _partial_object(body, task)
    if partial is not None:
        return partial

    if _REFUSAL.search(body) and _label_from_words(body, task) is None:
        return ParsedReply("refused")
    label = _label_from_words(body, task)
    if label is not None:
        return ParsedReply("repaired", label, task.y(label))
    return ParsedReply("truncated" if truncated else "unparseable")


def _as_repaired(parsed: ParsedReply) -> ParsedReply:
    return ParsedReply(
        "repaired",
        parsed.label,
        parsed.y,
        parsed.confidence,
        parsed.category,
        parsed.explanation,
    )


def _strip_reasoning(text: str) -> tuple[str, bool]:
    """Remove reasoning blocks; return (answer text, whether one never closed).

    A reply with `</think>` but no opening tag (chat templates that insert the
    opening tag themselves) keeps only the text after the last `</think>`. A
    `<think>` that never closes leaves its content, so label words inside it
    can still be found, and sets the flag.
    """
    body = _THINK_CLOSED.sub("", text)
    ends = list(_THINK_END.finditer(body))
    if ends:
        body = body[ends[-1].end() :]
    opening = _THINK_OPEN.search(body)
    if opening is None:
        return body, False
    return body[opening.end() :], True


def _load_object(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _json_candidates(text: str) -> list[dict[str, Any]]:
    """Return JSON objects found in code fences, then anywhere in the text."""
    found: list[dict[str, Any]] = []
    for match in _FENCE.finditer(text):
        value = _load_object(match.group(1).strip())
        if value is not None:
            found.append(value)
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def _from_object(
    value: dict[str, Any], task: TaskLabels, status: str
) -> ParsedReply | None:
    """Return the parsed answer in a JSON object, or None without an allowed label."""
    fields = {str(k).lower(): v for k, v in value.items()}
    raw_label = _first(fields, LABEL_KEYS)
    if not isinstance(raw_label, str):
        return None
    label = task.canonical(raw_label)
    if label is None:
        return None
    return ParsedReply(
        status,
        label,
        task.y(label),
        _confidence(_first(fields, CONFIDENCE_KEYS)),
        task.canonical_category(_first(fields, CATEGORY_KEYS)),
        _text_field(fields),
    )


def _partial_object(text: str, task: TaskLabels) -> ParsedReply | None:
    """Parse JSON that starts but never closes (a reply cut by the token limit).

    Returns None when the text holds no unclosed object, `truncated` when the
    cut came before a complete allowed label, and `repaired` with the label
    (and a confidence that arrived whole) when the cut came after it.
    """
    start = re.search(r"\{\s*\"", text)
    if start is None or _balanced(text[start.start() :]):
        return None
    fragment = text[start.start() :]
    keys = "|".join(LABEL_KEYS)
    label_match = re.search(rf'"(?:{keys})"\s*:\s*"([^"]*)"', fragment, re.IGNORECASE)
    label = task.canonical(label_match.group(1)) if label_match else None
    if label is None:
        return ParsedReply("truncated")
    keys = "|".join(CONFIDENCE_KEYS)
    number = re.search(rf'"(?:{keys})"\s*:\s*"?([0-9.]+)"?\s*[,}}\n]', fragment)
    confidence = _confidence(number.group(1)) if number else None
    return ParsedReply("repaired", label, task.y(label), confidence)


def _balanced(text: str) -> bool:
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return True
    return False


def _first(fields: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in fields:
            return fields[key]
    return None


def _text_field(fields: dict[str, Any]) -> str | None:
    value = _first({str(k).lower(): v for k, v in fields.items()}, EXPLANATION_KEYS)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _confidence(value: Any) -> float | None:
    """Return a confidence in [0, 1]; percentages (1 < v <= 100) are scaled."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    if not isinstance(value, int | float) or value != value:
        return None
    number = float(value)
    if 1.0 < number <= 100.0:
        number /= 100.0
    if not 0.0 <= number <= 1.0:
        return None
    return number


def _label_hits(
    words: list[str], synonyms: dict[str, str], negative: str
) -> list[tuple[str, int]]:
    """Return (label, word index) per label word; a negated word counts as negative."""
    hits: list[tuple[str, int]] = []
    for index, word in enumerate(words):
        label = synonyms.get(word)
        if label is None:
            continue
        window = words[max(0, index - 3) : index]
        negated = any(w in _NEGATIONS or w.endswith("n't") for w in window)
        hits.append((negative if negated else label, index))
    return hits


def _label_from_words(text: str, task: TaskLabels) -> str | None:
    """Find a label in prose: labelled or bold forms first, then a lone label word."""
    for pattern in (_LABELLED, _BOLD):
        labels = {task.canonical(m.group(1)) for m in pattern.finditer(text)}
        labels.discard(None)
        if len(labels) == 1:
            return labels.pop()
    words = _WORD.findall(text.lower().replace("-", " "))
    labels = {label for label, _ in _label_hits(words, task.synonyms, task.negative)}
    return labels.pop() if len(labels) == 1 else None
