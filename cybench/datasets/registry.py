"""Known datasets by name, each loaded from its module on first use.

An entry maps a name to `module:attribute`, so listing the datasets imports
nothing heavy and a missing or broken dataset module gives one clear error
instead of breaking every command.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from cybench.errors import UsageError

if TYPE_CHECKING:
    from cybench.datasets.base import DatasetSpec

DATASETS: dict[str, str] = {
    "unsw": "cybench.datasets.unsw:SPEC",
    "nsl-kdd": "cybench.datasets.nslkdd:SPEC",
    "phishing-email": "cybench.datasets.phishing:SPEC",
}
ALIASES = {"unsw-nb15": "unsw", "nslkdd": "nsl-kdd", "phishing": "phishing-email"}


def dataset_names() -> list[str]:
    """Return the registered dataset names in registry order."""
    return list(DATASETS)


def resolve_name(name: str) -> str:
    """Return the registry name for `name` or an alias; raise UsageError if unknown."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key in DATASETS:
        return key
    raise UsageError(
        f"unknown dataset {name!r}",
        hint=f"choose one of {', '.join(DATASETS)} (`cybench datasets` lists them)",
    )


@cache
def get_dataset(name: str) -> DatasetSpec:
    """Return the spec of dataset `name`, importing its module on first use."""
    key = resolve_name(name)
    module_name, _, attribute = DATASETS[key].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise UsageError(
            f"dataset {key} is registered but its module {module_name} is missing",
            hint="reinstall cybench or choose another dataset",
        ) from exc
    spec = getattr(module, attribute, None)
    if spec is None:
        raise UsageError(
            f"dataset module {module_name} has no {attribute} object",
            hint="the module must define the DatasetSpec instance it is registered by",
        )
    return spec
