"""The `llamacpp:` provider: GGUF models run in-process through llama-cpp-python.

`llamacpp:NAME` takes a package-carried alias (`smollm2`,
`qwen2.5-coder-0.5b`, `qwen2.5-coder-1.5b`, see `cybench.models.weights`) or
a path to a `.gguf` file. The model loads once, in `load` or the first
`generate`.

llama-cpp-python's high-level API completes one chat at a time, so `generate`
drives the llama.cpp context directly (see `BatchDecoder`). It keeps up to
`batch_size` sequences in one KV cache and evaluates the token prefix that the
prompts share (system prompt and few-shot examples) once. Each `llama_decode`
call then decodes one token of every active sequence. Each sequence has its own
sampler chain, with the answer's JSON schema compiled to a GBNF grammar when
`settings.structured` is set and the request carries a schema.

Options (from the model spec's options): `batch_size` (sequences decoded
together, default 8), `n_ctx` (KV cache cells shared by all sequences,
default 16384), `n_threads` (default: all cores), `prefix_cache` (keep the
shared prefix between batches, default true).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from cybench.errors import ModelError
from cybench.models.base import (
    ChatRequest,
    Provider,
    ProviderRequestError,
    Reply,
)
from cybench.models.weights import (
    PACKAGED_MODELS,
    check_gguf,
    file_digest,
    resolve_packaged,
)

DEFAULT_BATCH_SIZE = 8
DEFAULT_N_CTX = 16384
MAX_FREE_TEXT_CHARS = 240
_PROMPT_BATCH_TOKENS = 512


def resolve_gguf(name: str) -> Path:
    """Turn an alias or a path into an existing GGUF file, or raise `ModelError`."""
    if name in PACKAGED_MODELS:
        return resolve_packaged(name)

    path = Path(name).expanduser()
    if path.is_file():
        return check_gguf(path)
    raise ModelError(
        f"GGUF file {path} not found",
        hint="pass an existing file: llamacpp:/path/to/model.gguf",
    )


class LlamaCppProvider(Provider):
    """Runs a GGUF model with llama.cpp and decodes requests in batches."""

    prefix: ClassVar[str] = "llamacpp"
    local: ClassVar[bool] = True
    summary: ClassVar[str] = "GGUF models in-process through llama-cpp-python"
    requires: ClassVar[str] = (
        "llama-cpp-python; a .gguf path or an alias whose weight packages "
        "scripts/setup.sh installs"
    )

    def __init__(self, name: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(name, options)
        if name not in PACKAGED_MODELS and not name.endswith(".gguf"):
            aliases = ", ".join(sorted(PACKAGED_MODELS))
            raise ModelError(
                f"llamacpp model {name!r} is neither a known alias nor a .gguf path",
                hint=f"use one of {aliases} or llamacpp:/path/to/model.gguf",
            )
        self._path: Path | None = None
        self._digest = ""
        self._decoder: BatchDecoder | None = None

    @property
    def path(self) -> Path:
        """The verified GGUF file; assembles package-carried chunks on first use."""
        if self._path is None:
            self._path = resolve_gguf(self.name)
            self._digest = file_digest(self._path)
        return self._path

    @property
    def model_id(self) -> str:
        """Alias or file name plus the first 12 hex digits of the GGUF's SHA-256."""
        path = self.path
        label = self.name if self.name in PACKAGED_MODELS else path.name
        return f"llamacpp:{label}@sha256:{self._digest[:12]}"

    def load(self) -> None:
        """Load the weights and create the batched decoding context (once)."""
        if self._decoder is not None:
            return
        self._decoder = BatchDecoder(
            self.path,
            batch_size=int(self.options.get("batch_size", DEFAULT_BATCH_SIZE)),
            n_ctx=int(self.options.get("n_ctx", DEFAULT_N_CTX)),
            n_threads=int(self.options.get("n_threads", os.cpu_count() or 1)),
            prefix_cache=_as_bool(self.options.get("prefix_cache", True)),
        )

    def generate(self, requests: Sequence[ChatRequest]) -> list[Reply]:
        """Generate replies to `requests` in order, up to `batch_size` at once.

        Raises `ProviderRequestError` when a prompt does not fit the context.
        """
        if not requests:
            return []
        self.load()
        assert self._decoder is not None
        return self._decoder.generate(requests)

    def close(self) -> None:
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"0", "false", "no", "off"}
    return bool(value)


