"""Remove text that gives an email's class away without being evidence of phishing.

The corpora were collected by different people on different servers, so
besides the content they carry collection artefacts: spam-filter verdicts and
mailing-list tags in subjects, list footers, and the collectors' own addresses
(Nazario's `jose@monkey.org`, phishing0's `username@domain.com`, the
SpamAssassin `*@spamassassin.taint.org` recipients). A model that sees these
learns the collector, not the attack. Headers never reach the model; the rest
is rewritten with neutral placeholders, the same for both classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ADDRESS_PLACEHOLDER = "user@example.com"
DOMAIN_PLACEHOLDER = "example.com"
NAME_PLACEHOLDER = "user"

# Header fields that record delivery, filtering or mailbox bookkeeping. They
# are counted per sample; no header reaches the model in any case.
_LEAKY_HEADER = re.compile(
    r"^(x-spam-.*|x-virus-.*|list-.*|x-list.*|x-mailing-list|mailing-list|"
    r"x-beenthere|x-mailman-version|precedence|received|x-received|"
    r"delivered-to|x-original-to|return-path|x-uid|status|x-status|x-keywords|"
    r"x-imap|x-imapbase|x-egroups-.*|x-yahoo-.*|sender|errors-to|"
    r"x-loop|x-mailscanner.*|x-amavis.*)$",
    re.IGNORECASE,
)
_LIST_HEADER = re.compile(
    r"^(list-id|list-post|list-unsubscribe|list-help|list-archive|"
    r"x-mailing-list|mailing-list|x-beenthere|x-mailman-version)$",
    re.IGNORECASE,
)
# Verdicts that filters and virus gateways write into subjects.
_FILTER_TAG = re.compile(
    r"\[\s*\**\s*POSIBLE\s+SPAM\s*\**\s*\]|\[\s*\**\s*POSSIBLE\s+SPAM\s*\**\s*\]"
    r"|\*{2,}\s*SPAM\s*\*{2,}|[\[{(]\s*SPAM\s*[\]})]|\[\s*SPAM\s*:[^\]]*\]"
    r"|\[\s*WARNING:\s*VIRUS\s+REMOVED\s*\]|\[\s*Infected\s+Attachment\s+Removed\s*\]"
    r"|\[\s*VIRUS\s*\]",
    re.IGNORECASE,
)
# Tags of the mailing lists in the SpamAssassin ham. Some of those messages lost
# their list headers when the corpus was built, so the tags are also matched
# by name.
KNOWN_LIST_TAGS = frozenset(
    t.lower()
    for t in (
        "ILUG", "ILUG-Social", "Razor-users", "SAtalk", "SAdev", "SACVS",
        "Spambayes", "zzzzteana", "use Perl", "IIU", "IRR", "VoID", "Webdev",
        "Baseline", "vox", "dgc.chat", "scoop", "gst-devel", "camram-spam", "WM",
        "s-t", "exmh", "fork",
    )
)  # fmt: skip
_KNOWN_TAG_ANYWHERE = re.compile(
    r"\[\s*(?:" + "|".join(re.escape(t) for t in sorted(KNOWN_LIST_TAGS)) + r")\s*\]",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|sv)\s*(\[\d+\])?\s*:\s*)*", re.IGNORECASE
)
_BRACKET_TAG = re.compile(r"^\[([^\[\]]{1,40})\]\s*")
# Addresses and domains of the people who collected the corpora. The patterns
# have no word boundary in front, because the Nazario CSV bodies have lost
# whitespace (`Thanksmonkey.org`, `jose@monkey.orgNOTE`).
_OWNER_DOMAINS = (
    r"(?:[\w-]+\.)*monkey\.org|(?:[\w-]+\.)*taint\.org|"
    r"(?:[\w-]+\.)*slashnull\.org|example\.sourceforge\.net|"
    r"(?:[\w-]+\.)*domain\.com|localhost"
)
_AT_DOMAIN = re.compile(r"@([\w-]+(?:\.[\w-]+)*)")
_OWNER_DOMAIN_START = re.compile(_OWNER_DOMAINS, re.IGNORECASE)
_ANONYMISED_LOCAL = re.compile(r"zzzz|yyyy|qqqqqqqqqq[\w-]*", re.IGNORECASE)
_LOCAL_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-"
)
_OWNER_HINTS = ("monkey.org", "taint.org", "slashnull.org", "sourceforge.net")
_OWNER_DOMAIN = re.compile(
    r"(?:[\w-]+\.)*(?:monkey\.org|taint\.org|slashnull\.org)|example\.sourceforge\.net",
    re.IGNORECASE,
)
# "jose" as a word, also glued to a capitalised next word (`joseThe`), but not
# the city (`San Jose`) and not a longer name in capitals (`JOSEPH`).
_OWNER_NAME = re.compile(r"(?<![A-Za-z])(?<![Ss]an )(?i:jose)(?![a-z]|PH)")
# The collector's organisation as phishers name it from the domain (`Monkey
# Mail Team`); capitalised only, so the animal in running text stays.
_OWNER_ORG = re.compile(r"(?<![A-Za-z])(?:Monkey|MONKEY)(?![a-z])")
ORG_PLACEHOLDER = "Example"
# Header lines of forwarded or quoted messages inside a body.
_BODY_HEADER_LINE = re.compile(
    r"^[>\s]*(?:(?:delivered-to|x-original-to|return-path|errors-to|x-loop)"
    r"[ \t]*:[ \t]*<?[\w.+-]+@"
    r"|received[ \t]*:[ \t]*(?:from|by)\b"
    r"|(?:x-)?status[ \t]*:[ \t]*[ROADFU]{0,5}[ \t]*$"
    r"|(?:x-uid|x-keywords)[ \t]*:"
    r"|(?:x-spam-[\w-]*|list-[\w-]+|x-mailman-version|x-beenthere|"
    r"x-mailing-list|mailing-list)[ \t]*:"
    r"|precedence[ \t]*:[ \t]*(?:bulk|list|junk)\b)"
    r".*(?:\n|$)",
    re.IGNORECASE | re.MULTILINE,
)
_FOOTER_HINTS = ("mailing list", "/listinfo", "listman.", "yahoo! groups", "egroups")
# A footer at the end of a body: a rule line, then list boilerplate to the end.
_LIST_FOOTER = re.compile(
    r"\n[_=-]{10,}(?:[^\n]*\n){0,7}?[^\n]*"
    r"(mailing list|/listinfo|yahoo! groups|egroups)"
    r"[\s\S]*$",
    re.IGNORECASE,
)
# Lines of a list footer anywhere, also quoted in replies: the Mailman URL, the
# `NAME mailing list` line, and the short lines around them.
_FOOTER_ANCHOR = re.compile(
    r"/listinfo/|listman\.|^.{0,60}\bmailing list\s*(<[^>]*>)?\s*$",
    re.IGNORECASE,
)
_FOOTER_NEIGHBOUR = re.compile(
    r"^(?:[-_=~*]{2,}\s*|--\s*|.{0,70}@[\w.-]+\s*|list maintainer:.*|"
    r"for \(un\)subscription.*|.{0,60}\blist\b.{0,20}@.*)$",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"^[>\s]*")
_FOOTER_REACH = 3


@dataclass
class Removed:
    """Counts of the artefacts that leakage removal took out of one sample."""

    leaky_headers: int = 0
    tags: int = 0
    list_footers: int = 0
    owner_addresses: int = 0
    owner_domains: int = 0
    owner_names: int = 0


def count_leaky_headers(header_names: list[str]) -> int:
    """Return how many header fields record delivery, filtering or bookkeeping."""
    return sum(1 for name in header_names if _LEAKY_HEADER.match(name.strip()))


def has_list_headers(header_names: list[str]) -> bool:
    """Return True when the message went through mailing-list software."""
    return any(_LIST_HEADER.match(name.strip()) for name in header_names)


def strip_subject_tags(subject: str, from_list: bool) -> tuple[str, int]:
    """Remove filter verdicts and mailing-list `[TAG]` prefixes from a subject.

    A leading bracket tag is removed when the message has list headers or the
    tag is one of `KNOWN_LIST_TAGS`. Other bracket tags stay, because phishing
    subjects use them too (`[PayPal] Account notice`).
    """
    subject, removed = _FILTER_TAG.subn(" ", subject)
    subject, tags = _strip_list_tags(subject, from_list)
    removed += tags
    return " ".join(subject.split()), removed


def _strip_list_tags(subject: str, from_list: bool) -> tuple[str, int]:
    tags: set[str] = set()
    rest = subject
    count = 0
    while True:
        prefix = _REPLY_PREFIX.match(rest).group(0)
        tag = _BRACKET_TAG.match(rest[len(prefix) :])
        if not tag or not (
            from_list or tag.group(1).strip().lower() in KNOWN_LIST_TAGS
        ):
            break
        tags.add(tag.group(0).strip())
        rest = prefix + rest[len(prefix) + tag.end() :]
        count += 1
    for tag in tags:
        rest, n = re.subn(re.escape(tag), " ", rest)
        count += n
    rest, n = _KNOWN_TAG_ANYWHERE.subn(" ", rest)
    return rest, count + n


def _mask_addresses(text: str) -> tuple[str, int]:
    """Replace owner addresses, scanning from each `@` so the cost stays linear."""
    pieces: list[str] = []
    last = count = 0
    for match in _AT_DOMAIN.finditer(text):
        start = match.start()
        while start > last and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        local, domain = text[start : match.start()], match.group(1)
        if not local or not _is_owner_address(local, domain):
            continue
        owner = _OWNER_DOMAIN_START.match(domain)
        end = match.start(1) + owner.end() if owner else match.end()
        pieces += [text[last:start], ADDRESS_PLACEHOLDER]
        last = end
        count += 1
    pieces.append(text[last:])
    return "".join(pieces), count


def _is_owner_address(local: str, domain: str) -> bool:
    return bool(_OWNER_DOMAIN_START.match(domain) or _ANONYMISED_LOCAL.fullmatch(local))


def strip_list_footer(body: str) -> tuple[str, int]:
    """Cut mailing-list footers: the one ending the body and any quoted ones.

    Returns the body and the number of footers removed.
    """
    lowered = body.lower()
    if not any(hint in lowered for hint in _FOOTER_HINTS):
        return body, 0
    body, trailing = _LIST_FOOTER.subn("", body)
    body, inner = _strip_footer_lines(body)
    return body.rstrip(), trailing + inner


def strip_body_list_tags(body: str) -> tuple[str, int]:
    """Remove `KNOWN_LIST_TAGS` from a body, where quoted replies repeat them."""
    return _KNOWN_TAG_ANYWHERE.subn("", body)


def _strip_footer_lines(body: str) -> tuple[str, int]:
    """Remove each footer anchor line with the boilerplate lines next to it."""
    lines = body.split("\n")
    bare = [_QUOTE.sub("", line) for line in lines]
    drop: set[int] = set()
    anchors = [i for i, line in enumerate(bare) if _FOOTER_ANCHOR.search(line)]
    for anchor in anchors:
        drop.add(anchor)
        for step in (-1, 1):
            index = anchor + step
            while 0 <= index < len(lines) and abs(index - anchor) <= _FOOTER_REACH:
                if not bare[index].strip():
                    index += step
                    continue
                if not _FOOTER_NEIGHBOUR.match(bare[index]):
                    break
                drop.add(index)
                index += step
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept), len(anchors)


def mask_owner(text: str) -> tuple[str, Removed]:
    """Replace the collectors' addresses, domains and first name with placeholders."""
    removed = Removed()
    if "@" in text:
        text, removed.owner_addresses = _mask_addresses(text)
    lowered = text.lower()
    if any(hint in lowered for hint in _OWNER_HINTS):
        text, removed.owner_domains = _OWNER_DOMAIN.subn(DOMAIN_PLACEHOLDER, text)
    if "jose" in lowered:
        text, removed.owner_names = _OWNER_NAME.subn(NAME_PLACEHOLDER, text)
    if "monkey" in lowered:
        text, orgs = _OWNER_ORG.subn(ORG_PLACEHOLDER, text)
        removed.owner_names += orgs
    return text, removed


def strip_body_header_lines(body: str) -> tuple[str, int]:
    """Remove delivery and bookkeeping header lines quoted inside a body."""
    if ":" not in body:
        return body, 0
    return _BODY_HEADER_LINE.subn("", body)
