"""The text that gets posted: caption, disclosure and tracked link, and whether it fits.

Colleagues sharing the same item should not all post the same words, so the suggested
caption is one of the item's variants, picked by a stable hash of (ambassador, item): the
same person always gets the same variant for an item, different people spread over them.
"""

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resonance.sharing.domain.networks import Network, profile
from resonance.socialtext.length import LengthRule, measure

# Caption rows written for every network ("other" is the content service's word for it).
GENERIC_NETWORKS = frozenset({"other", "any", "all", "*", ""})


@dataclass(frozen=True)
class CaptionVariant:
    """One suggested caption of a content item, as the content service publishes it."""

    network: str
    language: str
    text: str


@dataclass(frozen=True)
class CaptionChoice:
    variant: CaptionVariant
    generic: bool  # written for any network, not for this one
    index: int  # position among the candidates it was drawn from
    candidates: int


@dataclass(frozen=True)
class TooLong:
    """A post refused because the network would not take it: say which and by how much."""

    network: Network
    length: int
    limit: int
    over: int
    exact: bool = True

    def describe(self) -> str:
        about = "" if self.exact else "about "
        return (
            f"The {profile(self.network).label} post is {about}{self.length} characters long "
            f"with the disclosure and the link; the limit is {self.limit}: remove {self.over}."
        )


def _stable_index(count: int, *parts: str) -> int:
    # hashlib, not hash(): str hashes change with every process (PYTHONHASHSEED).
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


def _language_key(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def choose_caption(
    variants: Sequence[CaptionVariant],
    network: str | Network,
    languages: Sequence[str],
    *,
    ambassador_id: str,
    item_id: str,
) -> CaptionChoice | None:
    """The suggested caption for this person, item and network, or None when there is none.

    Candidates, by preference: this network's variants in the first of `languages` that has
    any, else generic variants in that language; if no language matches, this network's
    variants in any language, then generic ones in any language. Among the n candidates, in
    the order given (their variant numbers), the choice is sha256(ambassador_id, item_id,
    network) mod n: stable across processes and restarts, spread across colleagues.
    """
    target = profile(network).network.value
    wanted = [_language_key(lang) for lang in languages]

    def pool(*, generic: bool, language: str | None) -> list[CaptionVariant]:
        return [
            v
            for v in variants
            if (v.network.lower() in GENERIC_NETWORKS if generic else v.network.lower() == target)
            and (language is None or _language_key(v.language) == language)
        ]

    tiers: list[tuple[bool, str | None]] = []
    for preferred in wanted:
        tiers += [(False, preferred), (True, preferred)]
    tiers += [(False, None), (True, None)]
    for generic, language in tiers:
        candidates = pool(generic=generic, language=language)
        if candidates:
            index = _stable_index(len(candidates), ambassador_id, item_id, target)
            return CaptionChoice(candidates[index], generic, index, len(candidates))
    return None


def _contains(text: str, fragment: str) -> bool:
    return fragment.casefold() in text.casefold()


def compose_post_text(
    caption: str,
    *,
    disclosure: str | None = None,
    tracked_link: str | None = None,
    item_url: str | None = None,
) -> str:
    """The exact text to post: caption, then the disclosure, then the tracked link.

    The disclosure ("#ad", "#employee") is added unless the caption already says it; where
    the caption quotes the item's own URL, the tracked link replaces it (so the click is
    counted) instead of being appended a second time.
    """
    body = caption.strip()
    if disclosure and disclosure.strip() and not _contains(body, disclosure.strip()):
        body = f"{body} {disclosure.strip()}" if body else disclosure.strip()
    if tracked_link:
        if item_url and item_url in body:
            body = body.replace(item_url, tracked_link)
        elif tracked_link not in body:
            body = f"{body}\n{tracked_link}" if body else tracked_link
    return body


def check_length(
    network: str | Network, text: str, *, rule: LengthRule | None = None
) -> TooLong | None:
    """None when `text` fits the network's rule, else the refusal saying by how much.

    `rule` overrides the network's default (a Mastodon server allowing more than 500).
    """
    p = profile(network)
    measured = measure(text, rule or p.length)
    if measured.fits:
        return None
    return TooLong(p.network, measured.length, measured.limit, measured.over, measured.exact)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def blocked_terms_found(text: str, terms: Iterable[str]) -> list[str]:
    """The tenant's blocked terms that `text` contains (whole words, any case or width).

    "Whole words": a term matches where it is not glued to a letter or digit on either side,
    so "ass" does not match "class". The terms come back as the tenant wrote them.
    """
    folded = _fold(text)
    found = []
    for term in terms:
        needle = _fold(term.strip())
        if not needle:
            continue
        start = folded.find(needle)
        while start != -1:
            end = start + len(needle)
            before = folded[start - 1] if start > 0 else " "
            after = folded[end] if end < len(folded) else " "
            if not before.isalnum() and not after.isalnum():
                found.append(term)
                break
            start = folded.find(needle, start + 1)
    return found
