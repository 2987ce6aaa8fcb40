"""Every CLI command has a docs page that names it and shows it in an example.

Commands are found by walking the Typer app, sub-commands included, so a new
command fails this test until docs/ covers it. The SQL cookbook in
docs/store.md runs against a store built here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PAGES = (
    "quickstart.md",
    "datasets.md",
    "models.md",
    "metrics.md",
    "store.md",
    "recipes.md",
    "cli.md",
    "benchmarks.md",
)


def _commands() -> list[str]:
    from typer.main import get_command

    from cybench.cli.app import app

    found: list[str] = []

    def walk(command, path: str) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            full = f"{path} {name}"
            found.append(full)
            walk(sub, full)

    walk(get_command(app), "cybench")
    return found


def _docs_text() -> str:
    return "\n".join(p.read_text() for p in sorted(DOCS.glob("*.md")))


def _examples(text: str) -> str:
    """Return the contents of the fenced code blocks of `text`."""
    return "\n".join(re.findall(r"```[a-z]*\n(.*?)```", text, re.S))


def test_docs_pages_present():
    missing = [p for p in PAGES if not (DOCS / p).is_file()]
    assert missing == []


def test_command_walk_finds_store_subcommands():
    assert "cybench store sql" in _commands()


@pytest.mark.parametrize("command", _commands())
def test_command_named_on_a_page(command):
    assert re.search(rf"{re.escape(command)}\b", _docs_text()), (
        f"no page in docs/ mentions `{command}`"
    )


@pytest.mark.parametrize("command", _commands())
def test_command_has_an_example(command):
    examples = _examples(_docs_text())
    assert re.search(rf"(^|\s|\$\(){re.escape(command)}\b", examples, re.M), (
        f"no code block in docs/ runs `{command}`"
    )


def test_each_page_linked_from_quickstart():
    text = (DOCS / "quickstart.md").read_text()
    unlinked = [p for p in PAGES if p != "quickstart.md" and f"({p})" not in text]
    assert unlinked == []


def _cookbook() -> list[str]:
    text = (DOCS / "store.md").read_text()
    return re.findall(r"```sql\n(.*?)```", text, re.S)


@pytest.fixture(scope="module")
def cookbook_store(tmp_path_factory):
    """A store with every view the cookbook reads: samples, prompts, responses,
    response_rows and scores, written in the layouts the steps use."""
    import time

    import pyarrow as pa

    from cybench import schemas
    from cybench.store import Store
    from tests.report.builders import scored_runs

    store = Store(tmp_path_factory.mktemp("cookbook") / "store")
    runs = scored_runs(store, categories=["Normal", "Exploits", "DoS"])
    prompts = store.read_table(store.manifests("prompts")[0]).to_pylist()
    samples = [
        {k: p[k] for k in ("sample_id", "split", "label", "y", "category")}
        | {"dataset": "unsw", "text": None}
        for p in prompts
    ]
    store.write(
        "prep",
        "samples",
        schemas.SAMPLES,
        {"dataset": "unsw"},
        {},
        pa.Table.from_pylist(samples),
        started=time.perf_counter(),
    )
    for run in runs:
        store.rows("responses").append(store.read_table(run))
    return store


def test_cookbook_has_queries():
    assert len(_cookbook()) >= 10


@pytest.mark.parametrize("index", range(len(_cookbook())))
def test_cookbook_query_runs(cookbook_store, index):
    query = _cookbook()[index]
    with cookbook_store.connect() as con:
        con.execute(query).fetchall()


def test_cookbook_f1_query_one_row_per_run(cookbook_store):
    query = next(q for q in _cookbook() if "QUALIFY" in q)
    with cookbook_store.connect() as con:
        rows = con.execute(query).fetchall()
    assert len(rows) == 2


def _example_lines() -> list[str]:
    """Return the example command lines of the docs, continuation lines joined."""
    text = _examples(_docs_text()).replace("\\\n", " ")
    return [line for line in text.splitlines() if "cybench " in line]


def _options_by_command() -> dict[str, set[str]]:
    from typer.main import get_command

    from cybench.cli.app import app

    root = get_command(app)
    global_options = {o for p in root.params for o in p.opts}
    found: dict[str, set[str]] = {}

    def walk(command, path: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            options = {o for p in sub.params for o in (*p.opts, *p.secondary_opts)}
            found[f"{path} {name}"] = options | global_options | {"--help", "-h"}
            walk(sub, f"{path} {name}")

    walk(root, "cybench")
    return found


def test_example_options_exist():
    options = _options_by_command()
    unknown = []
    for line in _example_lines():
        for command in sorted(options, key=len, reverse=True):
            start = line.find(command + " ")
            if start < 0 and not line.endswith(command):
                continue
            tail = line[start + len(command) :].split("|")[0].split("&&")[0]
            flags = re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", tail)
            unknown += [f"{command} {f}" for f in flags if f not in options[command]]
            break
    assert unknown == []
