"""Decode one raw RFC 822 message into its subject and body text.

Messages are parsed from bytes with `email.policy.compat32`, the policy that
keeps malformed input instead of raising. Text is decoded with the part's
declared charset. A missing, unknown or wrong charset falls back to UTF-8 and
then to cp1252 with replacement characters, so decoding raises no error.
"""

from __future__ import annotations

import codecs
import email
import email.errors
import email.header
import email.policy
import re
from dataclasses import dataclass, field
from email.message import Message

from cybench.datasets.email.html_text import html_to_text, tidy_whitespace

PSEUDO_MESSAGE_MARK = "FOLDER INTERNAL DATA"
_FOLD = re.compile(r"\r?\n[ \t]+|\r[ \t]+")
# Charset labels that mail software writes but that name no real encoding.
_NO_CHARSET = {"", "unknown", "unknown-8bit", "x-unknown", "default", "charset"}


@dataclass
class DecodedText:
    """Text decoded from bytes, with whether the declared charset had to be replaced."""

    text: str
    fallback: bool = False


@dataclass
class ParsedEmail:
    """Subject and body text of one message, plus facts about how it was decoded."""

    subject: str
    body: str
    headers: list[str] = field(default_factory=list)
    content_type: str = ""
    body_type: str = ""
    n_attachments: int = 0
    decode_fallback: bool = False
    defects: int = 0

    @property
    def is_pseudo_message(self) -> bool:
        """True for a UW-IMAP folder bookkeeping message, which is not an email."""
        return PSEUDO_MESSAGE_MARK in self.subject


def decode_bytes(data: bytes, charset: str | None) -> DecodedText:
    """Decode `data` with `charset`, else UTF-8, else cp1252 with replacement."""
    declared = _known_codec(charset)
    if declared:
        try:
            return DecodedText(data.decode(declared))
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    mismatch = bool(charset and charset.strip().lower() not in _NO_CHARSET)
    return DecodedText(text, fallback=mismatch or not data.isascii())


def _known_codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower()
    if name in _NO_CHARSET:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_header_text(value: str | email.header.Header | None) -> DecodedText:
    """Decode a header value: unfold it and decode RFC 2047 encoded-words.

    Accepts the `Header` objects that `compat32` returns for 8-bit header bytes
    and plain strings, such as CSV subjects that still hold encoded-words.
    """
    if value is None:
        return DecodedText("")
    if isinstance(value, email.header.Header):
        chunks = email.header.decode_header(value)
    else:
        chunks = _split_encoded_words(_FOLD.sub(" ", value))
    pieces: list[str] = []
    fallback = False
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8", "surrogateescape")
        decoded = decode_bytes(chunk, charset)
        fallback = fallback or decoded.fallback
        pieces.append(decoded.text)
    return DecodedText(" ".join("".join(pieces).split()), fallback)


def _split_encoded_words(value: str) -> list[tuple[bytes | str, str | None]]:
    try:
        return email.header.decode_header(value)
    except (email.errors.HeaderParseError, ValueError):
        return [(value, None)]


def parse_message(data: bytes) -> ParsedEmail:
    """Parse raw message bytes into subject, body text and decoding facts."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    subject = decode_header_text(message.get("Subject"))
    body, source, fallback, attachments = _body_text(message)
    defects = sum(len(part.defects) for part in message.walk())
    return ParsedEmail(
        subject=subject.text,
        body=body,
        headers=[name for name, _ in message.items()],
        content_type=message.get_content_type(),
        body_type=source,
        n_attachments=attachments,
        decode_fallback=subject.fallback or fallback,
        defects=defects,
    )


def _body_text(message: Message) -> tuple[str, str, bool, int]:
    """Return (text, chosen content type, charset fallback used, attachment count).

    text/plain wins over text/html unless the plain parts are empty; other text
    types (text/enriched) are used only when neither exists.
    """
    found: dict[str, list[Message]] = {"text/plain": [], "text/html": [], "text": []}
    attachments = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if _is_attachment(part) or part.get_content_maintype() != "text":
            attachments += 1
            continue
        found[kind if kind in found else "text"].append(part)

    fallback = False
    for kind in ("text/plain", "text/html", "text"):
        texts: list[str] = []
        for part in found[kind]:
            decoded = _part_text(part)
            fallback = fallback or decoded.fallback
            text = html_to_text(decoded.text) if kind == "text/html" else decoded.text
            texts.append(tidy_whitespace(text))
        body = "\n\n".join(t for t in texts if t)
        if body:
            return body, kind, fallback, attachments
    return "", "", fallback, attachments


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).strip().lower()
    return disposition.startswith("attachment")


def _part_text(part: Message) -> DecodedText:
    """Decode a leaf part's transfer encoding and charset into text."""
    encoding = part.get("Content-Transfer-Encoding")
    if encoding is not None and str(encoding) != str(encoding).strip():
        # `7bit ` or `base64 ` with trailing space would otherwise go undecoded.
        part.replace_header("Content-Transfer-Encoding", str(encoding).strip())
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    return decode_bytes(payload, part.get_content_charset())
