"""Translate HTTP API failures of the OpenAI and Anthropic SDKs into one policy.

Both SDKs raise exceptions with `status_code`, `response.headers` and `body`
(status errors), or subclasses of `APITimeoutError` / `APIConnectionError`.
This module reads those attributes without importing either SDK:

- 401 and 403 raise `AuthError` (the run stops at once);
- 404 raises `ModelError` (the model name or base URL is wrong);
- 400 with a content-policy code is a `ContentFilterError`, other 400s a
  `BadRequestError`; neither is retried;
- 408, 409, 429, 5xx and Anthropic's 529 are retried, honouring Retry-After;
- timeouts, connection resets and malformed bodies are retried. A "timeout"
  caused by an OS error other than a timeout (refused, unknown host) is a
  `ConnectionError`: the OpenAI SDK's aiohttp transport reports a closed port
  as `ConnectTimeout`.

Messages pass through `redact` so no API key reaches a row or a log.
"""

from __future__ import annotations

import email.utils
import os
import re
import time
from typing import Any

from cybench.errors import AuthError, ModelError
from cybench.models.base import ProviderRequestError

KEY_ENV_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")
RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{6,}|sk-ant-[A-Za-z0-9_\-*]{6,})")
STATUS_NAMES = {
    400: "BadRequestError",
    408: "RequestTimeoutError",
    409: "ConflictError",
    429: "RateLimitError",
    500: "InternalServerError",
    502: "BadGatewayError",
    503: "ServiceUnavailableError",
    504: "GatewayTimeoutError",
    529: "OverloadedError",
}
_CONTENT_FILTER = re.compile(r"content[_ ]?(filter|policy|management)", re.IGNORECASE)
MAX_MESSAGE_CHARS = 300


def redact(text: str) -> str:
    """Return `text` on one line with API keys (env values and sk- tokens) masked."""
    for name in KEY_ENV_VARS:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    text = _KEY_PATTERN.sub("***", text)
    line = " ".join(text.split())
    return line[:MAX_MESSAGE_CHARS]


def retry_after_seconds(headers: Any) -> float | None:
    """Return the seconds to wait that a response requests, or None.

    Reads `retry-after-ms`, then `retry-after` (seconds or an HTTP date).
    """
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _body_text(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            parts = [error.get(k) for k in ("type", "code", "message")]
            return " ".join(str(p) for p in parts if p)
    return str(getattr(exc, "message", "") or exc)


def translate(
    exc: BaseException, *, provider: str, model: str, env_var: str, base_url: str
) -> BaseException:
    """Return the exception to raise for an SDK failure (see the module docstring)."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if isinstance(status, int) and getattr(exc, "response", None) is not None:
        return _from_status(exc, status, provider, model, env_var, base_url)
    refused = _connection_failure(exc)
    if refused is not None:
        return ProviderRequestError(
            "ConnectionError", redact(f"{provider}: {refused}"), retryable=True
        )
    if "Timeout" in name:
        return ProviderRequestError(
            "Timeout", redact(f"{provider}: {exc}"), retryable=True
        )
    if "Connection" in name:
        return ProviderRequestError(
            "ConnectionError", redact(f"{provider}: {exc}"), retryable=True
        )
    if isinstance(exc, ValueError) or "Validation" in name:
        return malformed(provider, str(exc))
    return exc


def _connection_failure(exc: BaseException) -> str | None:
    """Return a description of the OS error behind `exc` (refused, DNS), or None.

    Walks the `__cause__` / `__context__` chain; a `TimeoutError` there means a
    real timeout and yields None.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TimeoutError):
            return None
        if isinstance(current, OSError):
            return f"{type(current).__name__}: {current.strerror or current}"
        current = current.__cause__ or current.__context__
    return None


def malformed(provider: str, detail: str) -> ProviderRequestError:
    """Return the retryable error for a reply body that is not the expected JSON."""
    return ProviderRequestError(
        "MalformedResponse",
        redact(f"{provider} returned a malformed response body: {detail}"),
        retryable=True,
    )


def _from_status(
    exc: Any, status: int, provider: str, model: str, env_var: str, base_url: str
) -> BaseException:
    detail = redact(_body_text(exc))
    if status in (401, 403):
        return AuthError(
            f"{provider} rejected the API key in {env_var} (HTTP {status}: {detail})",
            hint=f"set {env_var} to a valid key for {base_url}",
        )
    if status == 404:
        return ModelError(
            f"{provider} model {model!r} not found at {base_url} (HTTP 404: {detail})",
            hint="check the model name and --base-url",
        )
    retry_after = retry_after_seconds(getattr(exc.response, "headers", None))
    message = f"HTTP {status}: {detail}"
    name = STATUS_NAMES.get(status, f"HTTP{status}Error")
    if status in RETRYABLE_STATUS or status >= 500:
        return ProviderRequestError(
            name,
            message,
            retryable=True,
            retry_after=retry_after,
            status=status,
        )
    if status == 400 and _CONTENT_FILTER.search(detail):
        return ProviderRequestError(
            "ContentFilterError",
            message,
            retryable=False,
            status=status,
            finish_reason="content_filter",
        )
    return ProviderRequestError(
        type(exc).__name__, message, retryable=False, status=status
    )
