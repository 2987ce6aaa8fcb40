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
# Addresses and domains of the people who collected the corpora.
_OWNER_DOMAINS = (
    r"(?:[\w-]+\.)*monkey\.org|(?:[\w-]+\.)*spamassassin\.taint\.org|"
    r"(?:[\w-]+\.)*slashnull\.org|example\.sourceforge\.net|"
    r"(?:[\w-]+\.)*domain\.com|localhost"
)
_OWNER_ADDRESS = re.compile(
    rf"[\w.+-]+@(?:{_OWNER_DOMAINS})\b|\b(?:zzzz|yyyy|qqqqqqqqqq[\w-]*)@[\w.-]+\b",
    re.IGNORECASE,
)
_OWNER_DOMAIN = re.compile(
    r"\b(?:(?:[\w-]+\.)*monkey\.org|(?:[\w-]+\.)*spamassassin\.taint\.org|"
    r"(?:[\w-]+\.)*slashnull\.org|example\.sourceforge\.net)\b",
    re.IGNORECASE,
)
_OWNER_NAME = re.compile(r"\bjose\b", re.IGNORECASE)
# A Mailman/ezmlm footer: a rule line, then list boilerplate up to the end.
_LIST_FOOTER = re.compile(
    r"\n[_=-]{10,}(?:[^\n]*\n){0,7}?[^\n]*"
    r"(mailing list|/listinfo|yahoo! groups|egroups)"
    r"[\s\S]*$",
    re.IGNORECASE,
)


@dataclass
class Removed:
    """What leakage removal took out of one sample."""

    leaky_headers: int = 0
    subject_tags: int = 0
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


def strip_list_footer(body: str) -> tuple[str, int]:
    """Cut a mailing-list footer from the end of a body."""
    cut, n = _LIST_FOOTER.subn("", body)
    return cut.rstrip(), n


def mask_owner(text: str) -> tuple[str, Removed]:
    """Replace the collectors' addresses, domains and first name with placeholders."""
    removed = Removed()
    text, removed.owner_addresses = _OWNER_ADDRESS.subn(ADDRESS_PLACEHOLDER, text)
    text, removed.owner_domains = _OWNER_DOMAIN.subn(DOMAIN_PLACEHOLDER, text)
    text, removed.owner_names = _OWNER_NAME.subn(NAME_PLACEHOLDER, text)
    return text, removed
