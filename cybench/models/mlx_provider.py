"""The `mlx:` provider: models run in-process through mlx-lm.

`mlx:NAME` takes one of:
- a hub alias (`llama3`, see `HUB_ALIASES`) or a full Hugging Face repository
  id, loaded with mlx-lm's own `load`, which downloads on first use;
- `smollm2`, the package-carried SmolLM2 GGUF, converted once to an fp32 MLX
  folder in the model cache;
- a local MLX model folder (config.json, safetensors, tokenizer files);
- a `.gguf` file of a llama-architecture model in a type `mlx.core.load`
  reads (F32, F16, Q4_0, Q4_1, Q8_0), converted like SmolLM2.

Requests are answered with `mlx_lm.batch_generate`, which prefills and decodes
up to `batch_size` prompts together. mlx-lm has no constrained decoding, so
replies are free text for the tolerant parser.

On Linux the `mlx-cpu` wheel runs matrix products on a slow reference BLAS.
`preload_openblas` loads the system OpenBLAS with RTLD_GLOBAL before mlx is
imported, so mlx's BLAS symbols bind to it: fp32 prompt processing ran 10-17x
faster that way on a 2-core x86-64 machine. It has no effect once mlx is
imported, and none on macOS, where MLX uses Accelerate and Metal.
"""

from __future__ import annotations

import ctypes
import glob
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from cybench.errors import ModelError
from cybench.models.base import ChatRequest, GenerationSettings, Provider, Reply
from cybench.models.weights import (
    check_gguf,
    file_digest,
    models_dir,
    resolve_packaged,
)

log = logging.getLogger(__name__)

HUB_ALIASES: dict[str, str] = {
    "llama3": "mlx-community/Meta-Llama-3-8B-Instruct-4bit",
    "llama3.1": "mlx-community/Meta-Llama-3.1-8B-Instruct-4bit",
    "llama3.2": "mlx-community/Llama-3.2-3B-Instruct-4bit",
    "qwen2.5": "mlx-community/Qwen2.5-7B-Instruct-4bit",
    "qwen2.5-coder": "mlx-community/Qwen2.5-Coder-7B-Instruct-4bit",
    "mistral": "mlx-community/Mistral-7B-Instruct-v0.3-4bit",
    "gemma2": "mlx-community/gemma-2-9b-it-4bit",
    "phi3.5": "mlx-community/Phi-3.5-mini-instruct-4bit",
}
"""Short names for instruct models that the mlx-community organisation publishes."""

PACKAGED_ALIASES = ("smollm2",)
"""Aliases of package-carried GGUF files whose type `mlx.core.load` reads."""

ALIASES: dict[str, str] = {
    **HUB_ALIASES,
    "smollm2": "SmolLM2-135M-Instruct Q4_1 GGUF from PyPI, converted to fp32 MLX",
}
"""Every `mlx:` alias and what it names, for `cybench models`."""

DEFAULT_BATCH_SIZE = 8
_GGUF_BLOCK = 32
_OPENBLAS_PATTERNS = (
    "/usr/lib/*/openblas-pthread/libopenblas.so*",
    "/usr/lib/*/libopenblas.so*",
    "/usr/lib/libopenblas.so*",
)
_openblas_loaded: str | None = None


def preload_openblas() -> str | None:
    """Load the system OpenBLAS globally before mlx's first import (Linux only).

    Returns the library path loaded, or None when there is none or it is too
    late (mlx already imported).
    """
    global _openblas_loaded
    if _openblas_loaded or not sys.platform.startswith("linux"):
        return _openblas_loaded
    if "mlx.core" in sys.modules:
        log.debug("mlx already imported; OpenBLAS not preloaded")
        return None
    for pattern in _OPENBLAS_PATTERNS:
        for candidate in sorted(glob.glob(pattern)):
            try:
                ctypes.CDLL(candidate, mode=ctypes.RTLD_GLOBAL)
            except OSError as error:
                log.debug("could not load %s: %s", candidate, error)
                continue
            _openblas_loaded = candidate
            log.debug("preloaded %s for mlx", candidate)
            return candidate
    return None


def _import_mlx_lm() -> Any:
    preload_openblas()
    try:
        import mlx_lm
    except ImportError as error:
        raise ModelError(
            f"mlx-lm is not installed ({error})",
            hint='install it with: pip install "mlx-lm[cpu]" (Linux) or mlx-lm (macOS)',
        ) from None
    return mlx_lm


