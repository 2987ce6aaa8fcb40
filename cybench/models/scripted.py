"""A provider with scripted replies, registered like the real ones.

Specs:

- `scripted:always-LABEL` replies with that label as contract JSON
  (`scripted:always-attack`, `scripted:always-legitimate`);
- `scripted:coin` picks the task's positive or negative label from a digest of
  the user message, so the same prompt always gets the same reply;
- `scripted:file=PATH.jsonl` reads one rule per line:
  `{"text": ..., "contains": ..., "prompt_id": ..., "finish_reason": ...,
  "tokens_in": ..., "tokens_out": ..., "latency_s": ..., "error": {"class":
  ..., "message": ..., "retryable": false}}`. The first rule whose `contains`
  (a substring of the user message) or `prompt_id` matches answers; rules
  without either are defaults, chosen by a digest of the user message.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cybench.errors import DataError, UsageError
from cybench.models.base import ChatRequest, Provider, ProviderRequestError, Reply

if TYPE_CHECKING:
    from cybench.store import Manifest, Store


def _digest_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def answer_json(label: str, confidence: float = 0.9, explanation: str = "") -> str:
    """Return a contract-shaped JSON reply for `label`."""
    return json.dumps(
        {
            "label": label,
            "confidence": confidence,
            "category": None,
            "explanation": explanation or f"scripted reply: {label}",
        }
    )


class ScriptedProvider(Provider):
    """Replies from a rule or a JSONL script; no model, no network."""

    prefix: ClassVar[str] = "scripted"
    local: ClassVar[bool] = True
    summary: ClassVar[str] = "scripted replies for tests and demos"
    requires: ClassVar[str] = "nothing; file=PATH.jsonl for scripted rules"

    def __init__(self, name: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(name, options)
        self.labels: tuple[str, str] = ("attack", "benign")
        self.rules: list[dict[str, Any]] = []
        self._file_digest = ""
        if name.startswith("file="):
            self._read_rules(Path(name.removeprefix("file=")).expanduser())
        elif name != "coin" and not name.startswith("always-"):
            raise UsageError(
                f"unknown scripted model {name!r}",
                hint="use scripted:always-LABEL, scripted:coin or "
                "scripted:file=PATH.jsonl",
            )

    def _read_rules(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(
                f"cannot read scripted replies {path}: {exc.strerror}",
                hint="pass an existing JSONL file after file=",
            ) from exc
        self._file_digest = hashlib.sha256(data).hexdigest()[:12]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"scripted replies file {path} is not UTF-8 text: byte "
                f"{exc.start} is {data[exc.start : exc.start + 1]!r}",
                hint="pass a JSONL file: one JSON object per line, such as "
                '{"text": "..."} or {"error": {...}}',
            ) from exc
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rule = json.loads(line)
            except ValueError as exc:
                raise DataError(f"invalid JSON in {path} line {number}: {exc}") from exc
            if not isinstance(rule, dict):
                raise DataError(f"{path} line {number} is not a JSON object")
            self.rules.append(rule)
        if not self.rules:
            raise DataError(f"scripted replies file {path} has no rules")

    @property
    def model_id(self) -> str:
        if self._file_digest:
            return f"scripted:file@sha256:{self._file_digest}"
        return f"scripted:{self.name}"

    def bind(self, store: Store, prompts: Manifest) -> None:
        from cybench.models.contract import read_task_labels

        if self.name == "coin":
            task = read_task_labels(store, prompts)
            self.labels = (task.positive, task.negative)

    def generate(self, requests: Sequence[ChatRequest]) -> list[Reply]:
        return [self._reply(request) for request in requests]

    def _reply(self, request: ChatRequest) -> Reply:
        if self.name.startswith("always-"):
            return Reply(text=answer_json(self.name.removeprefix("always-")))
        if self.name == "coin":
            label = self.labels[_digest_int(request.user) % 2]
            return Reply(text=answer_json(label, 0.6))
        rule = self._match(request)
        if rule.get("latency_s"):
            time.sleep(float(rule["latency_s"]))
        error = rule.get("error")
        if isinstance(error, dict):
            raise ProviderRequestError(
                str(error.get("class", "ScriptedError")),
                str(error.get("message", "scripted failure")),
                retryable=bool(error.get("retryable", False)),
            )
        return Reply(
            text=rule.get("text"),
            finish_reason=str(rule.get("finish_reason", "stop")),
            tokens_in=rule.get("tokens_in"),
            tokens_out=rule.get("tokens_out"),
            latency_s=float(rule.get("latency_s", 0.0)),
        )

    def _match(self, request: ChatRequest) -> dict[str, Any]:
        defaults = []
        for rule in self.rules:
            if "prompt_id" in rule:
                if rule["prompt_id"] == request.prompt_id:
                    return rule
            elif "contains" in rule:
                if str(rule["contains"]) in request.user:
                    return rule
            else:
                defaults.append(rule)
        if not defaults:
            return {"text": None, "finish_reason": "stop"}
        return defaults[_digest_int(request.user) % len(defaults)]
