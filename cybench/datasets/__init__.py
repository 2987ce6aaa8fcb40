"""Datasets: the spec interface, the registry, and the fetch and prep steps.

`ensure_fetch` and `ensure_prep` are the entry points other steps call; names
load on first use so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ensure_fetch": "cybench.datasets.fetch",
    "ensure_prep": "cybench.datasets.prep",
    "PrepConfig": "cybench.datasets.prep",
    "get_dataset": "cybench.datasets.registry",
    "dataset_names": "cybench.datasets.registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cybench.datasets' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
