"""The manifest stored beside every artifact's Parquet file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from cybench.store.keys import artifact_key


class Manifest(BaseModel):
    """Everything needed to identify, verify and explain one artifact."""

    key: str = Field(description="Algorithm-tagged digest of the identity fields.")
    step: str = Field(description="Command that wrote the artifact, e.g. `prep`.")
    kind: str = Field(description="Table kind, e.g. `samples`; also the view name.")
    schema_version: int = Field(description="Version of this kind's column layout.")
    params: dict[str, Any] = Field(description="Resolved parameters of the step.")
    inputs: dict[str, Any] = Field(
        description="Keys of the input artifacts, by role (a key or a list of keys)."
    )
    rows: int = Field(description="Number of rows in the Parquet file.")
    content_digest: str = Field(description="Digest of the Parquet file's bytes.")
    cybench_version: str
    created_at: datetime = Field(description="When the artifact was written, UTC.")
    wall_seconds: float = Field(description="Wall time the step took, in seconds.")
    meta: dict[str, Any] = Field(
        default_factory=dict,
        description="Facts about the artifact that are not part of its identity "
        "(source, licence, citation, warnings, counts).",
    )

    def derived_key(self) -> str:
        """Return the key re-derived from this manifest's identity fields."""
        return artifact_key(
            self.step, self.kind, self.schema_version, self.params, self.inputs
        )

    def input_keys(self) -> list[str]:
        """Return every input key, flattening list-valued roles."""
        keys: list[str] = []
        for value in self.inputs.values():
            keys.extend(value if isinstance(value, list) else [value])
        return keys

    @property
    def short_key(self) -> str:
        return self.key.split(":", 1)[1][:12]
