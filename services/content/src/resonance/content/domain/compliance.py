"""Tenant compliance rules on text: blocked words and phrases."""

import re
import unicodedata

from resonance.content.domain.errors import BlockedTerm


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def find_blocked_term(text: str, blocked_terms: list[str]) -> str | None:
    """The first blocked term found in `text` as a whole word or phrase (case-insensitive,
    any whitespace between the words of a phrase), or None."""
    folded = _fold(text)
    for term in blocked_terms:
        words = _fold(term).split()
        if not words:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        if re.search(pattern, folded):
            return term
    return None


def clean_terms(terms: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for term in terms:
        stripped = " ".join(term.split())
        if stripped:
            seen.setdefault(_fold(stripped), stripped)
    return list(seen.values())


def refuse_blocked(blocked_terms: list[str], **texts: str | None) -> None:
    """Refuses the first blocked term found in any of the texts (field name → text)."""
    for field, value in texts.items():
        if not value:
            continue
        term = find_blocked_term(value, blocked_terms)
        if term is not None:
            raise BlockedTerm(f"{field} contains the blocked term {term!r}", term=term, field=field)
