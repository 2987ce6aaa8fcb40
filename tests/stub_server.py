"""A stub LLM API on 127.0.0.1: OpenAI chat completions and Anthropic messages.

The real SDKs talk to it over HTTP. Replies are scripted: by default each
request gets contract JSON whose label is chosen by a digest of the user
message (so a prompt always gets the same reply), with token usage derived
from the text lengths. Faults are queued with `add_faults`; each fault applies
to the next matching request(s):

    {"status": 429, "retry_after": 0.05}      rate limit with Retry-After
    {"status": 500} / {"status": 529}         server error / Anthropic overloaded
    {"status": 400, "code": "content_filter"} content-policy rejection
    {"malformed": true}                       HTTP 200 with a cut-off JSON body
    {"delay": 3.0}                            a slow reply
    {"text": "...", "finish": "length"}       a scripted reply
    plus "match": SUBSTRING (only requests whose user message contains it)
    and "times": N (default 1; -1 for every matching request).

Requests with a wrong API key get 401 in the provider's error format.

In-process use: `StubServer(...).start()` runs it in a thread. As a separate
process (benchmarks): `python tests/stub_server.py --latency 0.05` prints
`PORT n` and serves until killed; `POST /_stub/faults` queues faults and
`GET /_stub/stats` returns the counters.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import threading
from typing import Any

from aiohttp import web

STUB_KEY = "sk-stub-test-key"
LABELS = ("attack", "benign")
STATE_KEY: web.AppKey[StubState] = web.AppKey("state")


class StubState:
    """Faults, counters and reply rules, shared by the handlers."""

    def __init__(self, api_key: str | None, latency_s: float) -> None:
        self.api_key = api_key
        self.latency_s = latency_s
        self.labels = LABELS
        self.faults: list[dict[str, Any]] = []
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.users: list[str] = []
        self.lock = threading.Lock()

    def take_fault(self, user: str) -> dict[str, Any] | None:
        with self.lock:
            for index, fault in enumerate(self.faults):
                if fault.get("match") and fault["match"] not in user:
                    continue
                times = int(fault.get("times", 1))
                if times > 0:
                    times -= 1
                    if times == 0:
                        del self.faults[index]
                    else:
                        fault["times"] = times
                return fault
        return None

    def reply_text(self, user: str) -> str:
        digest = hashlib.sha256(user.encode()).digest()
        label = self.labels[digest[0] % 2]
        confidence = round(0.5 + (digest[1] % 50) / 100, 2)
        return json.dumps(
            {
                "label": label,
                "confidence": confidence,
                "category": None,
                "explanation": "stub reply",
            }
        )

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "max_in_flight": self.max_in_flight,
            "faults_left": len(self.faults),
        }


def _openai_error(status: int, message: str, code: str | None) -> web.Response:
    kinds = {401: "invalid_request_error", 429: "rate_limit_exceeded"}
    body = {
        "error": {
            "message": message,
            "type": kinds.get(
                status, "server_error" if status >= 500 else "invalid_request_error"
            ),
            "code": code,
        }
    }
    return web.json_response(body, status=status)


def _anthropic_error(status: int, message: str, code: str | None) -> web.Response:
    kinds = {
        400: "invalid_request_error",
        401: "authentication_error",
        429: "rate_limit_error",
        529: "overloaded_error",
    }
    kind = code or kinds.get(status, "api_error")
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return web.json_response(body, status=status)


def _openai_reply(model: str, text: str, finish: str, tokens_in: int) -> dict:
    tokens_out = len(text) // 4 + 1
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": tokens_in,
            "completion_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        },
    }


def _anthropic_reply(model: str, text: str, finish: str, tokens_in: int) -> dict:
    stop = {"stop": "end_turn", "length": "max_tokens"}.get(finish, finish)
    return {
        "id": "msg_stub",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": tokens_in, "output_tokens": len(text) // 4 + 1},
    }


async def _handle(request: web.Request, flavour: str) -> web.Response:
    state: StubState = request.app[STATE_KEY]
    error = _openai_error if flavour == "openai" else _anthropic_error
    with state.lock:
        state.requests += 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
    try:
        if state.api_key is not None:
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            given = request.headers.get("x-api-key") or bearer
            if given != state.api_key:
                return error(401, "invalid api key", None)
        body = await request.json()
        messages = body.get("messages", [])
        user = str(messages[-1].get("content", "")) if messages else ""
        system = body.get("system") or (
            messages[0].get("content", "") if len(messages) > 1 else ""
        )
        with state.lock:
            state.users.append(user)
        fault = state.take_fault(user) or {}
        delay = float(fault.get("delay", state.latency_s))
        if delay:
            await asyncio.sleep(delay)
        if fault.get("status"):
            status = int(fault["status"])
            response = error(status, f"stub fault {status}", fault.get("code"))
            if fault.get("retry_after") is not None:
                response.headers["retry-after"] = str(fault["retry_after"])
            return response
        if fault.get("malformed"):
            return web.Response(
                text='{"id": "chatcmpl-stub", "choices": [{"index": 0, "mess',
                content_type="application/json",
            )
        text = fault.get("text", state.reply_text(user))
        finish = fault.get("finish", "stop")
        tokens_in = (len(str(system)) + len(user)) // 4 + 1
        build = _openai_reply if flavour == "openai" else _anthropic_reply
        return web.json_response(build(body.get("model", ""), text, finish, tokens_in))
    finally:
        with state.lock:
            state.in_flight -= 1


async def _openai(request: web.Request) -> web.Response:
    return await _handle(request, "openai")


async def _anthropic(request: web.Request) -> web.Response:
    return await _handle(request, "anthropic")


async def _faults(request: web.Request) -> web.Response:
    state: StubState = request.app[STATE_KEY]
    faults = await request.json()
    with state.lock:
        state.faults.extend(faults)
    return web.json_response({"queued": len(faults)})


async def _stats(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE_KEY].stats())


def make_app(state: StubState) -> web.Application:
    app = web.Application()
    app[STATE_KEY] = state
    app.router.add_post("/v1/chat/completions", _openai)
    app.router.add_post("/chat/completions", _openai)
    app.router.add_post("/v1/messages", _anthropic)
    app.router.add_post("/_stub/faults", _faults)
    app.router.add_get("/_stub/stats", _stats)
    return app


class StubServer:
    """The stub in a background thread with its own event loop."""

    def __init__(self, api_key: str | None = STUB_KEY, latency_s: float = 0.0) -> None:
        self.state = StubState(api_key, latency_s)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def requests(self) -> int:
        return self.state.requests

    def add_faults(self, *faults: dict[str, Any]) -> None:
        with self.state.lock:
            self.state.faults.extend(dict(f) for f in faults)

    def start(self) -> StubServer:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(make_app(self.state), access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = self._runner.addresses[0][1]
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="stub-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("stub server did not start within 10 s")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument("--api-key", default=STUB_KEY)
    args = parser.parse_args()

    async def serve() -> None:
        runner = web.AppRunner(
            make_app(StubState(args.api_key, args.latency)), access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024)
        await site.start()
        sys.stdout.write(f"PORT {runner.addresses[0][1]}\n")
        sys.stdout.flush()
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
