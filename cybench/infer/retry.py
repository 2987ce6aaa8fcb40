"""Retries with exponential backoff and full jitter, honouring Retry-After.

A retryable `ProviderRequestError` (429, 5xx, 529, malformed body, connection
reset) or a per-request timeout waits and tries again, up to `max_retries`
retries. The wait is the server's Retry-After when it sent one, otherwise a
uniform random time in [0, min(backoff_max, backoff_base * 2**attempt)].
`AuthError` and `ModelError` propagate at once and stop the run; a
non-retryable error (content filter, other 4xx) becomes the final outcome.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cybench.models.base import ProviderRequestError, Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one request."""

    max_retries: int = 5
    timeout: float = 60.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0

    def delay(
        self, attempt: int, retry_after: float | None, rng: random.Random
    ) -> float:
        """Return seconds to wait before retry number `attempt` (0-based)."""
        if retry_after is not None:
            return min(retry_after, self.backoff_max * 4)
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return rng.uniform(0.0, ceiling)


@dataclass
class Outcome:
    """The final result of one request: a reply or the last error."""

    reply: Reply | None
    error: ProviderRequestError | None
    latency_s: float
    retries: int


async def call_with_retries(
    call: Callable[[], Awaitable[Reply]],
    policy: RetryPolicy,
    request_id: str,
    rng: random.Random,
    on_retry: Callable[[], None] | None = None,
    before: Callable[[], Awaitable[None]] | None = None,
) -> Outcome:
    """Run `call` under the policy; return the reply or the final error.

    `before` runs ahead of every attempt, outside the timeout (rate limits).
    `latency_s` starts once `before` returns for the first attempt: it counts
    every attempt, backoff and later rate-limit wait, not the wait for the
    first slot.
    """
    if before is not None:
        await before()
    started = time.perf_counter()
    attempt = 0
    while True:
        if before is not None and attempt > 0:
            await before()
        try:
            reply = await asyncio.wait_for(call(), policy.timeout)
            return Outcome(reply, None, time.perf_counter() - started, attempt)
        except TimeoutError:
            error = ProviderRequestError(
                "Timeout",
                f"no reply within {policy.timeout:g} s",
                retryable=True,
            )
        except ProviderRequestError as exc:
            error = exc
        if not error.retryable or attempt >= policy.max_retries:
            log.warning(
                "request %s failed after %d retries: %s: %s",
                request_id,
                attempt,
                error.error_class,
                error.message,
            )
            return Outcome(None, error, time.perf_counter() - started, attempt)
        delay = policy.delay(attempt, error.retry_after, rng)
        attempt += 1
        log.info(
            "retry %d/%d of request %s in %.2f s after %s: %s",
            attempt,
            policy.max_retries,
            request_id,
            delay,
            error.error_class,
            error.message,
        )
        if on_retry is not None:
            on_retry()
        await asyncio.sleep(delay)
