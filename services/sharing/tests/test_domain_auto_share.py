"""Campaign auto-share planning: working time, time zones, DST, spread, caps, skips."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from resonance.sharing.domain.auto_share import (
    ALL_DAYS,
    OptedIn,
    PlannedShare,
    Skipped,
    SkipReason,
    WorkingTime,
    plan_auto_shares,
    working_intervals,
)
from resonance.sharing.domain.caps import TenantCaps
from resonance.sharing.domain.networks import Network

PARIS = ZoneInfo("Europe/Paris")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_working_intervals_follow_the_dst_change() -> None:
    working = WorkingTime("Europe/Paris", ALL_DAYS, time(9), time(17))
    intervals = working_intervals(working, utc(2025, 3, 29), utc(2025, 3, 31))
    # Saturday 29 March is CET (+1): 08:00Z-16:00Z; Sunday 30 is CEST (+2): 07:00Z-15:00Z.
    assert intervals == [
        (utc(2025, 3, 29, 8), utc(2025, 3, 29, 16)),
        (utc(2025, 3, 30, 7), utc(2025, 3, 30, 15)),
    ]


def test_quiet_hours_are_cut_out_including_wrapping_ones() -> None:
    lunch = WorkingTime("UTC", ALL_DAYS, time(9), time(18), time(12), time(13))
    assert working_intervals(lunch, utc(2025, 5, 5), utc(2025, 5, 6)) == [
        (utc(2025, 5, 5, 9), utc(2025, 5, 5, 12)),
        (utc(2025, 5, 5, 13), utc(2025, 5, 5, 18)),
    ]
    evenings = WorkingTime("UTC", ALL_DAYS, time(7), time(19), time(17), time(8))
    assert working_intervals(evenings, utc(2025, 5, 5), utc(2025, 5, 6)) == [
        (utc(2025, 5, 5, 8), utc(2025, 5, 5, 17))
    ]


def test_intervals_are_clipped_to_the_window_and_skip_non_working_days() -> None:
    weekdays = WorkingTime("UTC", (1, 2, 3, 4, 5), time(9), time(17))
    # Friday 9 May 2025 from 15:00 to Monday 12 May 10:00: Friday 15-17, Monday 9-10.
    assert working_intervals(weekdays, utc(2025, 5, 9, 15), utc(2025, 5, 12, 10)) == [
        (utc(2025, 5, 9, 15), utc(2025, 5, 9, 17)),
        (utc(2025, 5, 12, 9), utc(2025, 5, 12, 10)),
    ]


def _plan(people: list[OptedIn], **overrides: object) -> tuple[list[PlannedShare], list[Skipped]]:
    arguments: dict[str, object] = {
        "campaign_id": "c1",
        "window_start": utc(2025, 5, 5),
        "window_end": utc(2025, 5, 10),
        "content_ids": ["i1"],
        "people": people,
        "caps": TenantCaps(),
        "now": utc(2025, 5, 5),
    }
    arguments.update(overrides)
    plan = plan_auto_shares(**arguments)  # type: ignore[arg-type]
    return plan.shares, plan.skipped


def test_a_burst_is_spread_over_everyones_working_hours() -> None:
    working = WorkingTime("Europe/Paris", (1,), time(9), time(18))
    people = [OptedIn(f"a{n}", ("linkedin",), working) for n in range(60)]
    # Monday 5 May 2025 only (CEST): working hours 07:00Z-16:00Z.
    shares, skipped = _plan(people, window_end=utc(2025, 5, 6))
    assert skipped == [] and len(shares) == 60
    assert all(utc(2025, 5, 5, 7) <= s.at < utc(2025, 5, 5, 16) for s in shares)
    moments = sorted(s.at for s in shares)
    assert len(set(moments)) > 55  # not a spike
    assert moments[-1] - moments[0] > timedelta(hours=6)  # over most of the 9 hours
    assert all(s.at.microsecond == 0 for s in shares)
    again, _ = _plan(people, window_end=utc(2025, 5, 6))
    assert again == shares  # deterministic


def test_dst_day_uses_summer_utc_hours() -> None:
    # Sunday 30 March 2025 in Paris, working 09:00-17:00 local = 07:00Z-15:00Z (CEST).
    working = WorkingTime("Europe/Paris", ALL_DAYS, time(9), time(17))
    people = [OptedIn(f"p{n}", ("x",), working) for n in range(100)]
    shares, _ = _plan(
        people, window_start=utc(2025, 3, 30), window_end=utc(2025, 3, 31), now=utc(2025, 3, 30)
    )
    assert len(shares) == 100
    assert all(utc(2025, 3, 30, 7) <= s.at < utc(2025, 3, 30, 15) for s in shares)
    # With winter hours (08:00Z-16:00Z) nobody could land before 08:00Z; with 100 people
    # spread over 8 hours about 12 do.
    assert any(s.at < utc(2025, 3, 30, 8) for s in shares)


def test_several_items_go_to_successive_parts_of_the_working_time() -> None:
    working = WorkingTime("UTC", ALL_DAYS, time(9), time(17))
    shares, _ = _plan(
        [OptedIn("a", ("x",), working)],
        content_ids=["i1", "i2"],
        window_end=utc(2025, 5, 6),
    )
    # 8 working hours, 2 items: the first in 09:00-13:00, the second in 13:00-17:00.
    first, second = sorted(shares, key=lambda s: s.content_id)
    assert utc(2025, 5, 5, 9) <= first.at < utc(2025, 5, 5, 13)
    assert utc(2025, 5, 5, 13) <= second.at < utc(2025, 5, 5, 17)


def test_never_at_or_after_the_window_end() -> None:
    working = WorkingTime("UTC", ALL_DAYS, time(9), time(17))
    people = [OptedIn(f"a{n}", ("linkedin", "x"), working) for n in range(50)]
    shares, _ = _plan(people, window_end=utc(2025, 5, 5, 10, 30))
    assert len(shares) == 100
    assert all(utc(2025, 5, 5, 9) <= s.at < utc(2025, 5, 5, 10, 30) for s in shares)


def test_window_starts_now_when_launched_late() -> None:
    working = WorkingTime("UTC", ALL_DAYS, time(9), time(17))
    people = [OptedIn(f"a{n}", ("x",), working) for n in range(20)]
    shares, _ = _plan(people, window_end=utc(2025, 5, 6), now=utc(2025, 5, 5, 15))
    assert all(utc(2025, 5, 5, 15) <= s.at < utc(2025, 5, 5, 17) for s in shares)


def test_skips_with_reasons() -> None:
    weekend_only = WorkingTime("UTC", (6, 7), time(9), time(17))
    people = [
        OptedIn("weekend", ("linkedin",), weekend_only),  # window is Monday-Friday
        OptedIn("lost", ("linkedin",), WorkingTime("Mars/Olympus")),
        OptedIn("odd", ("myspace", "x"), WorkingTime("UTC")),
    ]
    shares, skipped = _plan(people, window_end=utc(2025, 5, 10))
    assert skipped == [
        Skipped("weekend", "linkedin", None, SkipReason.NO_WORKING_TIME),
        Skipped("lost", "linkedin", None, SkipReason.UNKNOWN_TIMEZONE),
        Skipped("odd", "myspace", None, SkipReason.UNKNOWN_NETWORK),
    ]
    assert [(s.ambassador_id, s.network) for s in shares] == [("odd", Network.X)]
    _, over = _plan(people[:1], now=utc(2025, 5, 11))
    assert over == [Skipped("weekend", "linkedin", None, SkipReason.WINDOW_OVER)]


def test_caps_move_shares_to_the_next_day_or_skip_them() -> None:
    working = WorkingTime("UTC", ALL_DAYS, time(9), time(17))
    # Monday and Tuesday, 3 items, at most 1 share a day: two planned, one skipped.
    shares, skipped = _plan(
        [OptedIn("a", ("linkedin",), working)],
        content_ids=["i1", "i2", "i3"],
        window_end=utc(2025, 5, 7),
        caps=TenantCaps(default=1),
    )
    assert sorted(s.at.date().day for s in shares) == [5, 6]
    assert [(s.content_id is not None, s.reason) for s in skipped] == [
        (True, SkipReason.CAP_REACHED)
    ]


def test_existing_shares_count_against_the_cap() -> None:
    working = WorkingTime("UTC", ALL_DAYS, time(9), time(17))
    person = OptedIn("a", ("linkedin",), working, existing={"linkedin": [utc(2025, 5, 5, 8)]})
    shares, _ = _plan([person], window_end=utc(2025, 5, 7), caps=TenantCaps(default=1))
    # Monday already has one: whatever the draw, the share lands on Tuesday's hours.
    assert len(shares) == 1 and utc(2025, 5, 6, 9) <= shares[0].at < utc(2025, 5, 6, 17)
    _, skipped = _plan([person], window_end=utc(2025, 5, 6), caps=TenantCaps(default=1))
    assert [s.reason for s in skipped] == [SkipReason.CAP_REACHED]


def test_shares_pushed_by_a_cap_spread_over_the_next_day() -> None:
    working = WorkingTime("UTC", ALL_DAYS, time(9), time(17))
    people = [
        OptedIn(f"a{n}", ("linkedin",), working, existing={"linkedin": [utc(2025, 5, 5, 8)]})
        for n in range(30)
    ]
    shares, _ = _plan(people, window_end=utc(2025, 5, 7), caps=TenantCaps(default=1))
    tuesday = [s.at for s in shares if s.at.date().day == 6]
    assert len(tuesday) == 30  # Monday is full for everyone
    assert len(set(tuesday)) > 25  # not all at 09:00 sharp
