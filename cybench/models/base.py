"""The provider interface every model backend implements.

A model spec is `provider:name` (`llamacpp:qwen2.5-coder-0.5b`,
`openai:gpt-4o-mini`, `baseline:random-forest`, `scripted:...`). A provider
class is registered under its prefix in `cybench.models.registry` and turns
chat requests into replies. Orchestration (batching, concurrency, retries,
resume, parsing, cost) lives in `cybench.infer`, not in providers.

Life cycle, driven by `cybench.infer`: the constructor resolves the name
cheaply (no model load, no network, no API key check), `bind` receives the
run's store and prompts artifact, `model_id` is read for the row keys, and only
when requests are due does `load` run, followed by `generate` (local) or
`agenerate` (API) calls and finally `close`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from cybench.store import Manifest, Store


class GenerationSettings(BaseModel):
    """Decoding settings; all recorded in the run's parameters and row keys."""

    temperature: float = Field(0.0, description="Sampling temperature; 0 is greedy.")
    seed: int = Field(0, description="Sampling seed, for backends that take one.")
    max_tokens: int = Field(256, description="Maximum tokens in each reply.")
    structured: bool = Field(
        True, description="Constrain replies to the answer JSON schema where supported."
    )


class ChatRequest(BaseModel):
    """One prompt to send: system and user messages plus the answer schema."""

    prompt_id: str
    system: str
    user: str
    settings: GenerationSettings
    response_schema: dict[str, Any] | None = Field(
        None, description="JSON schema of the answer contract, for structured output."
    )
    sample: dict[str, Any] | None = Field(
        None,
        description="The sample's features, for providers that read them directly "
        "(the classical baselines); None for language models.",
    )


class Reply(BaseModel):
    """A provider's reply to one request, before parsing."""

    text: str | None
    finish_reason: str = "stop"
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_s: float = 0.0
    p_positive: float | None = Field(
        None, description="Positive-class probability, for providers that have one."
    )


class ProviderRequestError(Exception):
    """One request failed; the orchestrator retries it or stores an error row.

    `error_class` names the failure in the stored row (`RateLimitError`,
    `ContentFilterError`, ...). `retryable` is True when a new attempt may
    succeed, and `retry_after` is the server's requested wait in seconds, if any.
    The message is one line and must not contain a secret.
    """

    def __init__(
        self,
        error_class: str,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
        finish_reason: str = "error",
    ) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.finish_reason = finish_reason


class Provider(ABC):
    """A model backend that resolves its model once, then generates replies."""

    prefix: ClassVar[str]
    local: ClassVar[bool] = True
    """Local providers run in-process (batched); API providers run concurrently."""
    needs_sample: ClassVar[bool] = False
    """True when requests must carry `ChatRequest.sample` (the sample's features)."""
    summary: ClassVar[str] = ""
    """One line for `cybench models`: what the provider runs."""
    requires: ClassVar[str] = ""
    """One line for `cybench models`: what it needs (env var, package, file)."""

    def __init__(self, name: str, options: dict[str, Any] | None = None) -> None:
        self.name = name
        self.options = dict(options or {})

    @property
    @abstractmethod
    def model_id(self) -> str:
        """Resolved id and revision (or file digest) recorded with every response."""

    def bind(self, store: Store, prompts: Manifest) -> None:
        """Receive the run's store and prompts artifact before `model_id` is read.

        Must stay cheap (no training, no model load): a finished run is found by
        its key without calling anything else. The default does nothing.
        """
        return None

    def load(self) -> None:
        """Load the model or create the client; called once before any request."""
        return None

    def generate(self, requests: Sequence[ChatRequest]) -> list[Reply]:
        """Generate replies to a batch of requests, in order (local providers)."""
        raise NotImplementedError

    async def agenerate(self, request: ChatRequest) -> Reply:
        """Generate the reply to one request (API providers)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close async clients inside the event loop that created them."""
        return None

    def close(self) -> None:
        """Release the model or client."""
        return None
