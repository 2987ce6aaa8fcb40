"""Response rows: their key, their Arrow schema and how a reply becomes one.

A row's key is the digest of the resolved model id, the generation settings,
the system and user messages and the template version. Two runs that send the
same prompt to the same model with the same settings therefore share one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cybench.models.parse import ParsedReply, TaskLabels, parse_reply
from cybench.store.keys import row_key

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.models.base import GenerationSettings, ProviderRequestError, Reply

ROW_TABLE = "responses"
ERROR_STATUS = "error"
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """Return a rough token count (about 4 characters per token, an estimate)."""
    return len(text) // CHARS_PER_TOKEN + 1


def response_row_key(
    model_id: str,
    settings: GenerationSettings,
    system: str,
    user: str,
    template_version: int | None,
) -> str:
    """Return the row key of one prompt sent to one model with these settings."""
    return row_key(
        {
            "model_id": model_id,
            "settings": settings.model_dump(),
            "system": system,
            "user": user,
            "template_version": template_version,
        }
    )


def response_schema() -> pa.Schema:
    """Return the Arrow schema of response rows (the RESPONSES columns)."""
    import pyarrow as pa

    return pa.schema(
        [
            ("row_key", pa.string()),
            ("prompt_id", pa.string()),
            ("sample_id", pa.string()),
            ("y_true", pa.int8()),
            ("category_true", pa.string()),
            ("model", pa.string()),
            ("model_id", pa.string()),
            ("raw_text", pa.string()),
            ("label", pa.string()),
            ("y_pred", pa.int8()),
            ("confidence", pa.float64()),
            ("p_positive", pa.float64()),
            ("category", pa.string()),
            ("explanation", pa.string()),
            ("parse_status", pa.string()),
            ("finish_reason", pa.string()),
            ("latency_s", pa.float64()),
            ("tokens_in", pa.int64()),
            ("tokens_out", pa.int64()),
            ("cost_usd", pa.float64()),
            ("error_class", pa.string()),
            ("error_message", pa.string()),
        ]
    )


@dataclass(frozen=True)
class Job:
    """One prompt to answer: its row key and the columns a row copies."""

    key: str
    prompt_id: str
    sample_id: str
    y_true: int | None
    category_true: str | None
    system: str
    user: str


def reply_row(
    job: Job,
    reply: Reply,
    latency_s: float,
    task: TaskLabels,
    model: str,
    model_id: str,
) -> dict[str, Any]:
    """Return the row for a reply, parsed against the task's labels."""
    parsed: ParsedReply = parse_reply(reply.text, task, reply.finish_reason)
    p_positive = reply.p_positive if reply.p_positive is not None else parsed.p_positive
    return {
        **_identity(job, model, model_id),
        "raw_text": reply.text,
        "label": parsed.label,
        "y_pred": parsed.y,
        "confidence": parsed.confidence,
        "p_positive": p_positive,
        "category": parsed.category,
        "explanation": parsed.explanation,
        "parse_status": parsed.status,
        "finish_reason": reply.finish_reason,
        "latency_s": latency_s,
        "tokens_in": reply.tokens_in,
        "tokens_out": reply.tokens_out,
        "cost_usd": None,
        "error_class": None,
        "error_message": None,
    }


def error_row(
    job: Job,
    error: ProviderRequestError,
    latency_s: float,
    model: str,
    model_id: str,
) -> dict[str, Any]:
    """Return the error row of a request that failed for good."""
    return {
        **_identity(job, model, model_id),
        "raw_text": None,
        "label": None,
        "y_pred": None,
        "confidence": None,
        "p_positive": None,
        "category": None,
        "explanation": None,
        "parse_status": ERROR_STATUS,
        "finish_reason": error.finish_reason,
        "latency_s": latency_s,
        "tokens_in": None,
        "tokens_out": None,
        "cost_usd": None,
        "error_class": error.error_class,
        "error_message": error.message,
    }


def _identity(job: Job, model: str, model_id: str) -> dict[str, Any]:
    return {
        "row_key": job.key,
        "prompt_id": job.prompt_id,
        "sample_id": job.sample_id,
        "y_true": job.y_true,
        "category_true": job.category_true,
        "model": model,
        "model_id": model_id,
    }
