"""Commands whose step is not built in this version exit 2 with one line."""

from cybench import __version__
from cybench.errors import NotBuiltError


def not_built(step: str) -> NotBuiltError:
    return NotBuiltError(
        f"the {step} step is not built in cybench {__version__}",
        hint="see `cybench --help` for the steps that are",
    )
