"""OpenAI chat completions, and any server that speaks the same wire format.

`--base-url` (option `base_url`) points the official SDK at vLLM, Ollama, the
llama.cpp server or LM Studio. The SDK's own retries are off (`max_retries=0`)
because `cybench.infer` retries with its own policy. Requests go through the client's
generic `post` with the raw response (`cast_to=httpx2.Response`), the SDK's
documented route for arbitrary endpoints. That keeps the SDK's authentication,
headers, timeouts and typed status errors. It skips the per-request TypedDict
transform and response model, which took most of the client's CPU time in a
profile of `benchmarks/infer_throughput.py`.
The client uses the SDK's aiohttp transport (`openai.DefaultAioHttpClient`).

Option `http_client="aiohttp"` (`--http-client aiohttp`) sends the same
requests through `cybench.models.http_client.JsonPoster` instead, for local
servers fast enough that the SDK's per-request CPU cost is the bottleneck.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, ClassVar

from cybench.errors import ModelError, UsageError
from cybench.models.api_errors import malformed, translate
from cybench.models.base import ChatRequest, Provider, Reply
from cybench.models.contract import strip_schema_keys

API_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Servers other than OpenAI's rarely need a key, but the SDK requires one.
PLACEHOLDER_KEY = "not-needed"
JSON_HEADERS = {"Content-Type": "application/json"}
HTTP_CLIENTS = ("sdk", "aiohttp")
# Numeric bounds are left out because not every strict-mode JSON-schema
# implementation accepts them. The parser checks the confidence range anyway.
_UNSUPPORTED_SCHEMA_KEYS = ("minimum", "maximum")
# OpenAI's reasoning models reject any temperature but the default.
# NOTE: a prefix list, so reasoning models with other names still get one.
_NO_TEMPERATURE_PREFIXES = ("o1", "o3", "o4", "gpt-5")


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
        self.http_client = str(self.options.get("http_client") or "sdk")
        if self.http_client not in HTTP_CLIENTS:
            raise UsageError(
                f"unknown HTTP client {self.http_client!r}",
                hint=f"use one of {', '.join(HTTP_CLIENTS)}",
            )
        self.pool_size = int(self.options.get("concurrency", 64))
        self._client: Any = None
        self._schema_cache: tuple[dict[str, Any], dict[str, Any]] | None = None

    @property
    def model_id(self) -> str:
        if self.base_url is None:
            return f"openai:{self.name}"
        return f"openai:{self.name}@{self.base_url}"

    def load(self) -> None:
        """Check the API key and import the HTTP stack.

        Importing the SDK takes most of a second, so it happens here rather
        than inside the first requests, where it would count against their
        timeout.
        """
        if self.base_url is None and not os.environ.get(API_KEY_ENV):
            raise ModelError(
                f"{API_KEY_ENV} is not set",
                hint=f"export {API_KEY_ENV}=... or pass --base-url for a local server",
            )
        if self.http_client == "aiohttp":
            import aiohttp  # noqa: F401
        else:
            import httpx2  # noqa: F401
            import openai  # noqa: F401

    def _get_client(self) -> Any:
        if self._client is not None:
            return self._client
        if self.http_client == "aiohttp":
            from cybench.models.http_client import JsonPoster

            key = os.environ.get(API_KEY_ENV) or PLACEHOLDER_KEY
            self._client = JsonPoster(
                self.base_url or DEFAULT_BASE_URL,
                {"Authorization": f"Bearer {key}"},
                self.pool_size,
                self.timeout,
            )
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
            "seed": settings.seed,
            token_key: settings.max_tokens,
        }
        if not self.name.startswith(_NO_TEMPERATURE_PREFIXES):
            kwargs["temperature"] = settings.temperature
        if settings.structured and request.response_schema:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "answer",
                    "schema": self._sent_schema(request.response_schema),
                    "strict": True,
                },
            }
        return kwargs

    def _sent_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Return `schema` without unsupported keywords, computed once per schema."""
        if self._schema_cache is None or self._schema_cache[0] is not schema:
            stripped = strip_schema_keys(schema, _UNSUPPORTED_SCHEMA_KEYS)
            self._schema_cache = (schema, stripped)
        return self._schema_cache[1]

    async def agenerate(self, request: ChatRequest) -> Reply:
        client = self._get_client()
        payload = json.dumps(self.request_kwargs(request)).encode()
        started = time.perf_counter()
        try:
            data = await self._post(client, payload)
        except Exception as exc:
            raise translate(
                exc,
                provider="openai",
                model=self.name,
                env_var=API_KEY_ENV,
                base_url=self.base_url or DEFAULT_BASE_URL,
            ) from exc
        return _reply(data, time.perf_counter() - started)

    async def _post(self, client: Any, payload: bytes) -> Any:
        if self.http_client == "aiohttp":
            return await client.post("/chat/completions", payload)
        import httpx2

        response = await client.post(
            "/chat/completions",
            content=payload,
            options={"headers": JSON_HEADERS},
            cast_to=httpx2.Response,
        )
        return json.loads(response.content)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _reply(data: Any, latency: float) -> Reply:
    """Return the Reply in a chat-completions response body (parsed JSON)."""
    try:
        choice = data["choices"][0]
        message = choice.get("message") or {}
        usage = data.get("usage") or {}
    except (TypeError, KeyError, IndexError, AttributeError) as exc:
        raise malformed("openai", f"no choices[0] in the body ({exc!r})") from exc
    return Reply(
        text=message.get("content") or message.get("refusal"),
        finish_reason=str(choice.get("finish_reason") or "stop"),
        tokens_in=usage.get("prompt_tokens"),
        tokens_out=usage.get("completion_tokens"),
        latency_s=latency,
    )
