"""Badges from counters, each once, and weekly streaks over ISO weeks."""

from datetime import date

from resonance.metrics.domain.badges import (
    BadgeCounters,
    BadgeDefinition,
    BadgeKind,
    current_weekly_streak,
    longest_weekly_streak,
    new_badges,
)


def codes(badges: tuple[BadgeDefinition, ...]) -> list[str]:
    return [b.code for b in badges]


def test_first_share_then_each_threshold_once() -> None:
    assert codes(new_badges(BadgeCounters(shares=1), awarded=())) == ["first_share"]
    assert codes(new_badges(BadgeCounters(shares=9), awarded={"first_share"})) == []
    assert codes(new_badges(BadgeCounters(shares=10), awarded={"first_share"})) == ["shares_10"]
    # Someone whose 100 shares arrive at once (a replay) gets every step, in catalogue order.
    assert codes(new_badges(BadgeCounters(shares=100), awarded=())) == [
        "first_share",
        "shares_10",
        "shares_50",
        "shares_100",
    ]
    everything = {"first_share", "shares_10", "shares_50", "shares_100"}
    assert new_badges(BadgeCounters(shares=500), awarded=everything) == ()


def test_streak_curator_and_creator_badges() -> None:
    counters = BadgeCounters(
        shares=12, market_shares=10, approved_submissions=1, longest_weekly_streak=4
    )
    earned = codes(new_badges(counters, awarded={"first_share", "shares_10"}))
    assert earned == ["streak_4_weeks", "curator_10", "creator"]
    assert codes(new_badges(BadgeCounters(market_shares=9, longest_weekly_streak=3), ())) == []


def test_campaign_goal_badges_exist_once_per_campaign() -> None:
    counters = BadgeCounters(shares=3, goal_campaigns=frozenset({"c2", "c1"}))
    earned = new_badges(counters, awarded={"first_share", "campaign_goal:c1"})
    assert codes(earned) == ["campaign_goal:c2"]
    assert earned[0].kind is BadgeKind.CAMPAIGN_GOAL


def test_a_tenant_catalogue_replaces_the_default() -> None:
    catalogue = (BadgeDefinition("shares_3", BadgeKind.SHARES, 3, "Three"),)
    assert codes(new_badges(BadgeCounters(shares=3), (), catalogue)) == ["shares_3"]


# ISO weeks around new year: Monday 22 Dec 2025 (W52), Monday 29 Dec 2025 (W1 of 2026),
# Monday 5 Jan 2026 (W2), Monday 12 Jan (W3, no share), Monday 19 Jan (W4).
ACTIVE_DAYS = [
    date(2026, 1, 19),  # Monday, W4 (after a gap)
    date(2025, 12, 31),  # Wednesday, W1 of 2026
    date(2025, 12, 22),  # Monday, W52
    date(2026, 1, 9),  # Friday, W2
    date(2026, 1, 5),  # Monday, W2 again: same week, no double count
]


def test_longest_streak_crosses_the_year_and_ignores_order_and_duplicates() -> None:
    # W52, W1, W2 are consecutive (3); W4 stands alone after the empty W3.
    assert longest_weekly_streak(ACTIVE_DAYS) == 3
    assert longest_weekly_streak([]) == 0
    assert longest_weekly_streak([date(2026, 1, 5), date(2026, 1, 11)]) == 1  # Mon and Sun


def test_current_streak_counts_back_from_this_or_last_week() -> None:
    assert current_weekly_streak(ACTIVE_DAYS, date(2026, 1, 7)) == 3  # in W2
    # In W3 nobody shared yet, but the week is not over: the streak up to W2 still stands.
    assert current_weekly_streak(ACTIVE_DAYS, date(2026, 1, 14)) == 3
    assert current_weekly_streak(ACTIVE_DAYS, date(2026, 1, 21)) == 1  # W4 after the gap
    assert current_weekly_streak(ACTIVE_DAYS, date(2026, 1, 28)) == 1  # W5, W4 counts
    assert current_weekly_streak(ACTIVE_DAYS, date(2026, 2, 4)) == 0  # W6: W5 was empty
