"""Canonical JSON and algorithm-tagged digests: the identity rule of the store.

An artifact key is `sha256:` followed by the hex SHA-256 of the canonical JSON
of `{"step", "kind", "schema_version", "params", "inputs"}`. Canonical JSON has
sorted keys, compact separators, UTF-8 and no NaN or infinity. A value that is
not plain JSON (a set, a date, an object) is rejected, never `repr()`-ed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

ALGORITHM = "sha256"


def _check_json(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{path} is {value}; canonical JSON has no NaN or infinity")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{path} has a non-string key {k!r}")
            _check_json(v, f"{path}.{k}")
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_json(v, f"{path}[{i}]")
        return
    raise TypeError(f"{path} has type {type(value).__name__}, which is not plain JSON")


def canonical_json(value: Any) -> bytes:
    """Encode `value` as canonical JSON bytes; raise TypeError on non-JSON values."""
    _check_json(value, "value")
    text = json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def digest_bytes(data: bytes) -> str:
    """Return the algorithm-tagged digest of raw bytes, e.g. `sha256:ab12...`."""
    return f"{ALGORITHM}:{hashlib.sha256(data).hexdigest()}"


def digest_json(value: Any) -> str:
    """Return the algorithm-tagged digest of the canonical JSON of `value`."""
    return digest_bytes(canonical_json(value))


def digest_file(path: str, chunk_size: int = 1 << 20) -> str:
    """Return the algorithm-tagged digest of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            h.update(chunk)
    return f"{ALGORITHM}:{h.hexdigest()}"


def artifact_key(
    step: str,
    kind: str,
    schema_version: int,
    params: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> str:
    """Return the key of the artifact a step would write for these inputs."""
    return digest_json(
        {
            "step": step,
            "kind": kind,
            "schema_version": schema_version,
            "params": params,
            "inputs": inputs,
        }
    )


def row_key(fields: Mapping[str, Any]) -> str:
    """Return the key of one row from the fields that determine its content."""
    return digest_json(fields)


def split_key(key: str) -> tuple[str, str]:
    """Split `sha256:hex` into its algorithm and hex digest."""
    algorithm, sep, hexdigest = key.partition(":")
    if not sep or algorithm != ALGORITHM or not hexdigest:
        raise ValueError(f"not an algorithm-tagged key: {key!r}")
    return algorithm, hexdigest
