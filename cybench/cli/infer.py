"""The `cybench infer` and `cybench models` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cybench.cli.output import print_json, print_rows, say, warn
from cybench.cli.state import JsonFlag, state, wants_json


def infer(
    ctx: typer.Context,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="Model spec provider:name, e.g. openai:gpt-4o-mini, "
            "llamacpp:qwen2.5-coder-0.5b, baseline:random-forest "
            "(see `cybench models`).",
        ),
    ],
    dataset: Annotated[
        str | None,
        typer.Option(
            help="Dataset name: use its newest prompts, running prep if none."
        ),
    ] = None,
    prep: Annotated[
        str | None, typer.Option(help="Key or key prefix of a prompts artifact.")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="Base URL of an OpenAI-compatible API (vLLM, Ollama, ...)."),
    ] = None,
    http_client: Annotated[
        str | None,
        typer.Option(
            help="openai: HTTP client, sdk (the official SDK, default) or aiohttp "
            "(less CPU per request, for fast local servers).",
        ),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="API requests in flight at once.")
    ] = 8,
    rpm: Annotated[
        float | None,
        typer.Option(
            min=0.001, help="Client-side limit, requests/minute (default: none)."
        ),
    ] = None,
    tpm: Annotated[
        float | None,
        typer.Option(min=1, help="Client-side limit, tokens/minute (default: none)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=0.001, help="Per-request timeout in seconds.")
    ] = 60.0,
    max_retries: Annotated[
        int, typer.Option(min=0, help="Retries per request after a retryable error.")
    ] = 5,
    temperature: Annotated[
        float, typer.Option(min=0.0, help="Sampling temperature; 0 is greedy.")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Sampling seed (recorded).")] = 0,
    max_tokens: Annotated[
        int, typer.Option(min=1, help="Maximum tokens in each reply.")
    ] = 256,
    no_structured: Annotated[
        bool,
        typer.Option(
            "--no-structured",
            help="Do not constrain replies to the answer JSON schema.",
        ),
    ] = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Run only the first N prompts.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print requests, estimated tokens and dollars; "
            "call and write nothing.",
        ),
    ] = False,
    price_table: Annotated[
        Path | None,
        typer.Option(help="JSON price table replacing the packaged, dated one."),
    ] = None,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="Prompts a local model decodes together; rows are stored after "
            "each batch.",
        ),
    ] = 8,
    json_output: JsonFlag = False,
) -> None:
    """Run a model on a prep's prompts and store one response per prompt.

    Prints the responses artifact key (--json: its manifest). Responses are
    stored row by row, so an interrupted run continues where it stopped.
    Failed requests are stored as error rows in the artifact; running the same
    command again retries only those. A run whose first requests are all
    rejected (HTTP 4xx) or all fail to connect to --base-url stops with one
    error line and exit code 1.
    """
    from cybench.infer import RunConfig, run_infer
    from cybench.models.base import GenerationSettings

    settings = GenerationSettings(
        temperature=temperature,
        seed=seed,
        max_tokens=max_tokens,
        structured=not no_structured,
    )
    config = RunConfig(
        model=model,
        dataset=dataset,
        prep=prep,
        base_url=base_url,
        http_client=http_client,
        settings=settings,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        timeout=timeout,
        max_retries=max_retries,
        limit=limit,
        dry_run=dry_run,
        price_table=price_table,
        batch_size=batch_size,
    )
    result = run_infer(state(ctx).store(), config)
    as_json = wants_json(ctx, json_output)

    if result.estimate is not None:
        _print_estimate(result.estimate.as_dict(), as_json)
        return
    manifest = result.manifest
    assert manifest is not None
    errors = int(manifest.meta.get("errors", 0))
    if result.reused:
        say(f"reused finished run {manifest.short_key}: no requests made")
    elif errors:
        warn(
            f"{errors} of {manifest.rows} responses are errors; "
            "run the same command again to retry them"
        )
    if as_json:
        print_json(manifest.model_dump(mode="json"))
        return
    typer.echo(manifest.key)


def _print_estimate(estimate: dict, as_json: bool) -> None:
    if as_json:
        print_json(estimate)
        return
    cost = estimate["cost_usd"]
    dollars = "unknown (no price)" if cost is None else f"${cost:.4f} at most"
    say(
        f"dry run for {estimate['model_id']}: {estimate['prompts']} prompts, "
        f"{estimate['cached']} already answered, {estimate['requests']} requests, "
        f"~{estimate['tokens_in']} input tokens (estimate), "
        f"<= {estimate['tokens_out_max']} output tokens, cost {dollars} "
        f"(prices of {estimate['price_date']})"
    )


def models(
    ctx: typer.Context,
    json_output: JsonFlag = False,
) -> None:
    """List model providers, what each needs, and the local model aliases."""
    from cybench.errors import CybenchError
    from cybench.models.registry import PROVIDERS, aliases, provider_class

    rows = []
    for entry in PROVIDERS.values():
        try:
            cls = provider_class(entry.prefix)
            kind = "local" if cls.local else "api"
            summary, needs = cls.summary, cls.requires
        except CybenchError:
            kind, summary, needs = "-", "not installed", entry.install
        rows.append([entry.prefix, kind, entry.example, summary, needs])
    for spec, title in aliases().items():
        rows.append([spec.split(":", 1)[0], "alias", spec, title, ""])
    columns = ["provider", "kind", "example", "runs", "needs"]
    print_rows(columns, rows, "json" if wants_json(ctx, json_output) else "table")


def register(app: typer.Typer) -> None:
    app.command("infer")(infer)
    app.command("models")(models)
