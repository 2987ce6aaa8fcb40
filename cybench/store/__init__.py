"""Content-addressed artifact store; see `cybench.store.store` for the identity rule.

Names load on first use, so importing this package for a constant costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Manifest": "cybench.store.manifest",
    "Store": "cybench.store.store",
    "resolve_store_path": "cybench.store.store",
    "artifact_key": "cybench.store.keys",
    "canonical_json": "cybench.store.keys",
    "digest_json": "cybench.store.keys",
    "row_key": "cybench.store.keys",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cybench.store' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
