"""Point rules: versioned, never retroactive, capped, written to a ledger with unique keys."""

from datetime import UTC, datetime, timedelta

import pytest

from resonance.metrics.domain.points import (
    AwardCounters,
    Balance,
    Fact,
    FactKind,
    PointRules,
    Reason,
    RulesRefusal,
    award,
    check_new_rules,
    default_rules,
    rules_in_force,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


V1 = PointRules(
    version=1,
    effective_from=utc(2026, 1, 1),
    share_by_network={"linkedin": 10},
    share_default=5,
    click=1,
    click_cap_per_share=3,
    click_cap_per_day=10,
    submission_approved=25,
    conversion_by_kind={"application": 50},
    conversion_default=20,
    event_attended=15,
    reach_milestones=((1_000, 5), (10_000, 20)),
)
V2 = PointRules(version=2, effective_from=utc(2026, 3, 1), share_default=7, click=2)
HISTORY = (V1, V2)


def share(at: datetime, network: str = "linkedin", share_id: str = "sh1") -> Fact:
    return Fact(FactKind.SHARE, "amb1", share_id, at, network=network)


def test_the_rule_in_force_at_the_fact_time_applies_whenever_it_is_processed() -> None:
    # A share of 28 Feb 23:59 earns under v1 (linkedin: 10), even if handled after v2 exists;
    # one at 1 Mar 00:00 earns under v2 (7 for every network).
    (before,) = award(share(utc(2026, 2, 28, 23, 59)), HISTORY)
    (after,) = award(share(utc(2026, 3, 1, 0, 0)), HISTORY)
    assert (before.amount, before.rule_version) == (10, 1)
    assert (after.amount, after.rule_version) == (7, 2)
    assert rules_in_force(HISTORY, utc(2026, 2, 1)) is V1
    assert rules_in_force(list(reversed(HISTORY)), utc(2026, 4, 1)) is V2


def test_nothing_is_earned_before_the_first_rules() -> None:
    assert award(share(utc(2025, 12, 31, 23, 59)), HISTORY) == ()


def test_share_points_per_network_with_a_default() -> None:
    (linkedin,) = award(share(utc(2026, 2, 1), "linkedin"), HISTORY)
    (x,) = award(share(utc(2026, 2, 1), "x", "sh2"), HISTORY)
    assert (linkedin.amount, x.amount) == (10, 5)
    assert linkedin.reason is Reason.SHARE
    assert linkedin.key == "share:sh1" and x.key == "share:sh2"
    assert linkedin.ambassador_id == "amb1" and linkedin.occurred_at == utc(2026, 2, 1)


def test_clicks_stop_earning_at_the_cap_per_share_and_per_day() -> None:
    click = Fact(FactKind.CLICK, "amb1", "click-9", utc(2026, 2, 1), share_id="sh1")
    (entry,) = award(click, HISTORY, AwardCounters(clicks_on_share=2, clicks_on_day=0))
    assert (entry.amount, entry.reason, entry.key) == (1, Reason.CLICK, "click:click-9")
    # Cap per share is 3: with 3 already paid on this share, a 4th click earns nothing.
    assert award(click, HISTORY, AwardCounters(clicks_on_share=3)) == ()
    # Cap per day is 10: the 11th paid click of the day earns nothing, whatever the share.
    assert award(click, HISTORY, AwardCounters(clicks_on_share=0, clicks_on_day=10)) == ()
    # v2 has no cap at all.
    late = Fact(FactKind.CLICK, "amb1", "click-10", utc(2026, 3, 2), share_id="sh1")
    (uncapped,) = award(late, HISTORY, AwardCounters(clicks_on_share=500, clicks_on_day=500))
    assert uncapped.amount == 2


def test_reach_milestones_are_paid_once_each_per_post() -> None:
    reach = Fact(FactKind.REACH_MEASURED, "amb1", "sh1", utc(2026, 2, 1), impressions=12_000)
    entries = award(reach, HISTORY)
    # 12,000 impressions cross both 1,000 (5) and 10,000 (20).
    assert [(e.amount, e.key) for e in entries] == [
        (5, "reach_milestone:sh1:1000"),
        (20, "reach_milestone:sh1:10000"),
    ]
    # Already paid for 1,000: only the 10,000 one is left.
    again = award(reach, HISTORY, AwardCounters(milestone_reached=1_000))
    assert [e.amount for e in again] == [20]
    short = Fact(FactKind.REACH_MEASURED, "amb1", "sh1", utc(2026, 2, 1), impressions=999)
    assert award(short, HISTORY) == ()


def test_other_facts() -> None:
    at = utc(2026, 2, 1)
    (sub,) = award(Fact(FactKind.SUBMISSION_APPROVED, "amb1", "sub1", at), HISTORY)
    (app,) = award(
        Fact(FactKind.CONVERSION, "amb1", "cv1", at, conversion_kind="application"), HISTORY
    )
    (lead,) = award(Fact(FactKind.CONVERSION, "amb1", "cv2", at, conversion_kind="lead"), HISTORY)
    (event,) = award(Fact(FactKind.EVENT_ATTENDED, "amb1", "ev1", at), HISTORY)
    assert [(e.reason, e.amount) for e in (sub, app, lead, event)] == [
        (Reason.SUBMISSION_APPROVED, 25),
        (Reason.CONVERSION, 50),
        (Reason.CONVERSION, 20),
        (Reason.EVENT_ATTENDED, 15),
    ]
    # v2 gives nothing for approved submissions: no zero-point ledger rows.
    later = Fact(FactKind.SUBMISSION_APPROVED, "amb1", "sub2", utc(2026, 3, 5))
    assert award(later, HISTORY) == ()


def test_new_rules_cannot_be_backdated_or_reordered() -> None:
    now = utc(2026, 4, 1)
    v3 = PointRules(version=3, effective_from=utc(2026, 4, 2), share_default=9)
    assert check_new_rules(HISTORY, v3, now) is None
    backdated = PointRules(version=3, effective_from=utc(2026, 3, 31), share_default=9)
    assert check_new_rules(HISTORY, backdated, now) is RulesRefusal.BACKDATED
    skipped = PointRules(version=4, effective_from=utc(2026, 4, 2))
    assert check_new_rules(HISTORY, skipped, now) is RulesRefusal.VERSION_NOT_NEXT
    # Before the latest version took effect (possible only if that one lies in the future).
    future = (V1, PointRules(version=2, effective_from=now + timedelta(days=10)))
    early = PointRules(version=3, effective_from=now + timedelta(days=5))
    assert check_new_rules(future, early, now) is RulesRefusal.NOT_AFTER_LATEST
    assert check_new_rules((), default_rules(now), now) is None


def test_rules_refuse_negative_amounts_and_unordered_milestones() -> None:
    with pytest.raises(ValueError):
        PointRules(version=1, effective_from=utc(2026, 1, 1), click=-1)
    with pytest.raises(ValueError):
        PointRules(version=1, effective_from=utc(2026, 1, 1), reach_milestones=((10, 1), (5, 1)))
    with pytest.raises(ValueError):
        PointRules(version=1, effective_from=datetime(2026, 1, 1))  # naive


def test_balance_is_earned_minus_spent_minus_held() -> None:
    balance = Balance(earned=300, spent=120, held=50)
    assert balance.available == 130
    assert Balance().available == 0
