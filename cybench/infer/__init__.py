"""The infer step: run a model over a prep's prompts, with resume and reuse.

See `cybench.infer.run` for how rows and artifacts are reused.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RunConfig": "cybench.infer.config",
    "run_infer": "cybench.infer.run",
    "InferResult": "cybench.infer.run",
    "DryRunEstimate": "cybench.infer.run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cybench.infer' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
