"""Model specs, provider lookup and the `cybench models` listing."""

from __future__ import annotations

import pytest

from cybench.errors import ModelError, UsageError
from cybench.models import registry
from cybench.models.registry import ProviderEntry, resolve_provider, split_spec


def test_split_spec_keeps_colons_in_name():
    assert split_spec("llamacpp:/models/a:b.gguf") == ("llamacpp", "/models/a:b.gguf")


def test_spec_without_provider_is_usage_error():
    with pytest.raises(UsageError) as raised:
        split_spec("gpt-4o")
    assert "provider:name" in raised.value.one_line()


def test_unknown_provider_lists_known_ones():
    with pytest.raises(UsageError) as raised:
        split_spec("bard:gemini")
    assert "openai" in raised.value.one_line()


def test_missing_module_is_one_line(monkeypatch):
    entry = ProviderEntry(
        "ghost", "cybench.models.ghost:Ghost", "pip install ghost", ""
    )
    monkeypatch.setitem(registry.PROVIDERS, "ghost", entry)
    with pytest.raises(ModelError) as raised:
        resolve_provider("ghost:x")
    line = raised.value.one_line()
    assert "cybench.models.ghost is not installed" in line
    assert "pip install ghost" in line
    assert "\n" not in line


def test_local_providers_register_by_module_path():
    assert registry.PROVIDERS["llamacpp"].target == (
        "cybench.models.llamacpp:LlamaCppProvider"
    )
    assert registry.PROVIDERS["mlx"].target == "cybench.models.mlx_provider:MlxProvider"


def test_scripted_resolves_like_real_providers():
    provider = resolve_provider("scripted:always-attack")
    assert provider.model_id == "scripted:always-attack"
    assert provider.local


def test_openai_model_id_records_base_url():
    provider = resolve_provider("openai:llama3", {"base_url": "http://127.0.0.1:9/v1/"})
    assert provider.model_id == "openai:llama3@http://127.0.0.1:9/v1"


def test_unknown_baseline_is_usage_error():
    with pytest.raises(UsageError):
        resolve_provider("baseline:xgboost")


def test_models_command_lists_providers(cli):
    result = cli("models", "--json")
    assert result.exit_code == 0
    assert '"provider": "anthropic"' in result.stdout
    assert '"provider": "baseline"' in result.stdout
    assert "OPENAI_API_KEY" in result.stdout


def test_mlx_aliases_list_their_descriptions():
    from cybench.models.mlx_provider import ALIASES

    assert registry.aliases()["mlx:smollm2"] == ALIASES["smollm2"]