@dataclass
class _Sequence:
    """One request being decoded in KV-cache sequence `seq_id`."""

    index: int
    seq_id: int
    tokens: list[int]
    max_tokens: int
    sampler: Any
    started: float
    position: int = 0
    generated: list[int] = field(default_factory=list)
    finish_reason: str | None = None
    finished_at: float = 0.0


def _load_llama(llama_cpp: Any, path: Path, n_threads: int) -> Any:
    """Load the weights into a `llama_cpp.Llama` with a tiny context of its own.

    llama.cpp raises a bare `ValueError` for a file it cannot load (a
    truncated file, an unknown architecture); that becomes `ModelError`.
    """
    try:
        return llama_cpp.Llama(
            model_path=str(path),
            n_ctx=256,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            verbose=False,
        )
    except ValueError as error:
        raise ModelError(
            f"llama.cpp could not load GGUF file {path} ({error})",
            hint="check that the file is complete and its architecture is one "
            "that the installed llama-cpp-python supports",
        ) from error


class BatchDecoder:
    """Decodes several chat requests together in one llama.cpp context.

    Sequence 0 of the KV cache contains the token prefix shared by the current
    batch; sequences 1..batch_size get a copy of it (a unified KV cache stores
    the shared cells once) and then their own suffix and generated tokens.
    With `prefix_cache`, the prefix stays in sequence 0 between batches, so a
    run whose prompts share a system prompt evaluates it once.
    """

    def __init__(
        self,
        path: Path,
        *,
        batch_size: int,
        n_ctx: int,
        n_threads: int,
        prefix_cache: bool,
    ) -> None:
        import llama_cpp
        from llama_cpp import _internals

        if batch_size < 1:
            raise ModelError(f"llamacpp option batch_size={batch_size} must be >= 1")
        self.batch_size = batch_size
        self.prefix_cache = prefix_cache
        self._llama_cpp = llama_cpp
        self._internals = _internals

        # The Llama object owns the weights, tokenizer and chat template. Its
        # own context is kept tiny because decoding uses `self.ctx` below.
        self.llm = _load_llama(llama_cpp, path, n_threads)
        # With a unified KV cache every sequence may reach position n_ctx, so
        # n_ctx stays within the context length the model was trained for.
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = min(n_ctx, self.llm._model.n_ctx_train())
        params.n_batch = _PROMPT_BATCH_TOKENS
        params.n_ubatch = _PROMPT_BATCH_TOKENS
        params.n_seq_max = batch_size + 1
        params.kv_unified = True
        params.n_threads = n_threads
        params.n_threads_batch = n_threads
        self.ctx = _internals.LlamaContext(
            model=self.llm._model, params=params, verbose=False
        )
        self.n_ctx = self.ctx.n_ctx()
        self.batch = _internals.LlamaBatch(
            n_tokens=_PROMPT_BATCH_TOKENS, embd=0, n_seq_max=1, verbose=False
        )
        self.formatter = _chat_formatter(self.llm)
        self.prefix: list[int] = []
        self._grammars: dict[str, Any] = {}

    def close(self) -> None:
        self.batch.close()
        self.ctx.close()
        self.llm.close()

    def tokenize_chat(self, request: ChatRequest) -> list[int]:
        """Render the chat template for one request and tokenize it."""
        messages = [
            {"role": "system", "content": request.system},
            {"role": "user", "content": request.user},
        ]
        rendered = self.formatter(messages=messages)
        return self.llm.tokenize(
            rendered.prompt.encode("utf-8"),
            add_bos=not rendered.added_special,
            special=True,
        )

    def generate(self, requests: Sequence[ChatRequest]) -> list[Reply]:
        """Generate replies in order, `batch_size` (or fewer, to fit n_ctx) at once."""
        prompts = [self.tokenize_chat(request) for request in requests]
        replies: list[Reply | None] = [None] * len(requests)
        for chunk in self._chunks(requests, prompts):
            started = time.perf_counter()
            for index, reply in self._generate_chunk(requests, prompts, chunk, started):
                replies[index] = reply
        return [reply for reply in replies if reply is not None]

    def _chunks(
        self, requests: Sequence[ChatRequest], prompts: list[list[int]]
    ) -> list[list[int]]:
        """Group request indexes so each group fits `batch_size` and `n_ctx`.

        A group needs the shared prefix once plus, per request, its own prompt
        tokens and `max_tokens`. The prefix common to all `prompts` is never
        longer than a group's shared prefix, so the estimate never falls short.
        """
        shared = len(_common_prefix(prompts))
        chunks: list[list[int]] = []
        current: list[int] = []
        cells = shared
        for index, (request, tokens) in enumerate(zip(requests, prompts, strict=True)):
            need = len(tokens) - shared + request.settings.max_tokens
            if shared + need > self.n_ctx:
                raise ProviderRequestError(
                    "ContextLengthError",
                    f"prompt {request.prompt_id} needs {shared + need} KV cells "
                    f"({len(tokens)} prompt + {request.settings.max_tokens} reply "
                    f"tokens), more than n_ctx={self.n_ctx}",
                    retryable=False,
                )
            full = len(current) == self.batch_size or cells + need > self.n_ctx
            if current and full:
                chunks.append(current)
                current, cells = [], shared
            current.append(index)
            cells += need
        if current:
            chunks.append(current)
        return chunks

    def _generate_chunk(
        self,
        requests: Sequence[ChatRequest],
        prompts: list[list[int]],
        chunk: list[int],
        started: float,
    ) -> list[tuple[int, Reply]]:
        shared = _common_prefix([prompts[i] for i in chunk])
        shared = self._load_prefix(shared)
        sequences = [
            _Sequence(
                index=index,
                seq_id=slot + 1,
                tokens=prompts[index],
                max_tokens=requests[index].settings.max_tokens,
                sampler=self._sampler(requests[index]),
                started=started,
                position=len(shared),
            )
            for slot, index in enumerate(chunk)
        ]
        memory = self.ctx.memory
        for seq_id in range(1, self.batch_size + 1):
            self._llama_cpp.llama_memory_seq_rm(memory, seq_id, -1, -1)
        for sequence in sequences:
            self._llama_cpp.llama_memory_seq_cp(memory, 0, sequence.seq_id, -1, -1)

        self._prefill(sequences)
        self._decode(sequences)
        if not self.prefix_cache:
            self._llama_cpp.llama_memory_seq_rm(memory, 0, -1, -1)
            self.prefix = []
        return [(s.index, self._reply(s)) for s in sequences]

    def _load_prefix(self, shared: list[int]) -> list[int]:
        """Make sequence 0 contain `shared`, reusing the cells it already has.

        Returns the prefix now cached. It ends at least one token before
        the shortest prompt, because each sequence needs one token of its own
        to produce logits.
        """
        kept = _shared_length(self.prefix, shared)
        self._llama_cpp.llama_memory_seq_rm(self.ctx.memory, 0, kept, -1)
        missing = shared[kept:]
        self.prefix = shared[:kept]  # stays true if a decode below fails
        for start in range(0, len(missing), _PROMPT_BATCH_TOKENS):
            block = missing[start : start + _PROMPT_BATCH_TOKENS]
            self.batch.reset()
            for offset, token in enumerate(block):
                self._add(token, kept + start + offset, 0, logits=False)
            self._decode_batch()
        self.prefix = list(shared)
        return self.prefix

    def _prefill(self, sequences: list[_Sequence]) -> None:
        """Evaluate each sequence's own prompt tokens and sample its first token."""
        pending = [(s, t) for s in sequences for t in s.tokens[s.position :]]
        last_of = {id(s): len(s.tokens) - 1 for s in sequences}
        while pending:
            block, pending = (
                pending[:_PROMPT_BATCH_TOKENS],
                pending[_PROMPT_BATCH_TOKENS:],
            )
            self.batch.reset()
            wanted: list[tuple[_Sequence, int]] = []
            for sequence, token in block:
                is_last = sequence.position == last_of[id(sequence)]
                if is_last:
                    wanted.append((sequence, self.batch.n_tokens()))
                self._add(token, sequence.position, sequence.seq_id, logits=is_last)
                sequence.position += 1
            self._decode_batch()
            for sequence, row in wanted:
                self._sample(sequence, row)

    def _decode(self, sequences: list[_Sequence]) -> None:
        """Generate one token per active sequence per decode call until all finish."""
        while active := [s for s in sequences if s.finish_reason is None]:
            self.batch.reset()
            for sequence in active:
                self._add(
                    sequence.generated[-1], sequence.position, sequence.seq_id, True
                )
                sequence.position += 1
            self._decode_batch()
            for row, sequence in enumerate(active):
                self._sample(sequence, row)

    def _sample(self, sequence: _Sequence, row: int) -> None:
        token = sequence.sampler.sample(self.ctx, row)
        if self._llama_cpp.llama_vocab_is_eog(self.llm._model.vocab, token):
            self._finish(sequence, "stop")
            return
        sequence.generated.append(token)
        if len(sequence.generated) >= sequence.max_tokens:
            self._finish(sequence, "length")

    @staticmethod
    def _finish(sequence: _Sequence, reason: str) -> None:
        sequence.finish_reason = reason
        sequence.finished_at = time.perf_counter()

    def _add(self, token: int, position: int, seq_id: int, logits: bool) -> None:
        batch = self.batch.batch
        row = batch.n_tokens
        batch.token[row] = token
        batch.pos[row] = position
        batch.seq_id[row][0] = seq_id
        batch.n_seq_id[row] = 1
        batch.logits[row] = logits
        batch.n_tokens = row + 1

    def _decode_batch(self) -> None:
        if self.batch.n_tokens() == 0:
            return
        status = self._llama_cpp.llama_decode(self.ctx.ctx, self.batch.batch)
        if status != 0:
            # Status 1 means no free KV slot, but a smaller batch may still fit.
            raise ProviderRequestError(
                "DecodeError",
                f"llama_decode failed with status {status}",
                retryable=False,
            )

    def _sampler(self, request: ChatRequest) -> Any:
        sampler = self._internals.LlamaSampler()
        settings = request.settings
        if settings.structured and request.response_schema is not None:
            sampler.add_grammar(self.llm._model, self._grammar(request.response_schema))
        if settings.temperature <= 0:
            sampler.add_greedy()
            return sampler
        sampler.add_temp(settings.temperature)
        sampler.add_dist(settings.seed)
        return sampler

    def _grammar(self, schema: dict[str, Any]) -> Any:
        from llama_cpp.llama_grammar import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            bounded = json.dumps(bound_free_text(schema))
            self._grammars[key] = LlamaGrammar.from_json_schema(bounded, verbose=False)
        return self._grammars[key]

    def _reply(self, sequence: _Sequence) -> Reply:
        text = self.llm.detokenize(sequence.generated).decode("utf-8", errors="replace")
        return Reply(
            text=text,
            finish_reason=sequence.finish_reason or "length",
            tokens_in=len(sequence.tokens),
            tokens_out=len(sequence.generated),
            latency_s=sequence.finished_at - sequence.started,
        )


