"""The infer step: prompts + model spec + settings -> a responses artifact.

Reuse works at two levels. The artifact key covers the model spec, resolved
model id, settings, limit, price table and prompts key, so a finished run is
found before anything else happens and costs no request. Below it, every
response is a row of the store's `responses` row table, keyed by
`cybench.infer.rows.response_row_key`. A run calls the model only for keys
with no row or with an error row, so an interrupted run resumes where it
stopped.

Errors: a request that fails for good (retries exhausted, content filter, other
4xx) becomes an error row (`parse_status` `error`). When every prompt has a
row, the artifact is written with those error rows in it and their count in
`meta.errors`. Re-running the same command retries only the error rows. If any
of them now succeed, it writes a new artifact whose params carry `attempt` + 1.
Otherwise it returns the previous artifact. An `AuthError` or a missing model stops
the run at once and writes no artifact. So does a run whose first requests (or, in a
short run, all of them) failed with a `ConnectionError` and none succeeded
(nothing listens at the base URL): it raises `ModelError` naming the URL. The
error rows stay in the row table, so the re-run after the server is up asks
only for the prompts without a good row.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cybench import schemas
from cybench.infer.inputs import read_jobs, read_samples, resolve_prompts
from cybench.infer.pricing import PriceTable, read_price_table
from cybench.infer.progress import ProgressDisplay, RunStats
from cybench.infer.rows import (
    ERROR_STATUS,
    ROW_TABLE,
    Job,
    estimate_tokens,
    response_schema,
)
from cybench.infer.writer import RowWriter

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.infer.config import RunConfig
    from cybench.models.base import Provider
    from cybench.store import Manifest, Store

log = logging.getLogger(__name__)

STEP = "infer"
KIND = "responses"


@dataclass
class DryRunEstimate:
    """Estimated requests, tokens and cost of a run (prompts and price table)."""

    prompts: int
    cached: int
    requests: int
    tokens_in: int
    tokens_out_max: int
    cost_usd: float | None
    price_date: str
    model_id: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class InferResult:
    """The outcome of `run_infer`: the artifact (or estimate) and the counters."""

    manifest: Manifest | None
    reused: bool = False
    estimate: DryRunEstimate | None = None
    stats: RunStats = field(default_factory=RunStats)


def run_infer(store: Store, config: RunConfig) -> InferResult:
    """Run (or resume, or reuse) one inference run and return its artifact."""
    from cybench.models.registry import resolve_provider

    started = time.perf_counter()
    options = provider_options(config)
    prompts = resolve_prompts(store, config)
    provider = resolve_provider(config.model, options)
    try:
        provider.bind(store, prompts)
        return _run(store, config, provider, prompts, started)
    finally:
        provider.close()


def provider_options(config: RunConfig) -> dict[str, Any]:
    """Return the provider options of `config`; raise `UsageError` for a bad pair.

    `--http-client` takes `sdk` or `aiohttp` and applies only to `openai:`
    models; any other combination is rejected rather than ignored.
    """
    from cybench.errors import UsageError
    from cybench.models.openai_provider import HTTP_CLIENTS
    from cybench.models.registry import split_spec

    options: dict[str, Any] = {
        "timeout": config.timeout,
        "concurrency": config.concurrency,
        "batch_size": config.batch_size,
    }
    if config.base_url:
        options["base_url"] = config.base_url
    if config.http_client is None:
        return options
    if config.http_client not in HTTP_CLIENTS:
        raise UsageError(
            f"unknown --http-client {config.http_client!r}",
            hint=f"use one of {', '.join(HTTP_CLIENTS)}",
        )
    prefix, _ = split_spec(config.model)
    if prefix != "openai":
        raise UsageError(
            f"--http-client applies only to openai: models, not {config.model!r}",
            hint="drop --http-client for this model",
        )
    options["http_client"] = config.http_client
    return options


def run_params(
    config: RunConfig, model_id: str, prices: PriceTable, attempt: int
) -> dict[str, Any]:
    """Return the parameters that, with the prompts key, identify the artifact."""
    return {
        "model": config.model,
        "model_id": model_id,
        "settings": config.settings.model_dump(),
        "limit": config.limit,
        "price_table": prices.identity(),
        "attempt": attempt,
    }


def _run(
    store: Store,
    config: RunConfig,
    provider: Provider,
    prompts: Manifest,
    started: float,
) -> InferResult:
    from cybench.models.contract import read_task_labels

    model_id = provider.model_id
    prices = read_price_table(config.price_table)
    inputs = {"prompts": prompts.key}
    previous, attempt = _find_previous(store, config, model_id, prices, inputs)
    if previous is not None and not previous.meta.get("errors") and not config.dry_run:
        return InferResult(previous, reused=True)

    jobs = read_jobs(store, prompts, model_id, config.settings, config.limit)
    table = store.rows(ROW_TABLE)
    todo = _missing(jobs, table.keys(where=f"parse_status <> '{ERROR_STATUS}'"))
    stats = RunStats(total=len(jobs), cache_hits=len(jobs) - _count_prompts(jobs, todo))
    if config.dry_run:
        return InferResult(
            None, estimate=_estimate(config, jobs, todo, model_id, prices)
        )

    task = read_task_labels(store, prompts)
    if todo:
        _execute(store, config, provider, prompts, todo, task, model_id, prices, stats)
    artifact = _artifact_table(store, config, jobs, prices)
    errors = _count(artifact, "parse_status", ERROR_STATUS)
    if todo:
        _stop_if_unreachable(artifact, provider)
    if previous is not None and errors >= int(previous.meta.get("errors", 0)):
        return InferResult(previous, stats=stats)
    params = run_params(config, model_id, prices, attempt)
    meta = _meta(artifact, config, prompts, prices, stats, errors)
    manifest = store.write(
        STEP,
        KIND,
        schemas.RESPONSES,
        params,
        inputs,
        artifact,
        started=started,
        meta=meta,
    )
    return InferResult(manifest, stats=stats)


def _stop_if_unreachable(artifact: pa.Table, provider: Provider) -> None:
    """Raise `ModelError` when every row is a connection failure.

    Such a run measured nothing about the model; partial failures stay error
    rows in the artifact. Runs of REJECTED_LIMIT prompts or more stop earlier,
    in `cybench.infer.execute`.
    """
    from cybench.infer.execute import base_url_of, unreachable_error

    classes = set(artifact.column("error_class").to_pylist())
    if not artifact.num_rows or classes != {"ConnectionError"}:
        return
    message = artifact.column("error_message")[0].as_py() or ""
    raise unreachable_error(base_url_of(provider), artifact.num_rows, message)


def _find_previous(
    store: Store,
    config: RunConfig,
    model_id: str,
    prices: PriceTable,
    inputs: dict[str, Any],
) -> tuple[Manifest | None, int]:
    """Return the newest artifact of this run and the attempt number to write.

    Attempt 1 is the first write; each later attempt exists only because the
    one before it recorded error rows that a re-run then fixed.
    """
    previous = None
    attempt = 1
    while True:
        params = run_params(config, model_id, prices, attempt)
        found = store.lookup(STEP, KIND, schemas.RESPONSES, params, inputs)
        if found is None:
            return previous, attempt
        previous = found
        if not found.meta.get("errors"):
            return found, attempt
        attempt += 1


def _missing(jobs: list[Job], done: set[str]) -> list[Job]:
    """Return one job per row key that has no usable row yet, in prompt order."""
    seen: set[str] = set()
    todo = []
    for job in jobs:
        if job.key in done or job.key in seen:
            continue
        seen.add(job.key)
        todo.append(job)
    return todo


def _count_prompts(jobs: list[Job], todo: list[Job]) -> int:
    keys = {job.key for job in todo}
    return sum(1 for job in jobs if job.key in keys)


def _execute(
    store: Store,
    config: RunConfig,
    provider: Provider,
    prompts: Manifest,
    todo: list[Job],
    task: Any,
    model_id: str,
    prices: PriceTable,
    stats: RunStats,
) -> None:
    from cybench.infer.execute import Execution, run_api, run_local
    from cybench.models.contract import read_answer_schema

    provider.load()
    samples = None
    if provider.needs_sample:
        samples = read_samples(store, prompts, {job.sample_id for job in todo})
    writer = RowWriter(store.rows(ROW_TABLE), config.flush_rows, config.flush_seconds)
    description = f"infer {config.model}"
    with ProgressDisplay(stats, config.progress, description) as display:
        run = Execution(
            provider=provider,
            config=config,
            task=task,
            schema=read_answer_schema(prompts, task),
            model=config.model,
            model_id=model_id,
            price=prices.price(config.model),
            writer=writer,
            stats=stats,
            display=display,
            samples=samples,
        )
        if provider.local:
            run_local(run, todo)
        else:
            run_api(run, todo)
    log.info(
        "run of %s finished: %d requests, %d retries, %d errors",
        model_id,
        stats.requests,
        stats.retries,
        stats.errors,
    )


def _artifact_table(
    store: Store, config: RunConfig, jobs: list[Job], prices: PriceTable
) -> pa.Table:
    """Join each prompt, in order, with its row; cost comes from the price table."""
    import pyarrow as pa

    schema = response_schema()
    rows = store.rows(ROW_TABLE).read({job.key for job in jobs})
    by_key = {key: i for i, key in enumerate(rows.column("row_key").to_pylist())}
    missing = [job.key for job in jobs if job.key not in by_key]
    if missing:
        from cybench.errors import StoreError

        raise StoreError(
            f"{len(missing)} response rows vanished from {store.root} during the run",
            hint="re-run the same command to fetch them again",
        )
    order = pa.array([by_key[job.key] for job in jobs], pa.int64())
    taken = rows.take(order)
    columns: dict[str, Any] = {}
    for name in schema.names:
        columns[name] = taken.column(name).cast(schema.field(name).type)
    columns["prompt_id"] = pa.array([j.prompt_id for j in jobs], pa.string())
    columns["sample_id"] = pa.array([j.sample_id for j in jobs], pa.string())
    columns["y_true"] = pa.array([j.y_true for j in jobs], pa.int8())
    columns["category_true"] = pa.array([j.category_true for j in jobs], pa.string())
    columns["model"] = pa.array([config.model] * len(jobs), pa.string())
    columns["cost_usd"] = _costs(taken, prices.price(config.model) if prices else None)
    return pa.table(columns, schema=schema)


def _costs(rows: pa.Table, price: Any) -> pa.Array:
    import pyarrow as pa

    if price is None:
        return pa.nulls(rows.num_rows, pa.float64())
    tokens_in = rows.column("tokens_in").to_pylist()
    tokens_out = rows.column("tokens_out").to_pylist()
    return pa.array(
        [price.cost(i, o) for i, o in zip(tokens_in, tokens_out, strict=True)],
        pa.float64(),
    )


def _count(table: pa.Table, column: str, value: str) -> int:
    return sum(1 for v in table.column(column).to_pylist() if v == value)


def _meta(
    table: pa.Table,
    config: RunConfig,
    prompts: Manifest,
    prices: PriceTable,
    stats: RunStats,
    errors: int,
) -> dict[str, Any]:
    statuses = Counter(table.column("parse_status").to_pylist())
    costs = [c for c in table.column("cost_usd").to_pylist() if c is not None]
    priced = prices.price(config.model) is not None
    return {
        "model": config.model,
        "dataset": prompts.params.get("dataset", prompts.meta.get("dataset")),
        "errors": errors,
        "parse_status": dict(sorted(statuses.items())),
        "requests": stats.requests,
        "retries": stats.retries,
        "cache_hits": stats.cache_hits,
        "tokens_in": sum(v or 0 for v in table.column("tokens_in").to_pylist()),
        "tokens_out": sum(v or 0 for v in table.column("tokens_out").to_pylist()),
        "cost_usd": round(sum(costs), 6) if priced else None,
        "price_table": {"date": prices.date, "source": prices.source},
    }


def _estimate(
    config: RunConfig,
    jobs: list[Job],
    todo: list[Job],
    model_id: str,
    prices: PriceTable,
) -> DryRunEstimate:
    tokens_in = sum(estimate_tokens(j.system) + estimate_tokens(j.user) for j in todo)
    tokens_out = len(todo) * config.settings.max_tokens
    price = prices.price(config.model)
    return DryRunEstimate(
        prompts=len(jobs),
        cached=len(jobs) - _count_prompts(jobs, todo),
        requests=len(todo),
        tokens_in=tokens_in,
        tokens_out_max=tokens_out,
        cost_usd=price.cost(tokens_in, tokens_out) if price else None,
        price_date=prices.date,
        model_id=model_id,
    )
