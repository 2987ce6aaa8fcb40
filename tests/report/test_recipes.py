"""Static checks of the shell recipes: syntax, strict mode, overridable cybench."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RECIPES = sorted((REPO / "recipes").glob("*.sh"))
OWN = ("unsw-zero-vs-few-shot.sh", "phishing-local-vs-baseline.sh", "api-models.sh")


def test_recipes_present():
    assert {p.name for p in RECIPES} >= set(OWN)


@pytest.mark.parametrize("name", OWN)
def test_recipe_parses(name):
    done = subprocess.run(["bash", "-n", REPO / "recipes" / name], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.parametrize("name", OWN)
def test_recipe_strict_mode(name):
    assert "set -euo pipefail" in (REPO / "recipes" / name).read_text()


@pytest.mark.parametrize("name", OWN)
def test_recipe_cybench_overridable(name):
    assert (
        "CYBENCH=${CYBENCH:-.venv/bin/cybench}" in (REPO / "recipes" / name).read_text()
    )


def test_api_recipe_without_keys_exits_2(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL")
    }
    env["CYBENCH"] = str(tmp_path / "no-cybench")  # must not be reached
    done = subprocess.run(
        ["bash", REPO / "recipes" / "api-models.sh"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2


def test_api_recipe_without_keys_says_why(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL")
    }
    done = subprocess.run(
        ["bash", REPO / "recipes" / "api-models.sh"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        text=True,
    )
    assert "OPENAI_API_KEY" in done.stderr and "ANTHROPIC_API_KEY" in done.stderr
