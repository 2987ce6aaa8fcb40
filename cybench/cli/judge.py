"""The `cybench judge` command."""

from __future__ import annotations

from typing import Annotated

import typer

from cybench.cli.output import print_json, print_rows, say
from cybench.cli.state import JsonFlag, state, wants_json


def judge(
    ctx: typer.Context,
    run: Annotated[
        str, typer.Argument(help="Key prefix of a responses artifact (a run).")
    ],
    judges: Annotated[
        list[str],
        typer.Option(
            "--judge",
            help="Judge model spec, provider:name; repeat for several judges, whose "
            "agreement is then reported.",
        ),
    ],
    rubric_version: Annotated[
        int | None,
        typer.Option(
            "--rubric-version", min=1, help="Rubric version (default: the latest)."
        ),
    ] = None,
    max_tokens: Annotated[
        int,
        typer.Option("--max-tokens", min=1, help="Maximum tokens in each judge reply."),
    ] = 300,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size", min=1, help="Requests per batch for local judges."
        ),
    ] = 8,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, help="Requests in flight for API judges."),
    ] = 8,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="OpenAI-compatible server URL for openai: judges."
        ),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Rate each response's explanation with a judge model and a versioned rubric.

    The judge gets the task (with the record), the true label and the response's
    label and explanation, never which model wrote it. Scores are 1-5 for
    faithfulness, reasoning and usefulness. Judgments already stored for the
    same judge, rubric and response are reused.
    """
    from cybench.cli.settings import build_settings
    from cybench.judge import LATEST, JudgeSettings, ensure_judgments, rubric
    from cybench.scoring.step import responses_of

    version = LATEST if rubric_version is None else rubric_version
    rules = rubric(version)
    all_settings = [
        build_settings(
            JudgeSettings,
            "judge",
            {
                "judge": spec,
                "rubric_version": version,
                "max_tokens": max_tokens,
                "batch_size": batch_size,
                "concurrency": concurrency,
                "base_url": base_url,
            },
        )
        for spec in judges
    ]
    store = state(ctx).store()
    responses = responses_of(store, store.resolve(run))
    results = []
    for settings in all_settings:
        spec = settings.judge
        with _progress(f"judging with {spec}", responses.rows) as advance:
            result = ensure_judgments(store, responses, settings, progress=advance)
        verb = "reused" if result.reused_artifact else "wrote"
        say(
            f"{verb} judgments {result.manifest.key} "
            f"({result.requested} requests, "
            f"{result.reused_rows} stored judgments reused)"
        )
        results.append(result)

    agreements = _agreements(store, responses, version, list(rules.criteria))
    if wants_json(ctx, json_output):
        print_json(
            {
                "judgments": [r.manifest.model_dump(mode="json") for r in results],
                "agreement": agreements,
            }
        )
        return
    _print_summary(results, list(rules.criteria))
    if agreements:
        rows = [
            [
                a["judge_a"],
                a["judge_b"],
                a["criterion"],
                a["n"],
                "n/a" if a["kappa"] is None else f"{a['kappa']:.3f}",
            ]
            for a in agreements
        ]
        print_rows(
            ["judge A", "judge B", "criterion", "n", "weighted kappa"],
            rows,
            title="judge agreement (Cohen's kappa, quadratic weights)",
        )


def _agreements(store, responses, version: int, criteria: list[str]) -> list[dict]:
    from cybench.judge import agreement, judge_pairs

    out = []
    for a, b in judge_pairs(store, responses, version):
        for entry in agreement(store.read_table(a), store.read_table(b), criteria):
            out.append(
                {"judge_a": a.params["judge"], "judge_b": b.params["judge"], **entry}
            )
    return out


def _print_summary(results, criteria: list[str]) -> None:
    rows = []
    for result in results:
        summary = result.manifest.meta.get("summary", {})
        means = summary.get("means", {})
        statuses = summary.get("statuses", {})
        rows.append(
            [
                result.manifest.params["judge"],
                result.manifest.short_key,
                result.manifest.rows,
                summary.get("rated", 0),
                *[
                    "n/a" if means.get(c) is None else f"{means[c]:.2f}"
                    for c in criteria
                ],
                ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
            ]
        )
    print_rows(
        ["judge", "judgments", "rows", "rated", *criteria, "statuses"],
        rows,
        title="mean rubric scores (1-5) over rated responses",
    )


class _progress:
    """Rich progress bar on stderr; yields a callback that advances it."""

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = total

    def __enter__(self):
        from rich.progress import Progress

        from cybench.cli.output import err_console

        self.bar = Progress(console=err_console(), transient=True)
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=self.total)
        return lambda count: self.bar.advance(self.task, count)

    def __exit__(self, *exc) -> None:
        self.bar.stop()


def register(app: typer.Typer) -> None:
    app.command("judge")(judge)
