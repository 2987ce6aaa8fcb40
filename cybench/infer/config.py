"""The run configuration of one `cybench infer` invocation."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from cybench.models.base import GenerationSettings


class RunConfig(BaseModel):
    """Everything that selects and shapes one inference run.

    Only `model`, the resolved model id, `settings`, `limit` and the price
    table enter the artifact key. The throughput options (concurrency, rate
    limits, timeout, retries, batching) change how rows are fetched, not what
    they contain.
    """

    model: str = Field(description="Model spec, provider:name.")
    dataset: str | None = Field(
        None, description="Dataset name: use its newest prompts."
    )
    prep: str | None = Field(None, description="Key (or prefix) of a prompts artifact.")
    base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible API."
    )
    http_client: str | None = Field(
        None, description="openai: HTTP client, sdk (default) or aiohttp."
    )
    settings: GenerationSettings = Field(default_factory=GenerationSettings)
    concurrency: int = Field(8, ge=1, description="Requests in flight at once (API).")
    rpm: float | None = Field(
        None, gt=0, description="Client-side requests per minute."
    )
    tpm: float | None = Field(None, gt=0, description="Client-side tokens per minute.")
    timeout: float = Field(60.0, gt=0, description="Per-request timeout in seconds.")
    max_retries: int = Field(
        5, ge=0, description="Retries per request after a failure."
    )
    limit: int | None = Field(None, ge=1, description="Run only the first N prompts.")
    dry_run: bool = Field(
        False, description="Estimate the run; call and write nothing."
    )
    price_table: Path | None = Field(None, description="JSON price table to use.")
    batch_size: int = Field(
        8,
        ge=1,
        description="Requests per generate() call for local models, also the "
        "number of sequences they decode together; rows are stored after each call.",
    )
    flush_rows: int = Field(512, ge=1, description="Append rows once this many wait.")
    flush_seconds: float = Field(
        2.0, gt=0, description="Append waiting rows at least this often, in seconds."
    )
    backoff_base: float = Field(0.5, gt=0, description="First backoff, in seconds.")
    backoff_max: float = Field(30.0, gt=0, description="Maximum backoff, in seconds.")
    progress: bool = Field(True, description="Show Rich progress on stderr.")
