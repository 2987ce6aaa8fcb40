"""Atomic file writes and per-key locks for the store.

Every file lands by write-to-temporary, flush, fsync, rename, so a reader sees
either the old state or the whole new file. The temporary lives in the store's
`tmp/` folder, on the same filesystem as its destination, so the rename is
atomic. Locks are advisory `fcntl` locks and vanish with the process that held
them, so a killed writer never leaves a lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

TMP_SUFFIX = ".tmp"


def temp_path(tmp_dir: Path, suffix: str) -> Path:
    """Return a fresh path in `tmp_dir` that no other writer will choose."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return tmp_dir / f"{os.getpid()}-{uuid.uuid4().hex}{suffix}{TMP_SUFFIX}"


def fsync_dir(path: Path) -> None:
    """Flush a directory entry so a completed rename survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(tmp: Path, final: Path) -> None:
    """Flush `tmp` to disk and rename it over `final` atomically."""
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, final)
    fsync_dir(final.parent)


def write_atomic(
    final: Path, tmp_dir: Path, write: Callable[[Path], None], suffix: str = ""
) -> None:
    """Run `write(tmp_path)`, then publish the temporary file as `final`.

    On any failure, including KeyboardInterrupt, the temporary file is removed
    and `final` is left untouched.
    """
    tmp = temp_path(tmp_dir, suffix)
    try:
        write(tmp)
        publish(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_bytes_atomic(final: Path, tmp_dir: Path, data: bytes) -> None:
    """Write `data` to `final` atomically."""
    write_atomic(final, tmp_dir, lambda p: p.write_bytes(data))


@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `lock_path` for the block."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
