"""Post metrics that grow with the sandbox clock, deterministically, so tests can assert them.

A post reaches `reach_percent` % of its author's followers, linearly over `saturation_s`
seconds, then stays there; engagement is a fixed fraction of impressions. Integer arithmetic
only, so a test computes the expected value by hand: 1,200 followers, 100 %, 48 h saturation,
12 h old -> 1200 * 100 * 43200 // (100 * 172800) = 300 impressions, 300 // 50 = 6 reactions.
"""

from __future__ import annotations

from dataclasses import dataclass

# One engagement per N impressions.
REACH_PER_MILLE = 700  # unique members reached: 70 % of impressions
REACTION_EVERY = 50
COMMENT_EVERY = 400
RESHARE_EVERY = 500
QUOTE_EVERY = 2_000
BOOKMARK_EVERY = 1_000
LINK_CLICK_EVERY = 100
PROFILE_CLICK_EVERY = 250


@dataclass(frozen=True)
class PostMetrics:
    impressions: int
    reached: int
    reactions: int
    comments: int
    reshares: int
    quotes: int
    bookmarks: int
    link_clicks: int
    profile_clicks: int


def impressions(followers: int, age_s: float, reach_percent: int, saturation_s: int) -> int:
    age = max(0, min(int(age_s), saturation_s))
    return followers * reach_percent * age // (100 * saturation_s)


def metrics(followers: int, age_s: float, reach_percent: int, saturation_s: int) -> PostMetrics:
    shown = impressions(followers, age_s, reach_percent, saturation_s)
    return PostMetrics(
        impressions=shown,
        reached=shown * REACH_PER_MILLE // 1_000,
        reactions=shown // REACTION_EVERY,
        comments=shown // COMMENT_EVERY,
        reshares=shown // RESHARE_EVERY,
        quotes=shown // QUOTE_EVERY,
        bookmarks=shown // BOOKMARK_EVERY,
        link_clicks=shown // LINK_CLICK_EVERY,
        profile_clicks=shown // PROFILE_CLICK_EVERY,
    )
