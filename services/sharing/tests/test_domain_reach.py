"""Polling schedule, metrics batches and estimated versus measured reach."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from resonance.sharing.domain.networks import Network
from resonance.sharing.domain.reach import (
    MetricsBatch,
    PollTarget,
    Reach,
    ReachKind,
    ReachTotals,
    estimate_reach,
    measured_reach,
    measures_reach,
    next_poll_at,
    plan_metrics_batches,
    reach_rate,
    shown_reach,
    total_reach,
)

POSTED = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def test_decaying_poll_schedule() -> None:
    assert next_poll_at(POSTED) == POSTED + timedelta(hours=1)
    assert next_poll_at(POSTED, POSTED + timedelta(hours=1)) == POSTED + timedelta(hours=6)
    # Polled a little late at 6 h 5 min: next is the 1-day mark.
    assert next_poll_at(POSTED, POSTED + timedelta(hours=6, minutes=5)) == POSTED + timedelta(
        days=1
    )
    assert next_poll_at(POSTED, POSTED + timedelta(days=3)) == POSTED + timedelta(days=7)
    assert next_poll_at(POSTED, POSTED + timedelta(days=30)) is None


def test_missed_polls_collapse_into_one() -> None:
    # Down from 1 h to day 10: the 6 h mark is due (in the past, so now); once polled on
    # day 10, the 1, 3 and 7 day marks are all behind and the next is day 30.
    assert next_poll_at(POSTED, POSTED + timedelta(hours=1)) == POSTED + timedelta(hours=6)
    assert next_poll_at(POSTED, POSTED + timedelta(days=10)) == POSTED + timedelta(days=30)


def _targets(
    network: Network, account: str, count: int, age: timedelta, now: datetime
) -> list[PollTarget]:
    return [
        PollTarget(f"{account}-s{i}", network, f"{account}-p{i:03}", account, now - age)
        for i in range(count)
    ]


def test_young_x_posts_batch_100_per_author_with_private_metrics() -> None:
    now = POSTED + timedelta(days=2)
    batches = plan_metrics_batches(
        _targets(Network.X, "acc1", 250, timedelta(days=1), now), now=now
    )
    assert [len(b.post_ids) for b in batches] == [100, 100, 50]
    assert all(b.account_id == "acc1" and b.non_public for b in batches)
    two_authors = plan_metrics_batches(
        _targets(Network.X, "a", 3, timedelta(days=1), now)
        + _targets(Network.X, "b", 2, timedelta(days=1), now),
        now=now,
    )
    assert [(b.account_id, len(b.post_ids)) for b in two_authors] == [("a", 3), ("b", 2)]


def test_old_x_posts_batch_across_authors_with_public_metrics_only() -> None:
    now = POSTED + timedelta(days=40)
    targets = _targets(Network.X, "a", 60, timedelta(days=35), now) + _targets(
        Network.X,
        "b",
        60,
        timedelta(days=30),
        now,  # exactly 30 days: no longer "under 30"
    )
    batches = plan_metrics_batches(targets, now=now)
    assert [len(b.post_ids) for b in batches] == [100, 20]
    assert all(b.account_id is None and not b.non_public for b in batches)


def test_other_networks_one_post_per_call() -> None:
    now = POSTED + timedelta(days=2)
    batches = plan_metrics_batches(
        _targets(Network.LINKEDIN, "a", 2, timedelta(hours=6), now), now=now
    )
    assert batches == [
        MetricsBatch(Network.LINKEDIN, "a", ("a-p000",), ("a-s0",)),
        MetricsBatch(Network.LINKEDIN, "a", ("a-p001",), ("a-s1",)),
    ]


def test_which_networks_measure_reach() -> None:
    assert measures_reach("x")
    assert not measures_reach("linkedin") and measures_reach("linkedin", linkedin_analytics=True)
    assert not measures_reach("mastodon")  # counts, but no views
    assert not measures_reach("facebook")


def test_estimates_are_audience_times_rate_rounded_half_up() -> None:
    assert estimate_reach(1000) == Reach(35, ReachKind.ESTIMATED)  # 1000 x 0.035
    assert estimate_reach(10) == Reach(0, ReachKind.ESTIMATED)  # 0.35
    assert estimate_reach(100) == Reach(4, ReachKind.ESTIMATED)  # 3.5 rounds up
    assert estimate_reach(None) is None and estimate_reach(-5) is None
    rates = {"linkedin": Decimal("0.05")}
    assert reach_rate("linkedin", rates) == Decimal("0.05") and reach_rate("x", rates) == Decimal(
        "0.035"
    )
    assert estimate_reach(2000, reach_rate("linkedin", rates)) == Reach(100, ReachKind.ESTIMATED)


def test_measured_and_estimated_never_mix() -> None:
    totals = total_reach(
        [
            measured_reach(1200),
            estimate_reach(1000) or Reach(0, ReachKind.ESTIMATED),
            measured_reach(300),
            Reach(4, ReachKind.ESTIMATED),
        ]
    )
    assert totals == ReachTotals(measured=1500, estimated=39, measured_posts=2, estimated_posts=2)
    assert measured_reach(-3).value == 0


def test_shown_reach_prefers_measured() -> None:
    measured, estimated = measured_reach(700), Reach(35, ReachKind.ESTIMATED)
    assert shown_reach(measured, estimated) == measured
    assert shown_reach(None, estimated) == estimated
    assert shown_reach(None, None) is None
