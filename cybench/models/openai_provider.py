"""OpenAI chat completions, and any server that speaks the same wire format.

`--base-url` (option `base_url`) points the official SDK at vLLM, Ollama, the
llama.cpp server or LM Studio. The SDK's own retries are off (`max_retries=0`)
because `cybench.infer` retries with its own policy. The client uses the SDK's
aiohttp transport (`openai.DefaultAioHttpClient`), which sustains more
concurrent requests per core than its default httpx transport.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from cybench.errors import ModelError
from cybench.models.api_errors import malformed, translate
from cybench.models.base import ChatRequest, Provider, Reply

API_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Servers other than OpenAI's rarely need a key, but the SDK requires one.
PLACEHOLDER_KEY = "not-needed"


class OpenAIProvider(Provider):
    """Chat completions through `openai.AsyncOpenAI`."""

    prefix: ClassVar[str] = "openai"
    local: ClassVar[bool] = False
    summary: ClassVar[str] = "OpenAI API or any OpenAI-compatible server"
    requires: ClassVar[str] = f"{API_KEY_ENV} (optional with --base-url)"

    def __init__(self, name: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(name, options)
        base_url = self.options.get("base_url") or os.environ.get("OPENAI_BASE_URL")
        self.base_url = str(base_url).rstrip("/") if base_url else None
        self.timeout = float(self.options.get("timeout", 60.0))
        self._client: Any = None

    @property
    def model_id(self) -> str:
        if self.base_url is None:
            return f"openai:{self.name}"
        return f"openai:{self.name}@{self.base_url}"

    def load(self) -> None:
        if self.base_url is None and not os.environ.get(API_KEY_ENV):
            raise ModelError(
                f"{API_KEY_ENV} is not set",
                hint=f"export {API_KEY_ENV}=... or pass --base-url for a local server",
            )

    def _get_client(self) -> Any:
        if self._client is not None:
            return self._client
        import openai

        key = os.environ.get(API_KEY_ENV) or PLACEHOLDER_KEY
        try:
            http_client = openai.DefaultAioHttpClient(timeout=self.timeout)
        except RuntimeError:
            http_client = None
        self._client = openai.AsyncOpenAI(
            api_key=key,
            base_url=self.base_url or DEFAULT_BASE_URL,
            timeout=self.timeout,
            max_retries=0,
            http_client=http_client,
        )
        return self._client

    def request_kwargs(self, request: ChatRequest) -> dict[str, Any]:
        """Return the chat-completions arguments for one request."""
        settings = request.settings
        # OpenAI's reasoning models reject max_tokens; other servers may not
        # know max_completion_tokens.
        token_key = "max_completion_tokens" if self.base_url is None else "max_tokens"
        kwargs: dict[str, Any] = {
            "model": self.name,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.user},
            ],
            "temperature": settings.temperature,
            "seed": settings.seed,
            token_key: settings.max_tokens,
        }
        if settings.structured and request.response_schema:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "answer",
                    "schema": request.response_schema,
                    "strict": True,
                },
            }
        return kwargs

    async def agenerate(self, request: ChatRequest) -> Reply:
        client = self._get_client()
        started = time.perf_counter()
        try:
            response = await client.chat.completions.create(
                **self.request_kwargs(request)
            )
        except Exception as exc:
            raise translate(
                exc,
                provider="openai",
                model=self.name,
                env_var=API_KEY_ENV,
                base_url=self.base_url or DEFAULT_BASE_URL,
            ) from exc
        return _reply(response, time.perf_counter() - started)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _reply(response: Any, latency: float) -> Reply:
    choices = getattr(response, "choices", None)
    if not choices:
        raise malformed("openai", f"no choices in {type(response).__name__}")
    choice = choices[0]
    message = getattr(choice, "message", None)
    text = getattr(message, "content", None) or getattr(message, "refusal", None)
    usage = getattr(response, "usage", None)
    return Reply(
        text=text,
        finish_reason=str(getattr(choice, "finish_reason", None) or "stop"),
        tokens_in=getattr(usage, "prompt_tokens", None),
        tokens_out=getattr(usage, "completion_tokens", None),
        latency_s=latency,
    )
