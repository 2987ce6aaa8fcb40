"""The `cybench prep` command.

stdout carries the prompts artifact key (or, with `--json`, both manifests);
the summary and the prompts printed by `--show N` go to stderr.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cybench.cli.output import print_json, say, warn
from cybench.cli.state import JsonFlag, state, wants_json


def prep(
    ctx: typer.Context,
    dataset: Annotated[
        str, typer.Argument(help="Dataset name; `cybench datasets` lists them.")
    ],
    raw: Annotated[
        str | None,
        typer.Option(
            "--raw",
            help="Key prefix of the raw artifact (default: the newest of this dataset, "
            "fetched from a local copy when there is none).",
            show_default=False,
        ),
    ] = None,
    template: Annotated[
        str, typer.Option("--template", help="Prompt template: zero-shot or few-shot.")
    ] = "zero-shot",
    k: Annotated[
        int, typer.Option("--k", help="Few-shot examples, drawn from the train split.")
    ] = 4,
    per_class: Annotated[
        int | None,
        typer.Option(
            "--per-class",
            help="Prompts per class, balanced (default 2: 20 prompts for UNSW-NB15).",
            show_default=False,
        ),
    ] = None,
    prevalence: Annotated[
        str,
        typer.Option(
            "--prevalence",
            help="balanced (--per-class per class) or natural (--n records).",
        ),
    ] = "balanced",
    n: Annotated[
        int | None,
        typer.Option(
            "--n",
            help="Prompt set size at natural class prevalence (default 20); implies "
            "--prevalence natural.",
            show_default=False,
        ),
    ] = None,
    split: Annotated[
        str, typer.Option("--split", help="Split to prompt: train, dev or test.")
    ] = "test",
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the split and the samples.")
    ] = 0,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", help="Keep at most this many prompts.", show_default=False
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Report the artifacts that would be written."),
    ] = False,
    show: Annotated[
        int,
        typer.Option(
            "--show", min=0, help="Print this many rendered prompts on stderr."
        ),
    ] = 0,
    json_output: JsonFlag = False,
) -> None:
    """Clean, deduplicate, split and sample a fetched dataset, and render prompts."""
    from cybench.datasets.duck import ctrl_c_from_queries
    from cybench.datasets.prep import ensure_prep

    store = state(ctx).store()
    with ctrl_c_from_queries():
        samples, prompts = ensure_prep(
            store,
            dataset,
            raw=raw,
            dry_run=dry_run,
            template=template,
            k=k,
            per_class=per_class,
            prevalence=prevalence,
            n=n,
            split=split,
            seed=seed,
            limit=limit,
        )
    if wants_json(ctx, json_output):
        print_json(
            {
                "samples": samples.model_dump(mode="json"),
                "prompts": prompts.model_dump(mode="json"),
            }
        )
    else:
        report_prep(samples, prompts)
    if show > 0 and not prompts.meta.get("dry_run"):
        show_prompts(store, prompts, show)


def report_prep(samples, prompts) -> None:  # both cybench.store.Manifest
    """Print the counts on stderr and the prompts key on stdout."""
    for kind, manifest in (("samples", samples), ("prompts", prompts)):
        if manifest.meta.get("dry_run"):
            say(f"would write {kind} {manifest.key}")
    counts = samples.meta.get("counts")
    if counts:
        say(
            f"{samples.meta.get('title')}: {counts['clean_rows']:,} records, "
            f"{counts['duplicates_removed']:,} exact duplicates removed, "
            f"{counts['conflicting_label_vectors']:,} feature vectors with conflicting "
            f"labels ({counts.get('conflicting_category_vectors', 0):,} with "
            "conflicting "
            "categories)"
        )
        sizes = {s: sum(c.values()) for s, c in counts.get("by_split", {}).items()}
        say(
            "splits: "
            + ", ".join(f"{s} {sizes.get(s, 0):,}" for s in ("train", "dev", "test"))
        )
    for message in samples.meta.get("warnings", []):
        warn(message)
    if not prompts.meta.get("dry_run"):
        classes = prompts.meta.get("class_counts", {})
        detail = ", ".join(f"{c} {v}" for c, v in classes.items())
        say(f"{prompts.rows} prompts ({prompts.params.get('template')}): {detail}")
    typer.echo(prompts.key)


def show_prompts(store, prompts, count: int) -> None:
    """Print the first `count` rendered prompts on stderr."""
    table = store.read_table(
        prompts, columns=["sample_id", "label", "category", "system", "user"]
    )
    for index, row in enumerate(table.slice(0, count).to_pylist(), start=1):
        truth = row["category"] or row["label"]
        say(
            f"--- prompt {index} of {prompts.rows} "
            f"(sample {row['sample_id'][:12]}, {truth})"
        )
        say("[system]")
        say(row["system"])
        say("[user]")
        say(row["user"])


def register(app: typer.Typer) -> None:
    app.command("prep")(prep)
