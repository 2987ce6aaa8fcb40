"""Turn raw email rows into samples: decoded subject and body, leakage removed.

The model sees `text`, which is `Subject: ...`, a blank line and the body.
Everything else a message carries (headers, attachments, the mbox envelope)
stays in the raw artifact. Each sample records what leakage removal took out
and whether the body was cut to the token budget.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cybench.datasets.email import leakage
from cybench.datasets.email.html_text import (
    html_to_text,
    looks_like_html,
    tidy_whitespace,
)
from cybench.datasets.email.labels import y_of
from cybench.datasets.email.mime import (
    PSEUDO_MESSAGE_MARK,
    decode_header_text,
    parse_message,
)

DEFAULT_MAX_TOKENS = 512
# Token estimate: one token per 4 characters, the usual rule of thumb for
# English text under BPE tokenizers. It is an estimate, so the budget is too.
CHARS_PER_TOKEN = 4
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"']+", re.IGNORECASE)
_NOT_LETTERS = re.compile(r"[^a-z]+")

# Columns beyond the samples layout; they describe a sample and are not
# features a classifier should train on (`source` alone separates the classes).
EXTRA_COLUMNS = {
    "subject": "decoded subject after leakage removal",
    "source": "source file name",
    "source_kind": "csv, mbox, folder, tar, eml or hf",
    "member": "record inside its source (message file, mbox message, CSV row)",
    "content_type": "top-level MIME type, null for CSV and Hugging Face rows",
    "body_type": "text/plain, text/html or text: the part the body came from",
    "decode_fallback": "true when a declared charset was missing or wrong",
    "n_attachments": "non-text or attachment parts left out of the body",
    "n_urls": "URLs in the text the model sees",
    "n_tokens_est": "estimated tokens of `text` (characters / 4)",
    "truncated": "true when the body was cut to the token budget",
    "removed_leaky_headers": "delivery, filter and bookkeeping header fields dropped, "
    "counting those quoted inside the body",
    "removed_tags": "spam-filter and mailing-list tags cut from subject and body",
    "removed_list_footers": "mailing-list footers cut from the body",
    "removed_owner_addresses": "corpus collectors' addresses replaced",
    "removed_owner_domains": "corpus collectors' domains replaced",
    "removed_owner_names": "the collector's first name replaced",
    "near_dup_key": "digest of the body's letters only; equal keys are near-duplicates",
}


@dataclass
class Email:
    """One decoded email before leakage removal."""

    subject: str
    body: str
    headers: list[str] = field(default_factory=list)
    content_type: str | None = None
    body_type: str | None = None
    decode_fallback: bool = False
    n_attachments: int = 0


@dataclass
class CleanReport:
    """Counts over a whole raw table, stored with the samples."""

    rows: int = 0
    samples: int = 0
    skipped_pseudo_messages: list[str] = field(default_factory=list)
    skipped_empty: list[str] = field(default_factory=list)
    truncated: int = 0
    decode_fallback: int = 0
    near_duplicates: int = 0
    removed: dict[str, int] = field(default_factory=dict)


def decode_raw_row(row: Mapping[str, Any], columns: Mapping[str, str | None]) -> Email:
    """Decode one raw row: message bytes through MIME, CSV fields as text."""
    if row.get("raw_bytes") is not None:
        parsed = parse_message(row["raw_bytes"])
        return Email(
            subject=parsed.subject,
            body=parsed.body,
            headers=parsed.headers,
            content_type=parsed.content_type,
            body_type=parsed.body_type,
            decode_fallback=parsed.decode_fallback,
            n_attachments=parsed.n_attachments,
        )
    fields = json.loads(row["fields"])
    subject = decode_header_text(_field(fields, columns.get("subject")))
    body = _field(fields, columns.get("body"))
    body_type = "text"
    if looks_like_html(body):
        body, body_type = html_to_text(body), "text/html"
    return Email(
        subject=subject.text,
        body=tidy_whitespace(body),
        body_type=body_type,
        decode_fallback=subject.fallback,
    )


def _field(fields: Mapping[str, Any], column: str | None) -> str:
    if column is None or fields.get(column) is None:
        return ""
    value = fields[column]
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def remove_leakage(message: Email) -> tuple[str, str, leakage.Removed]:
    """Return subject and body without collection artefacts, and what was removed."""
    from_list = leakage.has_list_headers(message.headers)
    subject, tags = leakage.strip_subject_tags(message.subject, from_list)
    body, footers = leakage.strip_list_footer(message.body)
    body, body_tags = leakage.strip_body_list_tags(body)
    body, body_headers = leakage.strip_body_header_lines(body)
    subject, in_subject = leakage.mask_owner(subject)
    body, in_body = leakage.mask_owner(body)
    return (
        subject,
        body,
        leakage.Removed(
            leaky_headers=leakage.count_leaky_headers(message.headers) + body_headers,
            tags=tags + body_tags,
            list_footers=footers,
            owner_addresses=in_subject.owner_addresses + in_body.owner_addresses,
            owner_domains=in_subject.owner_domains + in_body.owner_domains,
            owner_names=in_subject.owner_names + in_body.owner_names,
        ),
    )


def estimate_tokens(text: str) -> int:
    """Return the estimated token count of `text`: characters / 4, rounded up."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def compose_text(subject: str, body: str, max_tokens: int) -> tuple[str, bool]:
    """Return `Subject: ...` + blank line + body, cut to `max_tokens`, and the cut flag.

    The body is cut first, at the last space before the limit. A subject
    longer than half the budget is cut to half of it.
    """
    limit = max_tokens * CHARS_PER_TOKEN
    head = f"Subject: {subject}\n\n"
    if len(head) + len(body) <= limit:
        return (head + body).rstrip(), False
    if len(head) > limit // 2:
        head = head[: limit // 2].rstrip() + " ...\n\n"
    room = max(0, limit - len(head))
    cut = body[:room]
    space = cut.rfind(" ", room // 2)
    if space > 0:
        cut = cut[:space]
    return (head + cut.rstrip() + " ...").rstrip(), True


def near_dup_key(body: str) -> str:
    """Return a digest of the body's letters only, lower-cased."""
    letters = _NOT_LETTERS.sub("", body.lower())
    return hashlib.sha256(letters.encode()).hexdigest()[:16]


def clean_rows(
    rows: Iterable[Mapping[str, Any]],
    columns_by_source: Mapping[str, Mapping[str, str | None]],
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> tuple[list[dict], CleanReport]:
    """Clean raw rows into sample dicts (without sample_id) and a report.

    Mail-folder pseudo-messages and rows with neither subject nor body are
    skipped and listed in the report as `source member`.
    """
    report = CleanReport()
    samples: list[dict] = []
    for row in rows:
        report.rows += 1
        where = f"{row['source']} {row['member']}"
        message = decode_raw_row(row, columns_by_source.get(row["source"], {}))
        if PSEUDO_MESSAGE_MARK in message.subject:
            report.skipped_pseudo_messages.append(where)
            continue
        subject, body, removed = remove_leakage(message)
        if not subject and not body:
            report.skipped_empty.append(where)
            continue
        text, truncated = compose_text(subject, body, max_tokens)
        samples.append(_sample(row, message, subject, body, text, truncated, removed))
        report.truncated += truncated
        report.decode_fallback += message.decode_fallback
        for name, count in vars(removed).items():
            report.removed[name] = report.removed.get(name, 0) + count
    report.samples = len(samples)
    keys = Counter(s["near_dup_key"] for s in samples if s["near_dup_key"])
    report.near_duplicates = sum(n - 1 for n in keys.values() if n > 1)
    return samples, report


def _sample(
    row: Mapping[str, Any],
    message: Email,
    subject: str,
    body: str,
    text: str,
    truncated: bool,
    removed: leakage.Removed,
) -> dict:
    return {
        "label": row["label"],
        "y": y_of(row["label"]),
        "text": text,
        "subject": subject,
        "source": row["source"],
        "source_kind": row["source_kind"],
        "member": row["member"],
        "content_type": message.content_type,
        "body_type": message.body_type,
        "decode_fallback": message.decode_fallback,
        "n_attachments": message.n_attachments,
        "n_urls": len(_URL.findall(text)),
        "n_tokens_est": estimate_tokens(text),
        "truncated": truncated,
        **{f"removed_{name}": count for name, count in vars(removed).items()},
        "near_dup_key": near_dup_key(body) if body else None,
    }
