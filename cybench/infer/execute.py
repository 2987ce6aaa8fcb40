"""Calling the model for the rows a run still lacks.

Local providers get `generate(batch)` calls, one batch at a time. API
providers get `agenerate(request)` calls from `concurrency` asyncio workers
that share one job iterator, so memory stays flat however many prompts a run
has. Each worker waits for the rate limiter, calls under the retry policy and
hands the finished row to the writer. An `AuthError` or `ModelError` from any
worker stops every worker; rows already finished are appended first.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cybench.errors import ModelError
from cybench.infer.retry import RetryPolicy, call_with_retries
from cybench.infer.rows import Job, error_row, estimate_tokens, reply_row
from cybench.models.base import ChatRequest, ProviderRequestError

log = logging.getLogger(__name__)

REJECTED_LIMIT = 5

if TYPE_CHECKING:
    from cybench.infer.config import RunConfig
    from cybench.infer.pricing import Price
    from cybench.infer.progress import ProgressDisplay, RunStats
    from cybench.infer.writer import RowWriter
    from cybench.models.base import Provider
    from cybench.models.parse import TaskLabels


@dataclass
class Execution:
    """State shared by the workers: provider, settings, sinks and counters."""

    provider: Provider
    config: RunConfig
    task: TaskLabels
    schema: dict[str, Any] | None
    model: str
    model_id: str
    price: Price | None
    writer: RowWriter
    stats: RunStats
    display: ProgressDisplay
    samples: dict[str, dict[str, Any]] | None = None
    unreachable: int = 0
    """Requests of this run that ended in a `ConnectionError`."""

    def request(self, job: Job) -> ChatRequest:
        sample = self.samples.get(job.sample_id) if self.samples is not None else None
        # The fields are already typed; skipping validation also keeps the one
        # schema dict shared by every request instead of copying it.
        return ChatRequest.model_construct(
            prompt_id=job.prompt_id,
            system=job.system,
            user=job.user,
            settings=self.config.settings,
            response_schema=self.schema,
            sample=sample,
        )

    def finish(self, row: dict[str, Any]) -> None:
        if self.price is not None and row["tokens_in"] is not None:
            row["cost_usd"] = self.price.cost(row["tokens_in"], row["tokens_out"])
        if row["parse_status"] == "error":
            self.stats.errors += 1
        self.stats.done += 1
        self.writer.add(row)
        self.display.update()


def run_local(run: Execution, jobs: Sequence[Job]) -> None:
    """Send `jobs` to `generate` in batches of `config.batch_size`.

    A batch whose `generate` raises `ProviderRequestError` is sent again one
    request at a time, so only the failing prompts become error rows.
    """
    size = run.config.batch_size
    try:
        for start in range(0, len(jobs), size):
            batch = jobs[start : start + size]
            try:
                _generate(run, batch)
            except ProviderRequestError as exc:
                log.warning(
                    "batch of %d prompts from %s failed (%s: %s); "
                    "sending them one at a time",
                    len(batch),
                    batch[0].prompt_id,
                    exc.error_class,
                    exc.message,
                )
                if len(batch) == 1:
                    run.finish(error_row(batch[0], exc, 0.0, run.model, run.model_id))
                    continue
                for job in batch:
                    try:
                        _generate(run, [job])
                    except ProviderRequestError as single:
                        log.warning(
                            "prompt %s failed: %s: %s",
                            job.prompt_id,
                            single.error_class,
                            single.message,
                        )
                        row = error_row(job, single, 0.0, run.model, run.model_id)
                        run.finish(row)
    finally:
        run.writer.flush()


def _generate(run: Execution, batch: Sequence[Job]) -> None:
    requests = [run.request(job) for job in batch]
    run.stats.requests += len(requests)
    replies = run.provider.generate(requests)
    for job, reply in zip(batch, replies, strict=True):
        row = reply_row(job, reply, reply.latency_s, run.task, run.model, run.model_id)
        run.finish(row)


def run_api(run: Execution, jobs: Sequence[Job]) -> None:
    """Send `jobs` as concurrent `agenerate` calls."""
    asyncio.run(_run_api(run, jobs))


async def _run_api(run: Execution, jobs: Sequence[Job]) -> None:
    from cybench.infer.limits import RateLimiter

    config = run.config
    limiter = RateLimiter(config.rpm, config.tpm)
    policy = RetryPolicy(
        config.max_retries, config.timeout, config.backoff_base, config.backoff_max
    )
    shared = iter(jobs)
    workers = [
        asyncio.create_task(_worker(run, shared, limiter, policy))
        for _ in range(min(config.concurrency, len(jobs)))
    ]
    flusher = asyncio.create_task(_flush_periodically(run))
    try:
        done, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for task in [*workers, flusher]:
            task.cancel()
        await asyncio.gather(*workers, flusher, return_exceptions=True)
        run.writer.flush()
        with contextlib.suppress(Exception):
            await run.provider.aclose()


async def _flush_periodically(run: Execution) -> None:
    while True:
        await asyncio.sleep(run.config.flush_seconds / 2)
        if run.writer.due():
            run.writer.flush()


async def _worker(
    run: Execution, jobs: Iterator[Job], limiter: Any, policy: RetryPolicy
) -> None:
    rng = random.Random()
    max_tokens = run.config.settings.max_tokens

    def count_retry() -> None:
        run.stats.retries += 1
        run.stats.requests += 1

    for job in jobs:
        request = run.request(job)
        estimate = estimate_tokens(job.system) + estimate_tokens(job.user) + max_tokens

        async def wait_for_limits(estimate: int = estimate) -> None:
            await limiter.acquire(estimate)

        run.stats.requests += 1
        outcome = await call_with_retries(
            functools.partial(run.provider.agenerate, request),
            policy,
            job.prompt_id,
            rng,
            on_retry=count_retry,
            before=wait_for_limits if limiter.active else None,
        )
        if outcome.reply is None:
            assert outcome.error is not None
            row = error_row(
                job, outcome.error, outcome.latency_s, run.model, run.model_id
            )
        else:
            reply = outcome.reply
            used = None
            if reply.tokens_in is not None and reply.tokens_out is not None:
                used = reply.tokens_in + reply.tokens_out
            limiter.settle(estimate, used)
            row = reply_row(
                job, reply, outcome.latency_s, run.task, run.model, run.model_id
            )
        run.finish(row)
        if outcome.error is not None:
            _stop_if_all_rejected(run, outcome.error)


def unreachable_error(url: str, count: int, message: str) -> ModelError:
    """Return the error that stops a run whose requests all failed to connect."""
    return ModelError(
        f"could not connect to {url}: the first {count} requests all failed "
        f"({message})",
        hint="start the server or correct --base-url, then re-run the same command",
    )


def base_url_of(provider: Any) -> str:
    """Return the URL an API provider sends requests to, for messages."""
    return getattr(provider, "base_url", None) or f"the {provider.prefix} API"


def _stop_if_unreachable(run: Execution, error: ProviderRequestError) -> None:
    """Stop a run whose first REJECTED_LIMIT requests all failed to connect."""
    run.unreachable += 1
    if run.stats.done > run.unreachable or run.unreachable < REJECTED_LIMIT:
        return
    raise unreachable_error(base_url_of(run.provider), run.unreachable, error.message)


def _stop_if_all_rejected(run: Execution, error: ProviderRequestError) -> None:
    """Stop a run whose first REJECTED_LIMIT requests all got a non-retryable 4xx.

    A wrong setting (an unsupported parameter, a too large `max_tokens`) fails
    every request the same way, so the run stops instead of storing one error
    row per prompt. Content-filter rejections are about one prompt and never
    stop a run.
    """
    if error.error_class == "ConnectionError":
        _stop_if_unreachable(run, error)
        return
    if error.retryable or error.error_class == "ContentFilterError":
        return
    if error.status is None or not 400 <= error.status < 500:
        return
    stats = run.stats
    if stats.done > stats.errors or stats.errors < REJECTED_LIMIT:
        return
    raise ModelError(
        f"the first {stats.errors} requests to {run.model_id} were all rejected "
        f"({error.error_class}: {error.message})",
        hint="check the model name, --base-url and the generation settings",
    )
