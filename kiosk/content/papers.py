"""What counts as a paper to bring: shared by the validator and the receipt.

« Les papiers à apporter » is printed and taken away: it lists documents the visitor can
put in a bag. Secrets and contact details (a password, an e-mail address, a phone, a
code) are not papers, and a password must never be written on paper.
"""

from __future__ import annotations

import re

# Words that show a line is not a paper. Matched on whole words, case ignored.
NOT_A_PAPER = re.compile(
    r"\b(mots? de passe|adresses? (?:e-?mail|mail|électronique)|e-?mails?|"
    r"téléphones?|portables?|codes?|identifiants?|PIN)\b",
    re.IGNORECASE,
)


def not_a_paper(label: str) -> str | None:
    """The word that shows label is a secret or a contact detail, not a paper; else None."""
    m = NOT_A_PAPER.search(label)
    return m.group() if m else None


def _key(text: str) -> str:
    return " ".join(text.casefold().rstrip(" .").split())


def same_paper(a: str, b: str) -> bool:
    """« Votre ancienne carte » and « Votre ancienne carte, si vous en avez une » are one paper."""
    a, b = _key(a), _key(b)
    return a.startswith(b) or b.startswith(a)
