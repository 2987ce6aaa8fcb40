"""Download dataset files from Kaggle or a URL into a local folder.

Both functions return the files they placed in `target` (zip archives are
extracted) and raise one-line errors that show the `--source path` form,
because on a machine without network or credentials that is the way forward.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from cybench.errors import AuthError, DataError

log = logging.getLogger(__name__)

URL_TIMEOUT_S = 60.0


def path_hint(dataset: str, example: str) -> str:
    """Return the hint that shows how to fetch `dataset` from local files instead."""
    command = f"cybench fetch {dataset} --source path --path {example}"
    return f"download it yourself and run `{command}`"


def kaggle_api(dataset: str):  # -> kaggle.api.kaggle_api_extended.KaggleApi
    """Return an authenticated Kaggle API client; raise AuthError without credentials.

    Importing the `kaggle` package authenticates at import time and prints help
    text to stdout when that fails, so the import runs with stdout captured.
    """
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        from kaggle.api.kaggle_api_extended import KaggleApi

        api = KaggleApi()
        try:
            api.authenticate()
        except (SystemExit, Exception) as exc:
            raise AuthError(
                "Kaggle credentials missing: set KAGGLE_API_TOKEN (or KAGGLE_USERNAME "
                "and KAGGLE_KEY) or create ~/.kaggle/kaggle.json",
                hint=path_hint(dataset, "DIR"),
            ) from exc
    return api


def download_kaggle(dataset: str, ref: str, target: Path) -> list[Path]:
    """Download Kaggle dataset `ref` (`owner/slug`) into `target`, unzipped."""
    api = kaggle_api(dataset)
    target.mkdir(parents=True, exist_ok=True)
    log.info("downloading kaggle dataset %s into %s", ref, target)
    try:
        api.dataset_download_files(ref, path=str(target), quiet=True, unzip=True)
    except Exception as exc:  # the client raises many HTTP and OS error types
        raise DataError(
            f"Kaggle download of {ref} failed: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}",
            hint=path_hint(dataset, "DIR"),
        ) from exc
    return extract_archives(target)


def download_url(dataset: str, url: str, target: Path) -> list[Path]:
    """Download `url` into `target` (extracting a zip archive) and return the files."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https", "file"):
        raise DataError(
            f"invalid URL {url!r}: scheme must be http, https or file",
            hint=path_hint(dataset, "FILE"),
        )
    name = Path(urllib.parse.unquote(parsed.path)).name or "download"
    target.mkdir(parents=True, exist_ok=True)
    destination = target / name
    log.info("downloading %s into %s", url, destination)
    try:
        with (
            urllib.request.urlopen(url, timeout=URL_TIMEOUT_S) as response,
            destination.open("wb") as handle,
        ):
            shutil.copyfileobj(response, handle, 1 << 20)
    except urllib.error.HTTPError as exc:
        raise DataError(
            f"download of {url} failed: HTTP {exc.code} {exc.reason}",
            hint=path_hint(dataset, "FILE"),
        ) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"cannot reach {url}: {reason}", hint=path_hint(dataset, "FILE")
        ) from exc
    return extract_archives(target)


def extract_archives(folder: Path) -> list[Path]:
    """Extract every zip file in `folder` in place; return the other files, sorted."""
    for archive in sorted(folder.rglob("*.zip")):
        try:
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(archive.parent)
        except zipfile.BadZipFile as exc:
            raise DataError(f"{archive}: invalid zip archive") from exc
        archive.unlink()
    return sorted(p for p in folder.rglob("*") if p.is_file())