class MlxProvider(Provider):
    """Runs a model with mlx-lm and generates replies in batches."""

    prefix: ClassVar[str] = "mlx"
    local: ClassVar[bool] = True
    summary: ClassVar[str] = "MLX models in-process through mlx-lm (Metal or CPU)"
    requires: ClassVar[str] = (
        "mlx-lm; the Hugging Face hub for hub aliases, or a local folder or GGUF"
    )

    def __init__(self, name: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(name, options)
        self.reference = parse_mlx_name(name)
        self.batch_size = int(self.options.get("batch_size", DEFAULT_BATCH_SIZE))
        # NOTE: without a `revision` option a hub model is recorded as `@main`,
        # which stays the same when the hub's main branch moves on.
        self.revision = str(self.options.get("revision") or "main")
        self._id: str | None = None
        self._model: Any = None
        self._tokenizer: Any = None

    @property
    def model_id(self) -> str:
        """Repository id and revision, or file name and weight digest."""
        if self._id is None:
            self._id = self.reference.model_id(self.revision)
        return self._id

    def load(self) -> None:
        """Convert a GGUF source once, then load weights and tokenizer (once)."""
        if self._model is not None:
            return
        source = self.reference.load_path()
        mlx_lm = _import_mlx_lm()
        try:
            revision = self.revision if self.reference.kind == "hub" else None
            self._model, self._tokenizer = mlx_lm.load(source, revision=revision)
        except Exception as error:  # noqa: BLE001 - hub and loader errors vary
            raise _load_error(source, error) from None

    def generate(self, requests: Sequence[ChatRequest]) -> list[Reply]:
        """Generate replies in order, `batch_size` prompts per batch_generate call."""
        if not requests:
            return []
        self.load()
        replies: list[Reply] = []
        for start in range(0, len(requests), self.batch_size):
            batch = requests[start : start + self.batch_size]
            replies.extend(self._generate_batch(batch))
        return replies

    def close(self) -> None:
        self._model = None
        self._tokenizer = None

    def _generate_batch(self, requests: Sequence[ChatRequest]) -> list[Reply]:
        from mlx_lm import batch_generate

        settings = requests[0].settings
        prompts = [self._prompt_tokens(request) for request in requests]
        started = time.perf_counter()
        response = batch_generate(
            self._model,
            self._tokenizer,
            prompts,
            max_tokens=[request.settings.max_tokens for request in requests],
            return_token_ids=True,
            sampler=_sampler(settings),
            prefill_batch_size=len(prompts),
            completion_batch_size=len(prompts),
        )
        elapsed = time.perf_counter() - started
        return [
            _reply(request, prompt, text, tokens, elapsed)
            for request, prompt, text, tokens in zip(
                requests, prompts, response.texts, response.token_ids, strict=True
            )
        ]

    def _prompt_tokens(self, request: ChatRequest) -> list[int]:
        messages = [
            {"role": "system", "content": request.system},
            {"role": "user", "content": request.user},
        ]
        return list(
            self._tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, tokenize=True
            )
        )


def _sampler(settings: GenerationSettings) -> Any:
    import mlx.core as mx
    from mlx_lm.sample_utils import make_sampler

    mx.random.seed(settings.seed)
    return make_sampler(temp=max(settings.temperature, 0.0))


def _reply(
    request: ChatRequest,
    prompt: list[int],
    text: str,
    tokens: list[int],
    elapsed: float,
) -> Reply:
    # batch_generate returns all generated tokens except the stop token, so a
    # reply of exactly max_tokens tokens is one that hit the limit. The
    # latency is the wall time of the whole batch.
    finish = "length" if len(tokens) >= request.settings.max_tokens else "stop"
    return Reply(
        text=text,
        finish_reason=finish,
        tokens_in=len(prompt),
        tokens_out=len(tokens),
        latency_s=elapsed,
    )


def _load_error(source: str, error: Exception) -> ModelError:
    if Path(source).exists():
        return ModelError(f"mlx could not load {source}: {error}")
    return ModelError(
        f"mlx model {source} is not in the local Hugging Face cache and could "
        f"not be downloaded ({type(error).__name__})",
        hint=f"download it on a connected machine (huggingface-cli download {source}) "
        "or pass a local MLX folder or GGUF file: mlx:/path/to/model",
    )


@dataclass(frozen=True)
class MlxReference:
    """The model an `mlx:` name refers to; `kind` is packaged, gguf, folder or hub."""

    kind: str
    value: str
    """The alias, file or folder path, or hub repository id."""

    def model_id(self, revision: str = "main") -> str:
        """Return the id recorded with responses; hashes files, loads nothing."""
        if self.kind == "hub":
            return f"mlx:{self.value}@{revision}"
        if self.kind == "folder":
            folder = Path(self.value)
            return f"mlx:{folder.name}@sha256:{_folder_digest(folder)[:12]}"
        gguf = self._gguf()
        label = self.value if self.kind == "packaged" else gguf.name
        return f"mlx:{label}@sha256:{file_digest(gguf)[:12]}-fp32"

    def load_path(self) -> str:
        """Return what mlx_lm.load takes, converting a GGUF source first."""
        if self.kind in ("hub", "folder"):
            return self.value
        gguf = self._gguf()
        return str(ensure_mlx_folder(gguf, file_digest(gguf)))

    def _gguf(self) -> Path:
        if self.kind == "packaged":
            return resolve_packaged(self.value)
        return check_gguf(Path(self.value))


