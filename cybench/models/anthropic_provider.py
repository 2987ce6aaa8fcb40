"""Anthropic messages through the official SDK (`anthropic.AsyncAnthropic`).

The SDK's own retries are off (`max_retries=0`); `cybench.infer` retries,
including HTTP 529 (overloaded). The messages API of the SDK in use (anthropic
2.17) has no temperature or seed parameter. Replies are therefore as
deterministic as the service makes them, and the requested settings are still
recorded in the run.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from cybench.errors import ModelError
from cybench.models.api_errors import malformed, translate
from cybench.models.base import ChatRequest, Provider, Reply
from cybench.models.contract import strip_schema_keys

API_KEY_ENV = "ANTHROPIC_API_KEY"
DEFAULT_BASE_URL = "https://api.anthropic.com"
FINISH_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}
# NOTE: numeric bounds are left out of the schema because strict JSON-schema
# subsets often reject them; this was not checked against the live API.
_UNSUPPORTED_SCHEMA_KEYS = ("minimum", "maximum")


class AnthropicProvider(Provider):
    """Messages API through `anthropic.AsyncAnthropic`."""

    prefix: ClassVar[str] = "anthropic"
    local: ClassVar[bool] = False
    summary: ClassVar[str] = "Anthropic messages API"
    requires: ClassVar[str] = API_KEY_ENV

    def __init__(self, name: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(name, options)
        base_url = self.options.get("base_url") or os.environ.get("ANTHROPIC_BASE_URL")
        self.base_url = str(base_url).rstrip("/") if base_url else None
        self.timeout = float(self.options.get("timeout", 60.0))
        self._client: Any = None

    @property
    def model_id(self) -> str:
        if self.base_url is None:
            return f"anthropic:{self.name}"
        return f"anthropic:{self.name}@{self.base_url}"

    def load(self) -> None:
        """Check the API key and import the SDK outside any request's timeout."""
        if not os.environ.get(API_KEY_ENV):
            raise ModelError(
                f"{API_KEY_ENV} is not set", hint=f"export {API_KEY_ENV}=..."
            )
        import anthropic  # noqa: F401

    def _get_client(self) -> Any:
        if self._client is not None:
            return self._client
        import anthropic

        try:
            http_client = anthropic.DefaultAioHttpClient(timeout=self.timeout)
        except RuntimeError:
            http_client = None
        self._client = anthropic.AsyncAnthropic(
            api_key=os.environ.get(API_KEY_ENV),
            base_url=self.base_url or DEFAULT_BASE_URL,
            timeout=self.timeout,
            max_retries=0,
            http_client=http_client,
        )
        return self._client

    def request_kwargs(self, request: ChatRequest) -> dict[str, Any]:
        """Return the messages-API arguments for one request."""
        kwargs: dict[str, Any] = {
            "model": self.name,
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
            "max_tokens": request.settings.max_tokens,
        }
        if request.settings.structured and request.response_schema:
            schema = strip_schema_keys(
                request.response_schema, _UNSUPPORTED_SCHEMA_KEYS
            )
            kwargs["output_config"] = {
                "format": {"type": "json_schema", "schema": schema}
            }
        return kwargs

    async def agenerate(self, request: ChatRequest) -> Reply:
        client = self._get_client()
        started = time.perf_counter()
        try:
            message = await client.messages.create(**self.request_kwargs(request))
        except Exception as exc:
            raise translate(
                exc,
                provider="anthropic",
                model=self.name,
                env_var=API_KEY_ENV,
                base_url=self.base_url or DEFAULT_BASE_URL,
            ) from exc
        return _reply(message, time.perf_counter() - started)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _reply(message: Any, latency: float) -> Reply:
    content = getattr(message, "content", None)
    if content is None:
        raise malformed("anthropic", f"no content in {type(message).__name__}")
    texts = [getattr(block, "text", "") for block in content if block.type == "text"]
    usage = getattr(message, "usage", None)
    stop = str(getattr(message, "stop_reason", None) or "end_turn")
    return Reply(
        text="".join(texts),
        finish_reason=FINISH_REASONS.get(stop, stop),
        tokens_in=getattr(usage, "input_tokens", None),
        tokens_out=getattr(usage, "output_tokens", None),
        latency_s=latency,
    )
