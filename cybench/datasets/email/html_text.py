"""Reduce an HTML email body to the plain text a reader would see.

Built on the standard library's `html.parser`, which accepts broken markup.
Script, style and head content is dropped, entities are unescaped, and a link
whose target differs from its visible text keeps the target in parentheses,
because a mismatch between the two is what a reader checks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "noscript", "template", "head", "title", "xml"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "table", "tbody", "tfoot", "thead", "tr", "ul", "body", "html",
}  # fmt: skip
_CELLS = {"td", "th"}
_VOID_SKIPPED = {"meta", "link", "base"}
_LINK_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "www.")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_HTML_HINT = re.compile(
    r"<\s*(html|body|div|p|br|table|td|span|font|a\s+href|img|center|b|strong)\b",
    re.IGNORECASE,
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.in_head = False
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_head = False
        if tag == "head":
            self.in_head = True
            return
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        if tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in _CELLS:
            self.parts.append(" ")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href.strip(), len(self.parts)))
        if tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.parts.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
            return
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "a" and self.links:
            self._close_link()

    def _close_link(self) -> None:
        href, start = self.links.pop()
        if not href.lower().startswith(_LINK_SCHEMES):
            return
        shown = "".join(self.parts[start:]).strip()
        if _same_target(shown, href):
            return
        self.parts.append(f" ({href})")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_SKIPPED:
            return
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.skip_depth or self.in_head:
            return
        self.parts.append(data)


def _same_target(shown: str, href: str) -> bool:
    def bare(url: str) -> str:
        url = url.lower().removeprefix("mailto:")
        url = re.sub(r"^[a-z]+://", "", url)
        return url.rstrip("/")

    return bare(shown) == bare(href)


def looks_like_html(text: str) -> bool:
    """Return True when `text` contains common HTML tags (a cheap sniff)."""
    return bool(_HTML_HINT.search(text))


def html_to_text(markup: str) -> str:
    """Return the visible text of `markup`, one paragraph per line block."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return tidy_whitespace("".join(parser.parts))


def tidy_whitespace(text: str) -> str:
    """Unify line endings, collapse runs of spaces and of blank lines, and strip."""
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
