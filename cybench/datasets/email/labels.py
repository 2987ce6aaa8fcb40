"""Class names of the phishing task and the spellings accepted for them."""

from __future__ import annotations

PHISHING = "phishing"
LEGITIMATE = "legitimate"

# Spellings seen in `--path PATH:LABEL` suffixes and in published label columns.
_SPELLINGS = {
    "phishing": PHISHING,
    "phish": PHISHING,
    "phishing email": PHISHING,
    "1": PHISHING,
    "1.0": PHISHING,
    "true": PHISHING,
    "legitimate": LEGITIMATE,
    "legit": LEGITIMATE,
    "ham": LEGITIMATE,
    "safe": LEGITIMATE,
    "safe email": LEGITIMATE,
    "benign": LEGITIMATE,
    "0": LEGITIMATE,
    "0.0": LEGITIMATE,
    "false": LEGITIMATE,
}
SPAM_SPELLINGS = {"spam", "spam email", "junk"}
SPAM_REASON = (
    "spam is not phishing: this task is phishing versus legitimate mail, and "
    "unlabelled spam contains phishing, so it cannot serve as either class"
)


def normalise_label(value: object) -> str | None:
    """Return `phishing` or `legitimate` for a known spelling, None for an unknown one.

    Raises ValueError with the reason for a spam label, which has no class here.
    """
    text = " ".join(str(value).strip().lower().split())
    if text in SPAM_SPELLINGS:
        raise ValueError(SPAM_REASON)
    return _SPELLINGS.get(text)


def y_of(label: str) -> int:
    """Return 1 for phishing, the positive class, and 0 for legitimate."""
    return 1 if label == PHISHING else 0
