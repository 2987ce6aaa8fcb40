"""Client-side rate limits: token buckets for requests and tokens per minute."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """A token bucket refilled at `per_minute / 60` tokens per second.

    It contains at most one second's worth of tokens (at least 1), so bursts
    stay short. A request larger than the bucket waits until the bucket is full and
    then takes it all, leaving a debt that later requests wait out.
    """

    def __init__(self, per_minute: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def acquire(self, amount: float = 1.0) -> float:
        """Wait for `amount` tokens and take them; return the seconds waited."""
        waited = 0.0
        async with self._lock:
            while True:
                self._refill()
                needed = min(amount, self.capacity)
                if self.tokens >= needed:
                    self.tokens -= amount
                    return waited
                delay = (needed - self.tokens) / self.rate
                waited += delay
                await asyncio.sleep(delay)

    def settle(self, estimated: float, actual: float) -> None:
        """Correct a reservation once the real token count is known."""
        self._refill()
        self.tokens = min(self.capacity, self.tokens + estimated - actual)


class RateLimiter:
    """Requests-per-minute and tokens-per-minute limits; either may be off."""

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.requests = TokenBucket(rpm) if rpm else None
        self.tokens = TokenBucket(tpm) if tpm else None

    @property
    def active(self) -> bool:
        return self.requests is not None or self.tokens is not None

    async def acquire(self, estimated_tokens: int) -> None:
        if self.requests is not None:
            await self.requests.acquire(1.0)
        if self.tokens is not None:
            await self.tokens.acquire(float(estimated_tokens))

    def settle(self, estimated_tokens: int, actual_tokens: int | None) -> None:
        if self.tokens is not None and actual_tokens is not None:
            self.tokens.settle(float(estimated_tokens), float(actual_tokens))