def bound_free_text(schema: Any, limit: int = MAX_FREE_TEXT_CHARS) -> Any:
    """Return a copy of `schema` whose unbounded free-text strings get `maxLength`.

    Small models otherwise tend to ramble inside a string (an explanation)
    until max_tokens cuts the JSON off. The bound lets the grammar close the
    object. Strings with an enum, const, pattern or maxLength keep theirs.
    """
    if isinstance(schema, list):
        return [bound_free_text(item, limit) for item in schema]
    if not isinstance(schema, dict):
        return schema
    bounded = {key: bound_free_text(value, limit) for key, value in schema.items()}
    kinds = schema.get("type")
    is_string = kinds == "string" or (isinstance(kinds, list) and "string" in kinds)
    fixed = {"enum", "const", "pattern", "maxLength"} & schema.keys()
    if is_string and not fixed:
        bounded["maxLength"] = limit
    return bounded


def _shared_length(first: list[int], second: list[int]) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def _common_prefix(token_lists: list[list[int]]) -> list[int]:
    """Return the longest common prefix, one token short of the shortest list."""
    if not token_lists:
        return []
    shortest = min(len(tokens) for tokens in token_lists)
    first = token_lists[0]
    length = 0
    while length < shortest - 1 and all(
        t[length] == first[length] for t in token_lists
    ):
        length += 1
    return first[:length]


def _chat_formatter(llm: Any) -> Any:
    """Build the chat formatter from the GGUF's own chat template."""
    from llama_cpp import llama_chat_format

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        raise ModelError(
            f"GGUF file {llm.model_path} has no chat template",
            hint="use an instruct model whose GGUF carries tokenizer.chat_template",
        )
    eos = llm.token_eos()
    bos = llm.token_bos()
    return llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
        bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
        stop_token_ids=[eos],
    )
