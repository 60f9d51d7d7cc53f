"""Badges: what a person newly earns from their counters, each badge once (pure).

Badges are checked against running counters kept by the store (all-time shares, market
shares, approved submissions, active ISO weeks), never against raw events. A badge is never
taken back: `new_badges` only ever adds to what was awarded. The store keeps the awarded codes
with a unique (tenant, ambassador, code) constraint, so a badge cannot be awarded twice even
if two facts race.

Campaign goal badges exist once per campaign (`campaign_goal:<campaign_id>`): everyone who
shared a campaign's content while it ran earns it when the campaign reaches its goal.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from resonance.metrics.domain.periods import week_start


class BadgeKind(StrEnum):
    FIRST_SHARE = "first_share"
    SHARES = "shares"  # N shares in all
    WEEKLY_STREAK = "weekly_streak"  # shared in N consecutive ISO weeks
    MARKET_CURATOR = "market_curator"  # N shares of market (industry) content
    CREATOR = "creator"  # N approved submissions of one's own content
    CAMPAIGN_GOAL = "campaign_goal"  # contributed to a campaign that reached its goal


@dataclass(frozen=True)
class BadgeDefinition:
    code: str  # stable identifier, stored with the award and in reward.granted
    kind: BadgeKind
    threshold: int
    title: str


CAMPAIGN_GOAL_PREFIX = "campaign_goal:"

DEFAULT_BADGES: tuple[BadgeDefinition, ...] = (
    BadgeDefinition("first_share", BadgeKind.FIRST_SHARE, 1, "First share"),
    BadgeDefinition("shares_10", BadgeKind.SHARES, 10, "10 shares"),
    BadgeDefinition("shares_50", BadgeKind.SHARES, 50, "50 shares"),
    BadgeDefinition("shares_100", BadgeKind.SHARES, 100, "100 shares"),
    BadgeDefinition("streak_4_weeks", BadgeKind.WEEKLY_STREAK, 4, "4 weeks in a row"),
    BadgeDefinition("streak_12_weeks", BadgeKind.WEEKLY_STREAK, 12, "12 weeks in a row"),
    BadgeDefinition("curator_10", BadgeKind.MARKET_CURATOR, 10, "Curator of market content"),
    BadgeDefinition("creator", BadgeKind.CREATOR, 1, "Creator"),
)


@dataclass(frozen=True)
class BadgeCounters:
    """One ambassador's all-time counters, as the store keeps them."""

    shares: int = 0
    market_shares: int = 0
    approved_submissions: int = 0
    longest_weekly_streak: int = 0
    goal_campaigns: frozenset[str] = frozenset()  # reached their goal, with this person's shares


def campaign_goal_badge(campaign_id: str, campaign_name: str | None = None) -> BadgeDefinition:
    title = f"Campaign goal reached: {campaign_name or campaign_id}"
    return BadgeDefinition(CAMPAIGN_GOAL_PREFIX + campaign_id, BadgeKind.CAMPAIGN_GOAL, 1, title)


def _counter(counters: BadgeCounters, kind: BadgeKind) -> int:
    match kind:
        case BadgeKind.FIRST_SHARE | BadgeKind.SHARES:
            return counters.shares
        case BadgeKind.WEEKLY_STREAK:
            return counters.longest_weekly_streak
        case BadgeKind.MARKET_CURATOR:
            return counters.market_shares
        case BadgeKind.CREATOR:
            return counters.approved_submissions
        case BadgeKind.CAMPAIGN_GOAL:
            return 0  # per campaign, see new_badges


def new_badges(
    counters: BadgeCounters,
    awarded: Iterable[str],
    catalogue: Sequence[BadgeDefinition] = DEFAULT_BADGES,
) -> tuple[BadgeDefinition, ...]:
    """Badges earned by `counters` and not in `awarded` (codes), catalogue order first."""
    have = set(awarded)
    earned = [
        badge
        for badge in catalogue
        if badge.kind is not BadgeKind.CAMPAIGN_GOAL
        and badge.code not in have
        and _counter(counters, badge.kind) >= badge.threshold
    ]
    earned += [
        campaign_goal_badge(campaign_id)
        for campaign_id in sorted(counters.goal_campaigns)
        if CAMPAIGN_GOAL_PREFIX + campaign_id not in have
    ]
    return tuple(earned)


def _mondays(active_days: Iterable[date]) -> list[date]:
    return sorted({week_start(day) for day in active_days})


def longest_weekly_streak(active_days: Iterable[date]) -> int:
    """Most consecutive ISO weeks holding at least one share.

    `active_days` are tenant-local days with a share (or Mondays of active weeks); order and
    duplicates do not matter, so late events cannot break a streak.
    """
    longest = run = 0
    previous: date | None = None
    for monday in _mondays(active_days):
        run = run + 1 if previous is not None and monday - previous == timedelta(days=7) else 1
        longest = max(longest, run)
        previous = monday
    return longest


def current_weekly_streak(active_days: Iterable[date], today: date) -> int:
    """Consecutive active ISO weeks ending this week, or last week (this one is not over)."""
    weeks = set(_mondays(active_days))
    monday = week_start(today)
    if monday not in weeks:
        monday -= timedelta(days=7)
    streak = 0
    while monday in weeks:
        streak += 1
        monday -= timedelta(days=7)
    return streak
