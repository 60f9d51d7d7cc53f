"""Suggested captions: per-network length limits (X counts weighted characters)."""

import warnings
from dataclasses import dataclass

from resonance.content.domain.compliance import refuse_blocked
from resonance.content.domain.errors import CaptionTooLong

with warnings.catch_warnings():
    # twitter-text-parser loads its emoji table through pkg_resources, which warns on import.
    warnings.simplefilter("ignore")
    from twitter_text import parse_tweet

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


def caption_length(network: str, text: str) -> int:
    """Length as the network counts it: X weighs CJK and emoji double and every URL as 23."""
    if network == "x":
        return int(parse_tweet(text).weightedLength)
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
    length = caption_length(network, with_disclosure(text, disclosure))
    return LengthIssue(network, language, length, limit) if length > limit else None


def check_captions(
    captions: list[tuple[str, str, str]], blocked_terms: list[str], disclosure: str | None
) -> None:
    """Each (network, language, text) caption is free of blocked terms and, with the
    disclosure the sharing service appends, within its network's limit."""
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


def number_variants(captions: list[tuple[str, str, str]]) -> list[tuple[str, str, int, str]]:
    """Gives each (network, language) group's captions variant numbers 1, 2, 3..."""
    counters: dict[tuple[str, str], int] = {}
    numbered = []
    for network, language, text in captions:
        n = counters.get((network, language), 0) + 1
        counters[(network, language)] = n
        numbered.append((network, language, n, text))
    return numbered
