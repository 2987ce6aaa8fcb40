"""Dated price tables: dollars per million input and output tokens, per model.

The packaged table (`prices.json`) carries the date its prices were read; a
user table passed with `--price-table` has the same shape and replaces it.
Model patterns are `fnmatch` globs over the model spec (`openai:gpt-4o-mini*`);
an exact match wins, then the longest matching pattern. A model with no match
has an unknown price, and its cost is null, never 0.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cybench.errors import DataError
from cybench.store.keys import digest_json

PER_TOKENS = 1_000_000


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens."""

    input: float
    output: float

    def cost(self, tokens_in: int | None, tokens_out: int | None) -> float | None:
        """Return the dollar cost, or None when a token count is unknown."""
        if tokens_in is None or tokens_out is None:
            return None
        return (tokens_in * self.input + tokens_out * self.output) / PER_TOKENS


@dataclass(frozen=True)
class PriceTable:
    """A dated price table and where it came from."""

    date: str
    source: str
    models: dict[str, Price]
    digest: str

    def price(self, model: str) -> Price | None:
        """Return the price of `model` (a spec such as `openai:gpt-4o`), or None."""
        if model in self.models:
            return self.models[model]
        matches = [p for p in self.models if fnmatch.fnmatchcase(model, p)]
        if not matches:
            return None
        return self.models[max(matches, key=len)]

    def identity(self) -> dict[str, str]:
        """Return the fields recorded in a run's parameters."""
        return {"date": self.date, "digest": self.digest}


def read_price_table(path: Path | None = None) -> PriceTable:
    """Read a price table file, or the packaged one when `path` is None."""
    if path is None:
        text = resources.files("cybench.infer").joinpath("prices.json").read_text()
        source = "packaged"
    else:
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise DataError(
                f"cannot read price table {path}: {exc.strerror}",
                hint="pass an existing JSON file to --price-table",
            ) from exc
        source = str(path)
    return _parse(text, source)


def _parse(text: str | bytes, source: str) -> PriceTable:
    """Parse UTF-8 JSON text; raise `DataError` naming `source` for anything else."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        data: Any = json.loads(text)
        models = {
            str(pattern): Price(float(entry["input"]), float(entry["output"]))
            for pattern, entry in data["models"].items()
        }
        date = str(data["date"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(
            f"invalid price table {source} (expected UTF-8 JSON): "
            f"{exc.__class__.__name__}: {exc}",
            hint='write {"date": "YYYY-MM-DD", "models": {"provider:name": '
            '{"input": USD_PER_1M, "output": USD_PER_1M}}}',
        ) from exc
    return PriceTable(date, source, models, digest_json(data))
