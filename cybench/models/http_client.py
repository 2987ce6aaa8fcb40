"""A lean aiohttp JSON client for OpenAI-compatible servers.

The official SDK spends about 2 ms of CPU per request building and checking
it (an estimate from `benchmarks/infer_throughput.py` on a 2-core machine),
which caps one core at a few hundred requests per second. `OpenAIProvider`
uses this client instead when requested (`--http-client aiohttp`), for local
servers (vLLM, llama.cpp server) that reply faster than that. Failures are
raised in the shape that `cybench.models.api_errors.translate` reads from the
SDKs' exceptions, so both paths share one retry policy.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any


class StatusFailure(Exception):
    """An HTTP error status, with the attributes of the SDKs' status errors."""

    def __init__(self, status: int, headers: Any, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status_code = status
        self.response = SimpleNamespace(headers=headers)
        self.body = body
        self.message = body if isinstance(body, str) else f"HTTP {status}"


class ConnectionFailure(Exception):
    """The connection failed, was reset or closed before the body arrived."""


class JsonPoster:
    """POSTs JSON bodies to one base URL over a pooled aiohttp session."""

    def __init__(
        self, base_url: str, headers: dict[str, str], limit: int, timeout: float
    ) -> None:
        self.base_url = base_url
        self.headers = {"Content-Type": "application/json", **headers}
        self.limit = limit
        self.timeout = timeout
        self._session: Any = None

    def _get_session(self) -> Any:
        if self._session is None:
            import aiohttp

            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.limit),
                headers=self.headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def post(self, path: str, payload: bytes) -> Any:
        """Return the parsed JSON body; raise StatusFailure or ConnectionFailure."""
        import aiohttp

        session = self._get_session()
        try:
            async with session.post(self.base_url + path, data=payload) as response:
                raw = await response.read()
                status, headers = response.status, response.headers
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            raise ConnectionFailure(f"{type(exc).__name__}: {exc}") from exc
        if status >= 400:
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", errors="replace")
            raise StatusFailure(status, headers, body)
        return json.loads(raw)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
