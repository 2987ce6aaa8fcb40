"""Build a command's pydantic settings object from its options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel

Settings = TypeVar("Settings", bound="BaseModel")


def build_settings(
    model: type[Settings],
    command: str,
    values: Mapping[str, Any],
    options: Mapping[str, str] | None = None,
) -> Settings:
    """Return `model(**values)`, raising UsageError that names the rejected option.

    A field maps to the option `--field-name` unless `options` maps the field
    name to another option. A nested model's field maps by its own name.
    """
    from pydantic import ValidationError

    from cybench.errors import UsageError

    try:
        return model(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][-1]) if error["loc"] else ""
        option = (options or {}).get(field, "--" + field.replace("_", "-"))
        reason = error["msg"][:1].lower() + error["msg"][1:]
        raise UsageError(
            f"invalid value {error.get('input')!r} for {option}: {reason}",
            hint=f"see `cybench {command} --help`",
        ) from None
