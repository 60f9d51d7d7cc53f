"""Re-engagement: lapse, once a week, and send times in the person's working time (DST-safe)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from resonance.metrics.domain.reengagement import (
    Candidate,
    WorkingTime,
    is_lapsed,
    next_send_time,
    pick_suggestions,
    plan_suggestion,
    suggestion_key,
    working_time_from_profile,
)

PARIS = "Europe/Paris"
# Monday to Friday, 09:00-18:00 in Paris, with a quiet lunch 12:00-14:00 chosen by the person.
PARIS_OFFICE = WorkingTime(PARIS, quiet_start=time(12), quiet_end=time(14))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_inside_working_hours_it_goes_now() -> None:
    now = utc(2026, 5, 5, 7, 0)  # Tuesday 09:00 in Paris (CEST)
    assert next_send_time(now, PARIS_OFFICE) == now


def test_quiet_hours_inside_the_working_day_are_skipped() -> None:
    # Tuesday 12:00 Paris is quiet until 14:00 Paris = 12:00 UTC.
    assert next_send_time(utc(2026, 5, 5, 10, 0), PARIS_OFFICE) == utc(2026, 5, 5, 12, 0)


def test_after_work_waits_for_the_next_working_morning() -> None:
    # Tuesday 18:30 Paris -> Wednesday 09:00 Paris = 07:00 UTC.
    assert next_send_time(utc(2026, 5, 5, 16, 30), PARIS_OFFICE) == utc(2026, 5, 6, 7, 0)
    # Friday 19:00 Paris -> Monday 09:00.
    assert next_send_time(utc(2026, 5, 8, 17, 0), PARIS_OFFICE) == utc(2026, 5, 11, 7, 0)


def test_weekend_across_the_spring_dst_change_keeps_local_nine_oclock() -> None:
    # Friday 27 March 2026 19:00 CET (18:00 UTC). Clocks go forward on Sunday 29 March, so
    # Monday 09:00 is CEST: 07:00 UTC, not the 08:00 UTC it was the week before.
    assert next_send_time(utc(2026, 3, 27, 18, 0), PARIS_OFFICE) == utc(2026, 3, 30, 7, 0)
    # And back in autumn: Monday 26 October 09:00 CET is 08:00 UTC.
    assert next_send_time(utc(2026, 10, 23, 17, 0), PARIS_OFFICE) == utc(2026, 10, 26, 8, 0)


def test_quiet_hours_wrapping_midnight_on_the_night_clocks_change() -> None:
    nights = WorkingTime(
        PARIS,
        working_days=(1, 2, 3, 4, 5, 6, 7),
        working_start=None,
        working_end=None,
        quiet_start=time(22),
        quiet_end=time(8, 30),
    )
    # Sunday 29 March 01:00 CET is quiet; 08:30 that morning is already CEST = 06:30 UTC.
    assert next_send_time(utc(2026, 3, 29, 0, 0), nights) == utc(2026, 3, 29, 6, 30)


def test_a_window_starting_inside_the_skipped_hour_starts_when_the_clock_resumes() -> None:
    early = WorkingTime(
        PARIS, working_days=(1, 2, 3, 4, 5, 6, 7), working_start=time(2, 30), working_end=time(6)
    )
    # 02:30 does not exist on 29 March in Paris; the first moment after it is 03:30 CEST.
    sent = next_send_time(utc(2026, 3, 29, 0, 30), early)
    assert sent == utc(2026, 3, 29, 1, 30)
    assert sent.astimezone(ZoneInfo(PARIS)).time() == time(3, 30)


def test_night_shift_working_hours_wrap_midnight() -> None:
    night_shift = WorkingTime(
        "UTC", working_days=(1, 2, 3, 4, 5, 6, 7), working_start=time(22), working_end=time(6)
    )
    assert next_send_time(utc(2026, 5, 5, 12, 0), night_shift) == utc(2026, 5, 5, 22, 0)
    assert next_send_time(utc(2026, 5, 5, 3, 0), night_shift) == utc(2026, 5, 5, 3, 0)


def test_not_before_from_ambassador_updated_is_a_floor() -> None:
    now = utc(2026, 5, 5, 7, 0)  # allowed, but the ambassadors service said not before 15:30 UTC
    assert next_send_time(now, PARIS_OFFICE, not_before=utc(2026, 5, 5, 15, 30)) == utc(
        2026, 5, 5, 15, 30
    )
    # 16:30 UTC is 18:30 Paris: after work, so Wednesday 09:00.
    assert next_send_time(now, PARIS_OFFICE, not_before=utc(2026, 5, 5, 16, 30)) == utc(
        2026, 5, 6, 7, 0
    )


def test_the_result_is_always_allowed_in_new_york() -> None:
    rules = WorkingTime("America/New_York", quiet_start=time(17), quiet_end=time(10))
    zone = ZoneInfo("America/New_York")
    start = utc(2026, 3, 1)  # covers the US spring change on 8 March
    for hour in range(0, 24 * 21, 5):
        now = start + timedelta(hours=hour, minutes=17)
        sent = next_send_time(now, rules)
        local = sent.astimezone(zone)
        assert sent >= now and sent - now < timedelta(days=4)
        assert local.isoweekday() <= 5
        assert time(10) <= local.time() < time(17)  # working 09-18 minus quiet 17-10


def test_impossible_working_time_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkingTime(PARIS, quiet_start=time(8), quiet_end=time(19))  # covers 09-18
    with pytest.raises(ValueError):
        WorkingTime(PARIS, working_days=())
    with pytest.raises(ValueError):
        WorkingTime(PARIS, working_days=(0,))
    with pytest.raises(ValueError):
        WorkingTime(PARIS, quiet_start=time(8))


def test_profile_choices_over_tenant_defaults() -> None:
    rules = working_time_from_profile("Europe/Paris", "19:00", "08:30", [])
    assert (rules.timezone, rules.working_days) == (PARIS, (1, 2, 3, 4, 5))
    assert (rules.quiet_start, rules.quiet_end) == (time(19), time(8, 30))
    frontline = working_time_from_profile(None, None, None, [6, 7, 6])
    assert (frontline.timezone, frontline.working_days, frontline.quiet_start) == (
        "UTC",
        (6, 7),
        None,
    )


def test_lapse() -> None:
    now = utc(2026, 5, 31, 12)
    enrolled = utc(2026, 1, 1)
    assert is_lapsed(now - timedelta(days=30), enrolled, now)
    assert not is_lapsed(now - timedelta(days=29, hours=23), enrolled, now)
    assert not is_lapsed(None, now - timedelta(days=10), now)  # new, never shared yet
    assert is_lapsed(None, now - timedelta(days=31), now)
    assert is_lapsed(now - timedelta(days=8), enrolled, now, lapse_after=timedelta(days=7))


def test_a_suggestion_at_most_once_a_week_and_in_working_time() -> None:
    now = utc(2026, 5, 5, 7, 0)  # Tuesday 09:00 Paris
    last_share = utc(2026, 3, 1)
    enrolled = utc(2026, 1, 1)
    assert (
        plan_suggestion("amb1", enrolled, now - timedelta(days=2), None, now, PARIS_OFFICE) is None
    )
    fresh = plan_suggestion("amb1", enrolled, last_share, None, now, PARIS_OFFICE)
    assert fresh is not None and fresh.send_at == now
    assert fresh.key == "reengagement:amb1:2026-W19"
    # Last suggestion on Saturday 2 May 10:00 UTC: not before Saturday 9 May 10:00 UTC, which is
    # a weekend, so Monday 11 May 09:00 Paris (07:00 UTC), in ISO week 20.
    again = plan_suggestion("amb1", enrolled, last_share, utc(2026, 5, 2, 10), now, PARIS_OFFICE)
    assert again is not None and again.send_at == utc(2026, 5, 11, 7, 0)
    assert again.key == "reengagement:amb1:2026-W20"


def test_suggestion_key_uses_the_persons_week() -> None:
    # Sunday 10 May 23:30 UTC is already Monday 11 May (week 20) in Paris.
    assert suggestion_key("a", utc(2026, 5, 10, 23, 30), PARIS) == "reengagement:a:2026-W20"
    assert suggestion_key("a", utc(2026, 5, 10, 23, 30), "UTC") == "reengagement:a:2026-W19"


def test_suggestions_are_what_peers_share_most_and_the_person_did_not() -> None:
    day = utc(2026, 5, 1)
    candidates = [
        Candidate("old", 9, day - timedelta(days=3)),
        Candidate("new", 9, day),
        Candidate("mine", 20, day),
        Candidate("b", 4, day),
        Candidate("a", 4, day),
        Candidate("nobody", 0, day),
    ]
    # 9 shares: newest first; then the tie at 4 by id; "mine" already shared; unshared items dropped.
    assert pick_suggestions(candidates, {"mine"}, limit=5) == ("new", "old", "a", "b")
    assert pick_suggestions(candidates, {"mine"}) == ("new", "old", "a")
    with pytest.raises(ValueError):
        pick_suggestions(candidates, (), limit=0)
