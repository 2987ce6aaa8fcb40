"""Model specs (`provider:name`) and the providers they resolve to.

Providers register by module path and load on first use, so listing them or
parsing a spec imports no SDK. A provider whose module or optional dependency
is missing raises one `ModelError` line that names the install step.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cybench.errors import ModelError, UsageError

if TYPE_CHECKING:
    from cybench.models.base import Provider


@dataclass(frozen=True)
class ProviderEntry:
    """A registered provider: its prefix, import path and install hint."""

    prefix: str
    target: str
    """`module:Class` of the Provider subclass."""
    install: str
    """What to install when the module or its dependency is missing."""
    example: str
    """A spec that shows the name form, for help and `cybench models`."""


PROVIDERS: dict[str, ProviderEntry] = {}


def register(entry: ProviderEntry) -> None:
    """Add a provider under its prefix; a later entry replaces an earlier one."""
    PROVIDERS[entry.prefix] = entry


for _entry in (
    ProviderEntry(
        "openai",
        "cybench.models.openai_provider:OpenAIProvider",
        "pip install openai",
        "openai:gpt-4o-mini",
    ),
    ProviderEntry(
        "anthropic",
        "cybench.models.anthropic_provider:AnthropicProvider",
        "pip install anthropic",
        "anthropic:claude-3-5-haiku-latest",
    ),
    ProviderEntry(
        "baseline",
        "cybench.models.baseline:BaselineProvider",
        "pip install scikit-learn",
        "baseline:random-forest",
    ),
    ProviderEntry(
        "scripted",
        "cybench.models.scripted:ScriptedProvider",
        "reinstall cybench",
        "scripted:always-attack",
    ),
    ProviderEntry(
        "llamacpp",
        "cybench.models.llamacpp:LlamaCppProvider",
        "CMAKE_ARGS=-DGGML_NATIVE=OFF pip install 'cybench[llamacpp]'",
        "llamacpp:qwen2.5-coder-0.5b",
    ),
    ProviderEntry(
        "mlx",
        "cybench.models.mlx_provider:MlxProvider",
        "pip install 'cybench[mlx]'",
        "mlx:smollm2",
    ),
):
    register(_entry)


def split_spec(spec: str) -> tuple[str, str]:
    """Split `provider:name` at the first colon; raise UsageError on a bad spec."""
    prefix, sep, name = spec.strip().partition(":")
    if not sep or not prefix or not name:
        raise UsageError(
            f"invalid model spec {spec!r}",
            hint=f"write provider:name, e.g. {PROVIDERS['openai'].example}; "
            "`cybench models` lists the providers",
        )
    if prefix not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        raise UsageError(
            f"unknown model provider {prefix!r} in {spec!r}",
            hint=f"use one of {known}",
        )
    return prefix, name


def provider_class(prefix: str) -> type[Provider]:
    """Import and return the provider class registered under `prefix`."""
    entry = PROVIDERS[prefix]
    module_name, _, class_name = entry.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        raise ModelError(
            f"the {prefix} provider is unavailable: module {missing} is not installed",
            hint=f"install it with `{entry.install}`",
        ) from exc
    try:
        return getattr(module, class_name)
    except AttributeError as exc:
        raise ModelError(
            f"the {prefix} provider module {module_name} has no class {class_name}",
            hint=f"reinstall it with `{entry.install}`",
        ) from exc


def resolve_provider(spec: str, options: dict[str, Any] | None = None) -> Provider:
    """Return a provider instance for `spec`; cheap, loads no model."""
    prefix, name = split_spec(spec)
    return provider_class(prefix)(name, options)


def aliases() -> dict[str, str]:
    """Return alias spec -> model title for the packaged local models.

    Reads the alias table of `cybench.models.weights` (llama.cpp) and the
    `ALIASES` mapping of `cybench.models.mlx_provider`, when those modules
    exist; neither import loads a model.
    """
    table: dict[str, str] = {}
    try:
        from cybench.models.weights import PACKAGED_MODELS
    except ImportError:
        PACKAGED_MODELS = {}
    for alias, model in PACKAGED_MODELS.items():
        table[f"llamacpp:{alias}"] = model.title
    try:
        mlx = importlib.import_module("cybench.models.mlx_provider")
    except ImportError:
        return table
    for alias, target in dict(getattr(mlx, "ALIASES", {})).items():
        title = target if isinstance(target, str) else getattr(target, "title", "")
        table[f"mlx:{alias}"] = str(title)
    return table