def parse_mlx_name(name: str) -> MlxReference:
    """Classify what follows `mlx:` without loading or downloading anything.

    Raises `ModelError` for a name that is no alias, existing path or
    `ORG/REPO` id.
    """
    if name in PACKAGED_ALIASES:
        return MlxReference("packaged", name)
    path = Path(name).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return MlxReference("gguf", str(path))
    if path.is_dir():
        return MlxReference("folder", str(path))
    repo = HUB_ALIASES.get(name, name)
    if repo.count("/") == 1 and not path.exists() and not repo.startswith(("/", ".")):
        return MlxReference("hub", repo)
    known = ", ".join(sorted(ALIASES))
    raise ModelError(
        f"mlx model {name!r} is not an alias, an existing folder or GGUF file, "
        "or a Hugging Face repository id",
        hint=f"use one of {known}, mlx:ORG/REPO or mlx:/path/to/model",
    )


def _folder_digest(folder: Path) -> str:
    """SHA-256 over the names and digests of a folder's config and weight files."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.json")) + sorted(folder.glob("*.safetensors")):
        digest.update(path.name.encode())
        digest.update(file_digest(path).encode())
    return digest.hexdigest()


# GGUF -> Hugging Face Llama tensor names (per layer, then global).
_LAYER_NAMES = {
    "attn_norm": "input_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}
_GLOBAL_NAMES = {
    "token_embd": "model.embed_tokens",
    "output_norm": "model.norm",
    "output": "lm_head",
}


def ensure_mlx_folder(gguf: Path, digest: str) -> Path:
    """Convert a llama-architecture GGUF to an fp32 MLX folder once; return it.

    The folder (config.json, model.safetensors, tokenizer.json,
    tokenizer_config.json) is written to a temporary folder and renamed into
    `models_dir()/mlx/`, so an existing folder is always complete.
    """
    target = models_dir() / "mlx" / f"{gguf.stem}-{digest[:12]}-fp32"
    if (target / "model.safetensors").is_file():
        return target

    preload_openblas()
    import mlx.core as mx

    try:
        tensors, metadata = mx.load(str(gguf), return_metadata=True)
    except Exception as error:  # noqa: BLE001 - mlx raises plain runtime errors
        raise ModelError(
            f"mlx cannot read GGUF file {gguf} ({error})",
            hint="mlx reads F32, F16, Q4_0, Q4_1 and Q8_0 GGUF files; "
            "use llamacpp: for other types",
        ) from None
    architecture = str(metadata.get("general.architecture", ""))
    if architecture != "llama":
        raise ModelError(
            f"GGUF file {gguf} has architecture {architecture!r}; the mlx "
            "conversion handles 'llama' only",
            hint="run it with llamacpp: instead",
        )

    config = _llama_config(metadata)
    weights = _hf_weights(mx, tensors, config)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        mx.save_safetensors(str(staging / "model.safetensors"), weights)
        (staging / "config.json").write_text(json.dumps(config, indent=2))
        _write_tokenizer(staging, metadata)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _llama_config(metadata: dict[str, Any]) -> dict[str, Any]:
    def field(key: str, default: Any = None) -> Any:
        value = metadata.get(f"llama.{key}", default)
        return _scalar(value) if value is not None else None

    heads = int(field("attention.head_count"))
    hidden = int(field("embedding_length"))
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": hidden,
        "intermediate_size": int(field("feed_forward_length")),
        "num_hidden_layers": int(field("block_count")),
        "num_attention_heads": heads,
        "num_key_value_heads": int(field("attention.head_count_kv", heads)),
        "head_dim": int(field("rope.dimension_count", hidden // heads)),
        "rms_norm_eps": float(field("attention.layer_norm_rms_epsilon", 1e-5)),
        "rope_theta": float(field("rope.freq_base", 10000.0)),
        "max_position_embeddings": int(field("context_length", 4096)),
        "vocab_size": len(metadata["tokenizer.ggml.tokens"]),
        "bos_token_id": int(_scalar(metadata["tokenizer.ggml.bos_token_id"])),
        "eos_token_id": int(_scalar(metadata["tokenizer.ggml.eos_token_id"])),
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
    }


def _hf_weights(mx: Any, tensors: dict[str, Any], config: dict[str, Any]) -> dict:
    """Dequantize GGUF tensors to fp32 under Hugging Face Llama names.

    llama.cpp's converter permutes the rows of q and k projections for its
    RoPE layout. `_unpermute` restores the Hugging Face order, so the folder
    works with mlx-lm's default (non-traditional) RoPE.
    """
    weights: dict[str, Any] = {}
    for key in tensors:
        if not key.endswith(".weight"):
            continue
        stem = key[: -len(".weight")]
        value = _dequantized(mx, tensors, stem)
        name = _hf_name(stem)
        if name is None:
            continue
        if name.endswith("self_attn.q_proj"):
            value = _unpermute(value, config["num_attention_heads"])
        elif name.endswith("self_attn.k_proj"):
            value = _unpermute(value, config["num_key_value_heads"])
        weights[f"{name}.weight"] = value
    if "lm_head.weight" in weights:
        config["tie_word_embeddings"] = False
    mx.eval(weights)
    return weights


def _dequantized(mx: Any, tensors: dict[str, Any], stem: str) -> Any:
    weight = tensors[f"{stem}.weight"]
    scales = tensors.get(f"{stem}.scales")
    if scales is None:
        return weight.astype(mx.float32)
    # GGUF Q4_0, Q4_1 and Q8_0 blocks contain 32 weights, and mlx keeps them
    # packed in uint32 words, so the bit width follows from the two shapes.
    columns = scales.shape[-1] * _GGUF_BLOCK
    bits = weight.shape[-1] * 32 // columns
    biases = tensors.get(f"{stem}.biases")
    return mx.dequantize(
        weight, scales, biases, group_size=_GGUF_BLOCK, bits=bits
    ).astype(mx.float32)


def _hf_name(stem: str) -> str | None:
    if stem in _GLOBAL_NAMES:
        return _GLOBAL_NAMES[stem]
    parts = stem.split(".", 2)
    if len(parts) != 3 or parts[0] != "blk" or parts[2] not in _LAYER_NAMES:
        return None
    return f"model.layers.{parts[1]}.{_LAYER_NAMES[parts[2]]}"


def _unpermute(weight: Any, heads: int) -> Any:
    rows, columns = weight.shape
    return (
        weight.reshape(heads, rows // heads // 2, 2, columns)
        .swapaxes(1, 2)
        .reshape(rows, columns)
    )


def _write_tokenizer(folder: Path, metadata: dict[str, Any]) -> None:
    """Write tokenizer.json and tokenizer_config.json from GGUF metadata.

    Handles the byte-level BPE (`gpt2`) tokenizer model; SmolLM2's `smollm`
    pre-tokenizer splits digits individually before the byte-level split.
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    kind = metadata.get("tokenizer.ggml.model")
    if kind != "gpt2":
        raise ModelError(
            f"GGUF tokenizer model {kind!r} is not supported by the mlx conversion",
            hint="run this model with llamacpp: instead",
        )
    tokens: list[str] = list(metadata["tokenizer.ggml.tokens"])
    merges = [tuple(merge.split(" ", 1)) for merge in metadata["tokenizer.ggml.merges"]]
    vocab = {token: index for index, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False))
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if metadata.get("tokenizer.ggml.pre") == "smollm":
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), byte_level]
        )
    else:
        tokenizer.pre_tokenizer = byte_level
    tokenizer.decoder = decoders.ByteLevel()

    types = [int(t) for t in metadata["tokenizer.ggml.token_type"].tolist()]
    control = [tokens[i] for i, kind_id in enumerate(types) if kind_id == 3]
    tokenizer.add_special_tokens(
        [AddedToken(token, special=True, normalized=False) for token in control]
    )
    tokenizer.save(str(folder / "tokenizer.json"))

    def token_at(key: str) -> str | None:
        value = metadata.get(key)
        return tokens[int(_scalar(value))] if value is not None else None

    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": token_at("tokenizer.ggml.bos_token_id"),
        "eos_token": token_at("tokenizer.ggml.eos_token_id"),
        "unk_token": token_at("tokenizer.ggml.unknown_token_id"),
        "pad_token": token_at("tokenizer.ggml.padding_token_id"),
        "add_bos_token": bool(_scalar(metadata.get("tokenizer.ggml.add_bos_token", 0))),
        "chat_template": metadata.get("tokenizer.chat_template"),
        "model_max_length": int(_scalar(metadata.get("llama.context_length", 4096))),
    }
    (folder / "tokenizer_config.json").write_text(
        json.dumps(tokenizer_config, indent=2)
    )
