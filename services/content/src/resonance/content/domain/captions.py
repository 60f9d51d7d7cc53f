"""Suggested captions: per-network length limits (X counts weighted characters)."""

from dataclasses import dataclass

from resonance.content.domain.compliance import refuse_blocked
from resonance.content.domain.errors import CaptionsTooLarge, CaptionTooLong
from resonance.socialtext.length import weighted_length

# Published limits of a post's text on each network.
NETWORK_LIMITS: dict[str, int] = {
    "linkedin": 3000,
    "x": 280,
    "facebook": 63206,
    "instagram": 2200,
    "xing": 420,
    "tiktok": 2200,
    "threads": 500,
}

# Bounds on what an item may carry, whatever the network: checked before any counting (no
# unbounded CPU work in a request) and keeping `content.published` far below the outbox's
# event size limit (50 captions of 20,000 characters would already be 1 MB of text).
MAX_CAPTIONS = 30
MAX_CAPTION_CHARS = 10_000
MAX_CAPTIONS_TOTAL_CHARS = 60_000


def caption_length(network: str, text: str) -> int:
    """Length as the network counts it: X weighs CJK and emoji double and every URL as 23."""
    if network == "x":
        return weighted_length(text)
    return len(text)


@dataclass(frozen=True)
class LengthIssue:
    network: str
    language: str
    length: int
    limit: int

    def describe(self) -> str:
        return (
            f"{self.network} caption ({self.language}) is {self.length} characters "
            f"long with the disclosure; the limit is {self.limit}"
        )


def with_disclosure(text: str, disclosure: str | None) -> str:
    """What will be posted: the sharing service appends the tenant's disclosure text."""
    return f"{text} {disclosure}" if disclosure else text


def length_issue(
    network: str, language: str, text: str, disclosure: str | None = None
) -> LengthIssue | None:
    limit = NETWORK_LIMITS.get(network)
    if limit is None:
        return None
    text = with_disclosure(text, disclosure)
    if len(text) > max(16 * limit, 16_384):
        # Far over whatever URLs shorten: refused on its size, without counting.
        return LengthIssue(network, language, len(text), limit)
    length = caption_length(network, text)
    return LengthIssue(network, language, length, limit) if length > limit else None


def check_captions(
    captions: list[tuple[str, str, str]], blocked_terms: list[str], disclosure: str | None
) -> None:
    """Each (network, language, text) caption is free of blocked terms and, with the
    disclosure the sharing service appends, within its network's limit. The cheap bounds
    (how many, how long) come first."""
    check_caption_bounds([text for _, _, text in captions])
    for i, (network, language, text) in enumerate(captions):
        refuse_blocked(blocked_terms, **{f"captions[{i}]": text})
        issue = length_issue(network, language, text, disclosure)
        if issue is not None:
            raise CaptionTooLong(
                issue.describe(),
                network=network,
                language=language,
                length=issue.length,
                limit=issue.limit,
                index=i,
            )


def check_caption_bounds(texts: list[str]) -> None:
    """At most MAX_CAPTIONS captions of MAX_CAPTION_CHARS each, MAX_CAPTIONS_TOTAL_CHARS in all
    (the `other` network has no limit of its own, these bound it too)."""
    if len(texts) > MAX_CAPTIONS:
        raise CaptionsTooLarge(
            f"at most {MAX_CAPTIONS} captions per item", count=len(texts), limit=MAX_CAPTIONS
        )
    for i, text in enumerate(texts):
        if len(text) > MAX_CAPTION_CHARS:
            raise CaptionsTooLarge(
                f"captions[{i}] has {len(text)} characters; at most {MAX_CAPTION_CHARS}",
                index=i,
                length=len(text),
                limit=MAX_CAPTION_CHARS,
            )
    total = sum(len(t) for t in texts)
    if total > MAX_CAPTIONS_TOTAL_CHARS:
        raise CaptionsTooLarge(
            f"the captions hold {total} characters; at most {MAX_CAPTIONS_TOTAL_CHARS} in all",
            length=total,
            limit=MAX_CAPTIONS_TOTAL_CHARS,
        )


def number_variants(captions: list[tuple[str, str, str]]) -> list[tuple[str, str, int, str]]:
    """Gives each (network, language) group's captions variant numbers 1, 2, 3..."""
    counters: dict[tuple[str, str], int] = {}
    numbered = []
    for network, language, text in captions:
        n = counters.get((network, language), 0) + 1
        counters[(network, language)] = n
        numbered.append((network, language, n, text))
    return numbered
