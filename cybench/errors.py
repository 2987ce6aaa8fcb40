"""The one error family that the CLI turns into a single line on stderr.

Library code raises these with the failing value and the next step; the CLI
boundary in `cybench.cli.app` prints `error: MESSAGE` and exits with
`exit_code`. Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class CybenchError(Exception):
    """A failure the user can act on: what failed, on which value, what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """Return the message and hint joined into one line without newlines."""
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())


class UsageError(CybenchError):
    """The command line itself is wrong: a bad option value or combination."""

    exit_code = 2


class NotBuiltError(UsageError):
    """A command whose step is not implemented in this version."""


class StoreError(CybenchError):
    """The artifact store is missing, unreadable or inconsistent."""


class DataError(CybenchError):
    """An input file is malformed: names the file and, where known, the line."""


class ModelError(CybenchError):
    """A model spec cannot be resolved, loaded or reached."""


class AuthError(ModelError):
    """A provider rejected the credentials; the run stops at once."""
