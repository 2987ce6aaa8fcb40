"""Read local email sources into raw rows, exactly as published.

A source is `PATH[:LABEL]`: a CSV with subject/body/label columns, an mbox
file, a folder of one-message files (SpamAssassin layout), a tar archive of
such files, or a single `.eml` message. Raw rows keep the message bytes or the
CSV fields unchanged; decoding and cleaning happen later, in `clean`.

Bad input raises `DataError` naming the file and line; a source with no labels
and no `:LABEL` suffix raises `UsageError`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import lzma
import os
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cybench.datasets.base import display_name
from cybench.datasets.email import labels
from cybench.datasets.email.provenance import provenance_of
from cybench.errors import DataError, UsageError

RAW_COLUMNS = {
    "source": "file name of the source as given with --path, or hf:NAME",
    "source_kind": "csv, mbox, folder, tar, eml or hf",
    "member": "message file inside a folder or tar, mbox message number, CSV row",
    "position": "0-based index of the record within its source",
    "line": "1-based line where the record starts (mbox and CSV), else null",
    "label": "phishing or legitimate, from the :LABEL suffix or the label column",
    "envelope": "the mbox 'From ' separator line, else null",
    "raw_bytes": "the RFC 822 message bytes as published, null for CSV rows",
    "fields": "JSON object of the CSV or Hugging Face row as published, else null",
}

SUFFIX_LABELS = {
    "phishing": "phishing",
    "legitimate": "legitimate",
    "ham": "legitimate",
}
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")
# Helper files that SpamAssassin corpus folders ship beside the messages.
_NOT_MESSAGES = {"cmds"}
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")
_SNIFF_BYTES = 8192

BODY_COLUMNS = ("body", "text", "email text", "email_text", "content", "message")
SUBJECT_COLUMNS = ("subject", "title")
LABEL_COLUMNS = ("label", "email type", "email_type", "class", "is_phishing")


@dataclass(frozen=True)
class SourceSpec:
    """One `--path PATH[:LABEL]` value, resolved."""

    path: Path
    label: str | None
    given: str

    @property
    def kind(self) -> str:
        return source_kind(self.path)


@dataclass
class SourceRead:
    """Raw rows of one source and its metadata for the manifest."""

    rows: list[dict] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def parse_source_spec(text: str) -> SourceSpec:
    """Split `PATH[:LABEL]`; reject spam and unknown labels, and a missing path."""
    path_text, label = text, None
    head, sep, tail = text.rpartition(":")
    if sep and "/" not in tail and not Path(text).exists():
        path_text, label = head, _suffix_label(tail, text)
    path = Path(path_text).expanduser()
    if not path.exists():
        raise DataError(
            f"source {display_name(path_text)} not found",
            hint="give an existing file or folder as --path PATH[:LABEL]",
        )
    return SourceSpec(path=path, label=label, given=text)


def _suffix_label(suffix: str, given: str) -> str:
    name = suffix.strip().lower()
    if name in labels.SPAM_SPELLINGS:
        raise UsageError(f"label {suffix!r} in --path {given}: {labels.SPAM_REASON}")
    if name not in SUFFIX_LABELS:
        raise UsageError(
            f"unknown label {suffix!r} in --path {given}",
            hint="use PATH:phishing or PATH:legitimate (or PATH:ham for legitimate)",
        )
    return SUFFIX_LABELS[name]


def source_kind(path: Path) -> str:
    """Return the reader for `path`: folder, tar, csv, mbox or eml."""
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    if name.endswith(TAR_SUFFIXES):
        return "tar"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith((".mbox", ".mbx")):
        return "mbox"
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(b"From "):
        return "mbox"
    return "eml"


def check_labelled(spec: SourceSpec) -> None:
    """Raise UsageError when a source that carries no labels has no `:LABEL`."""
    if spec.label or spec.kind == "csv":
        return
    shown = display_name(spec.path)
    raise UsageError(
        f"{shown} contains {spec.kind} messages without labels",
        hint=f"give its class as --path {shown}:phishing or --path {shown}:legitimate",
    )


def read_source(spec: SourceSpec) -> SourceRead:
    """Read one source into raw rows plus digest, licence and citation metadata."""
    check_labelled(spec)
    readers = {
        "csv": _read_csv,
        "mbox": _read_mbox,
        "folder": _read_folder,
        "tar": _read_tar,
        "eml": _read_eml,
    }
    read = readers[spec.kind](spec)
    digest = read.meta.pop("digest")
    read.meta = {
        "path": display_name(spec.path),
        "name": display_name(spec.path.name),
        "kind": spec.kind,
        "label": spec.label or "label column",
        "digest": digest,
        "rows": len(read.rows),
        **provenance_of(spec.path, digest),
        **read.meta,
    }
    return read


def _row(spec: SourceSpec, position: int, **values) -> dict:
    row = dict.fromkeys(RAW_COLUMNS)
    row.update(
        source=display_name(spec.path.name),
        source_kind=spec.kind,
        position=position,
        label=spec.label,
    )
    row.update(values)
    return row


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if not data.strip():
        raise DataError(
            f"{display_name(path)} is empty", hint="give a file that contains messages"
        )
    return data


def _sha256(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def _check_not_binary(path: Path, data: bytes, what: str) -> None:
    """Raise DataError when the first 8 KiB hold a NUL byte, the usual binary sniff.

    Later NUL bytes are tolerated: phishing1.mbox of the Nazario corpus has 11
    of them between messages.
    """
    offset = data.find(b"\x00", 0, _SNIFF_BYTES)
    if offset < 0:
        return
    line = data.count(b"\n", 0, offset) + 1
    raise DataError(
        f"{display_name(path)} line {line}: NUL byte at offset {offset}, "
        f"so this is binary data, not {what}",
        hint="give the original text file",
    )


# --- mbox -------------------------------------------------------------------


def _read_mbox(spec: SourceSpec) -> SourceRead:
    data = _read_bytes(spec.path)
    _check_not_binary(spec.path, data, "an mbox file")
    read = SourceRead(meta={"digest": _sha256(data), "bytes": len(data)})
    read.meta["nul_bytes"] = data.count(b"\x00")
    for position, (line, envelope, message) in enumerate(split_mbox(spec.path, data)):
        read.rows.append(
            _row(
                spec,
                position,
                member=f"message {position}",
                line=line,
                envelope=envelope,
                raw_bytes=message,
            )
        )
    return read


def split_mbox(path: Path, data: bytes) -> Iterator[tuple[int, str, bytes]]:
    """Yield (line number, envelope line, message bytes) for each mbox message.

    Every line that starts with `From ` opens a message, as in Python's
    `mailbox.mbox`. Text before the first such line, or a message whose first
    line is not a header field, is garbage: it raises DataError with its line.
    """
    starts = [m.start() for m in re.finditer(rb"^From ", data, re.MULTILINE)]
    if not starts or data[: starts[0]].strip():
        raise DataError(
            f"{display_name(path)} line 1: text before the first 'From ' line "
            "is not part of any message, so this is not a clean mbox file",
            hint="remove the text before the first message or give the messages "
            "as a folder",
        )
    line = 1
    previous = 0
    for index, start in enumerate(starts):
        line += data.count(b"\n", previous, start)
        previous = start
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        envelope_end = data.find(b"\n", start, end)
        if envelope_end < 0:
            envelope_end = end
        envelope = data[start:envelope_end].rstrip(b"\r").decode("latin-1")
        message = data[envelope_end + 1 : end]
        _check_message_start(path, message, line + 1, index)
        yield line, envelope, _drop_separator(message)


def _check_message_start(path: Path, message: bytes, line: int, index: int) -> None:
    first = message.lstrip(b"\r\n").split(b"\n", 1)[0]
    if _HEADER_LINE.match(first):
        return
    text = first[:40].decode("utf-8", "backslashreplace").rstrip("\r")
    raise DataError(
        f"{display_name(path)} line {line}: message {index} starts with {text!r}, "
        "not a header field, so the mbox holds garbage between messages",
        hint="remove the garbage or re-export the mailbox",
    )


def _drop_separator(message: bytes) -> bytes:
    """Remove the one blank line that separates a message from the next."""
    if message.endswith(b"\r\n"):
        return message[:-2]
    if message.endswith(b"\n"):
        return message[:-1]
    return message


# --- one message per file ---------------------------------------------------


def _read_eml(spec: SourceSpec) -> SourceRead:
    data = _read_bytes(spec.path)
    _check_not_binary(spec.path, data, "an email message")
    _check_message_start(spec.path, data, 1, 0)
    row = _row(spec, 0, member=display_name(spec.path.name), raw_bytes=data)
    return SourceRead(rows=[row], meta={"digest": _sha256(data), "bytes": len(data)})


def _is_message_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return bool(base) and not base.startswith(".") and base not in _NOT_MESSAGES


def _read_folder(spec: SourceSpec) -> SourceRead:
    files = sorted(
        p
        for p in spec.path.rglob("*")
        if p.is_file() and _is_message_name(p.relative_to(spec.path).as_posix())
    )
    members = ((p.relative_to(spec.path).as_posix(), p.read_bytes()) for p in files)
    return _read_members(spec, members)


def _read_tar(spec: SourceSpec) -> SourceRead:
    try:
        with tarfile.open(spec.path, "r:*") as archive:
            members = [
                (m.name, archive.extractfile(m).read())
                for m in archive
                if m.isfile() and _is_message_name(m.name)
            ]
    except (tarfile.TarError, EOFError, lzma.LZMAError, zlib.error, OSError) as error:
        raise DataError(
            f"{display_name(spec.path)} is not a readable tar archive: {error}",
            hint="give a .tar, .tar.gz or .tar.xz of message files, or a folder",
        ) from error
    read = _read_members(spec, iter(members))
    read.meta["members_digest"] = read.meta["digest"]
    read.meta["digest"] = _sha256(spec.path.read_bytes())
    return read


def _read_members(spec: SourceSpec, members: Iterator[tuple[str, bytes]]) -> SourceRead:
    """Build raw rows from (member name, bytes) pairs, one message each.

    The digest covers every member's name and bytes in name order, so it is
    the same for a folder and for a tar archive of that folder.
    """
    listing = hashlib.sha256()
    read = SourceRead()
    empty = 0
    for name, data in sorted(members):
        digest = hashlib.sha256(data).hexdigest()
        listing.update(os.fsencode(name) + f"\0{digest}\n".encode())
        if not data.strip():
            empty += 1
            continue
        _check_not_binary(spec.path / name, data, "an email message")
        member = display_name(name)
        read.rows.append(_row(spec, len(read.rows), member=member, raw_bytes=data))
    if not read.rows:
        raise DataError(
            f"{display_name(spec.path)} contains no message files",
            hint="give a folder or archive with one RFC 822 message per file",
        )
    read.meta = {"digest": f"sha256:{listing.hexdigest()}", "empty_members": empty}
    return read


# --- CSV --------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """Published names of the subject, body and label columns."""

    body: str
    subject: str | None
    label: str | None


def find_columns(names: list[str], where: str) -> Columns:
    """Map published column names to subject/body/label; raise if no body column."""
    lowered = {name.strip().lower(): name for name in names}

    def pick(candidates: tuple[str, ...]) -> str | None:
        return next((lowered[c] for c in candidates if c in lowered), None)

    body = pick(BODY_COLUMNS)
    if body is None:
        raise DataError(
            f"{where} has no email text column (columns: {', '.join(names)})",
            hint=f"name the text column one of: {', '.join(BODY_COLUMNS)}",
        )
    return Columns(body=body, subject=pick(SUBJECT_COLUMNS), label=pick(LABEL_COLUMNS))


def _read_csv(spec: SourceSpec) -> SourceRead:
    data = _read_bytes(spec.path)
    _check_not_binary(spec.path, data, "a CSV file")
    text, encoding = _decode_csv(data)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    delimiter = "\t" if spec.path.name.lower().endswith(".tsv") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    read = SourceRead(meta={"digest": _sha256(data), "bytes": len(data)})
    read.meta["encoding"] = encoding
    try:
        header = next(reader)
        columns = find_columns(header, display_name(spec.path))
        if columns.label is None:
            check_labelled_csv(spec, header)
        read.meta["columns"] = {
            "body": columns.body,
            "subject": columns.subject,
            "label": columns.label,
        }
        line = reader.line_num + 1
        for row in reader:
            _check_width(spec.path, row, header, line)
            fields = dict(zip(header, row, strict=True))
            label = _row_label(spec, fields, columns.label, line)
            read.rows.append(
                _row(
                    spec,
                    len(read.rows),
                    member=f"row {len(read.rows)}",
                    line=line,
                    label=label,
                    fields=json.dumps(fields, ensure_ascii=False),
                )
            )
            line = reader.line_num + 1
    except csv.Error as error:
        raise DataError(
            f"{display_name(spec.path)} line {reader.line_num}: invalid CSV: {error}",
            hint="check the quoting near that line; the file may be truncated",
        ) from error
    if not read.rows:
        raise DataError(
            f"{display_name(spec.path)} has a header but no rows",
            hint="give a CSV with data",
        )
    return read


def check_labelled_csv(spec: SourceSpec, header: list[str]) -> None:
    """Raise UsageError for a CSV without a label column and without `:LABEL`."""
    if spec.label:
        return
    shown = display_name(spec.path)
    raise UsageError(
        f"{shown} has no label column (columns: {', '.join(header)})",
        hint=f"give its class as --path {shown}:phishing or --path {shown}:legitimate",
    )


def _decode_csv(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _check_width(path: Path, row: list[str], header: list[str], line: int) -> None:
    if len(row) == len(header):
        return
    raise DataError(
        f"{display_name(path)} line {line}: row has {len(row)} fields "
        f"but the header has {len(header)}",
        hint="check the quoting near that line; the file may be truncated",
    )


def _row_label(spec: SourceSpec, fields: dict, column: str | None, line: int) -> str:
    """Return the row's class; a :LABEL suffix must agree with a label column."""
    if column is None:
        return spec.label
    value = fields[column]
    try:
        label = labels.normalise_label(value)
    except ValueError as error:
        raise DataError(
            f"{display_name(spec.path)} line {line}: label {value!r}: {error}"
        ) from error
    if label is None:
        raise DataError(
            f"{display_name(spec.path)} line {line}: label {value!r} "
            "is not phishing or legitimate",
            hint="use 1/phishing for phishing and 0/legitimate/ham for legitimate",
        )
    if spec.label and spec.label != label:
        raise DataError(
            f"{display_name(spec.path)} line {line}: label column says {label} "
            f"but --path {display_name(spec.given)} says {spec.label}",
            hint="drop the :LABEL suffix to use the label column",
        )
    return label
