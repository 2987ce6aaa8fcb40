"""Licence and citation of the published email corpora, looked up by file digest.

A file whose SHA-256 is not listed gets its licence from its name where the
name identifies the corpus, else `unknown`, so the raw artifact claims no
licence that was not checked.
"""

from __future__ import annotations

from pathlib import PurePath

_NAZARIO_CITATION = "J. Nazario, Phishing Corpus, https://monkey.org/~jose/phishing/"
_CHAMPA_CITATION = (
    "A. I. Champa, M. F. Rabbi, M. F. Zibran, Curated Datasets and Feature "
    "Analysis for Phishing Email Detection with Machine Learning, IEEE ICMI 2024"
)
_SPAMASSASSIN_CITATION = (
    "Apache SpamAssassin public corpus, 2003-02-28 release, "
    "https://spamassassin.apache.org/old/publiccorpus/"
)

_NAZARIO_CSV = {
    "corpus": "Phishing Email Curated Datasets (Nazario, 2015-2022 part)",
    "licence": "CC BY 4.0 (as given by dataset-search metadata)",
    "citation": [_CHAMPA_CITATION, _NAZARIO_CITATION],
}
_NAZARIO_MBOX = {
    "corpus": "Nazario phishing corpus, raw mbox (2004-2005)",
    "licence": "no explicit licence; publicly posted for research",
    "citation": [_NAZARIO_CITATION],
}
_SPAMASSASSIN = {
    "corpus": "Apache SpamAssassin public corpus",
    "licence": (
        "copyright for the text in the messages remains with the original senders; "
        "the stdlib-js packaging states ODC PDDL 1.0 for files and CC0 1.0 for contents"
    ),
    "citation": [_SPAMASSASSIN_CITATION],
}

# sha256 hex of the files as published -> provenance
KNOWN_FILES = {
    "3ba600d96774ed617d94d22cebbfd9e0afb9259da19071e2d20a5a3708da3eba": _NAZARIO_CSV,
    "6184b0a34ed8cbbb252676e21c1eab9eac5fa4be89c61e30cc9954ebbb25d848": _NAZARIO_MBOX,
    "99f02474a11086408a5ce6d11ef38823f003c6611a4312c31fbee96773eeba28": _NAZARIO_MBOX,
    "3b5889aec90caf64fd094e7e458ed96f5b7499882003eff42cb15f5a534f35db": _SPAMASSASSIN,
    "821a613d1b1906935c486701fdf36930e1a20d8f2c302af554a7c08d665f2a9f": _SPAMASSASSIN,
    "0b3a7b69ff1be0dd19d918bd7d1ac2499d0250660bb57123204b88a008a17b43": _SPAMASSASSIN,
    "2919542de8632c6f3b1d09ffdb8236ce7547770178b991547ca1c6e7765d2a17": _SPAMASSASSIN,
    "d9607ca03f79dc5782429118e4eabd3a40e69ae30ddda016ad68a799900fca11": _SPAMASSASSIN,
}

_UNKNOWN = {
    "corpus": "unknown",
    "licence": "unknown; check the terms of the source before publishing results",
    "citation": [],
}


def provenance_of(path: PurePath, digest: str) -> dict:
    """Return corpus, licence and citation for a source file with this digest."""
    known = KNOWN_FILES.get(digest.removeprefix("sha256:"))
    if known:
        return {**known, "identified_by": "sha256"}
    name = path.name.lower()
    if name.startswith(("easy_ham", "hard_ham", "spam")):
        return {**_SPAMASSASSIN, "identified_by": "file name"}
    if name.startswith("phishing") and name.endswith(".mbox"):
        return {**_NAZARIO_MBOX, "identified_by": "file name"}
    if name == "nazario.csv":
        return {**_NAZARIO_CSV, "identified_by": "file name"}
    return {**_UNKNOWN, "identified_by": "none"}
