"""Period windows in the tenant's zone, returned as UTC bounds (hand-computed cases)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from resonance.metrics.domain.periods import (
    Cover,
    PeriodKind,
    current_period,
    custom_period,
    local_day,
    month_cover,
    previous_period,
)

PARIS = "Europe/Paris"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Wednesday 6 May 2026, 12:00 in Paris (CEST, UTC+2).
NOW = utc(2026, 5, 6, 10, 0)


def test_iso_week_in_paris_starts_at_local_monday_midnight() -> None:
    week = current_period(PeriodKind.WEEK, NOW, PARIS)
    # Monday 4 May 00:00 CEST is Sunday 3 May 22:00 UTC; it ends a week later.
    assert (week.first_day, week.end_day) == (date(2026, 5, 4), date(2026, 5, 11))
    assert week.start == utc(2026, 5, 3, 22, 0)
    assert week.end == utc(2026, 5, 10, 22, 0)
    # 1 Jan 2026 is a Thursday, so ISO week 1 starts on Monday 29 Dec 2025 and 4 May is in week 19.
    assert week.label == "2026-W19"


def test_rolling_30_days_ends_with_today_included() -> None:
    rolling = current_period(PeriodKind.ROLLING_30_DAYS, NOW, PARIS)
    # Today is 6 May: the 30 days are 7 April .. 6 May, i.e. [7 Apr, 7 May).
    assert (rolling.first_day, rolling.end_day) == (date(2026, 4, 7), date(2026, 5, 7))
    assert rolling.days == 30
    assert rolling.contains(NOW)
    assert rolling.contains(utc(2026, 4, 6, 22, 0))  # 7 Apr 00:00 in Paris
    assert not rolling.contains(utc(2026, 4, 6, 21, 59))  # 6 Apr 23:59 in Paris


def test_month_boundary_follows_the_tenant_zone_not_utc() -> None:
    late = utc(2026, 5, 31, 22, 30)  # still 31 May in UTC, already 1 June 00:30 in Paris
    assert local_day(late, PARIS) == date(2026, 6, 1)
    assert current_period(PeriodKind.MONTH, late, PARIS).label == "2026-06"
    assert current_period(PeriodKind.MONTH, late, "UTC").label == "2026-05"


def test_month_across_the_spring_dst_change_is_one_hour_short() -> None:
    march = current_period(PeriodKind.MONTH, utc(2026, 3, 15, 12), PARIS)
    assert march.start == utc(2026, 2, 28, 23, 0)  # 1 March 00:00 CET (UTC+1)
    assert march.end == utc(2026, 3, 31, 22, 0)  # 1 April 00:00 CEST (UTC+2)
    assert march.start is not None
    assert march.end - march.start == timedelta(days=31) - timedelta(hours=1)


def test_dst_days_are_23_and_25_hours_and_neighbours_meet() -> None:
    spring = custom_period(date(2026, 3, 29), date(2026, 3, 30), PARIS)
    autumn = custom_period(date(2026, 10, 25), date(2026, 10, 26), PARIS)
    assert spring.start is not None and autumn.start is not None
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    day_before = previous_period(spring)
    assert day_before is not None and day_before.end == spring.start


def test_a_zone_that_skips_midnight_starts_the_day_at_its_first_real_instant() -> None:
    # Chile moved clocks from 00:00 to 01:00 on 7 September 2025: that day starts at
    # 01:00 -03 = 04:00 UTC and lasts 23 hours.
    day = custom_period(date(2025, 9, 7), date(2025, 9, 8), "America/Santiago")
    assert day.start == utc(2025, 9, 7, 4, 0)
    assert day.end == utc(2025, 9, 8, 3, 0)


def test_quarters_and_their_previous_across_the_year() -> None:
    q2 = current_period(PeriodKind.QUARTER, NOW, PARIS)
    assert (q2.first_day, q2.end_day, q2.label) == (date(2026, 4, 1), date(2026, 7, 1), "2026-Q2")
    q1 = previous_period(q2)
    assert q1 is not None and (q1.first_day, q1.end_day) == (date(2026, 1, 1), date(2026, 4, 1))
    q4 = previous_period(q1)
    assert q4 is not None and (q4.first_day, q4.label) == (date(2025, 10, 1), "2025-Q4")


def test_previous_periods() -> None:
    january = current_period(PeriodKind.MONTH, utc(2026, 1, 10), PARIS)
    december = previous_period(january)
    assert december is not None
    assert (december.first_day, december.end_day) == (date(2025, 12, 1), date(2026, 1, 1))

    week = previous_period(current_period(PeriodKind.WEEK, NOW, PARIS))
    assert week is not None and (week.first_day, week.end_day) == (
        date(2026, 4, 27),
        date(2026, 5, 4),
    )

    rolling = previous_period(current_period(PeriodKind.ROLLING_30_DAYS, NOW, PARIS))
    # The 30 days just before 7 April: [8 March, 7 April).
    assert rolling is not None and (rolling.first_day, rolling.end_day) == (
        date(2026, 3, 8),
        date(2026, 4, 7),
    )

    custom = previous_period(custom_period(date(2026, 5, 10), date(2026, 5, 20), PARIS))
    assert custom is not None and (custom.first_day, custom.end_day) == (
        date(2026, 4, 30),
        date(2026, 5, 10),
    )


def test_all_time_has_no_start_and_no_previous() -> None:
    ever = current_period(PeriodKind.ALL_TIME, NOW, PARIS)
    assert ever.start is None and ever.days is None and ever.label == "all-time"
    assert ever.end_day == date(2026, 5, 7)
    assert ever.contains(utc(2001, 1, 1))
    assert not ever.contains(utc(2026, 5, 7, 0, 0))  # tomorrow 02:00 in Paris
    assert previous_period(ever) is None


def test_custom_period_label_and_bad_inputs() -> None:
    may = custom_period(date(2026, 5, 1), date(2026, 6, 1), PARIS)
    assert may.label == "2026-05-01..2026-05-31" and may.days == 31
    with pytest.raises(ValueError):
        custom_period(date(2026, 5, 1), date(2026, 5, 1), PARIS)
    with pytest.raises(ValueError):
        custom_period(date(2026, 5, 1), date(2026, 5, 2), "Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        local_day(datetime(2026, 5, 1, 12, 0), PARIS)  # naive
    with pytest.raises(ValueError):
        current_period(PeriodKind.CUSTOM, NOW, PARIS)


def _days(cover: tuple[Cover, ...]) -> dict[date, int]:
    """How many times each day is counted by a cover (months expanded to their days)."""
    counted: dict[date, int] = {}
    for part in cover:
        day = part.first or date(2025, 1, 1)
        while day < part.end:
            counted[day] = counted.get(day, 0) + part.sign
            day += timedelta(days=1)
    return {d: n for d, n in counted.items() if n}


@pytest.mark.parametrize(
    ("first", "end"),
    [
        (date(2026, 4, 20), date(2026, 7, 3)),
        (date(2026, 5, 1), date(2026, 6, 1)),
        (date(2026, 5, 3), date(2026, 5, 10)),
        (date(2026, 11, 3), date(2026, 12, 3)),
        (date(2026, 12, 1), date(2026, 12, 2)),
        (date(2026, 1, 31), date(2026, 3, 2)),
        (None, date(2026, 12, 3)),
        (None, date(2026, 12, 1)),
    ],
)
def test_a_cover_counts_every_day_of_the_span_once_and_no_other(
    first: date | None, end: date
) -> None:
    start = first or date(2025, 1, 1)
    expected = {start + timedelta(days=i): 1 for i in range((end - start).days)}
    assert _days(month_cover(first, end)) == expected


def test_whole_months_are_one_monthly_range() -> None:
    assert month_cover(date(2026, 5, 1), date(2026, 8, 1)) == (
        Cover(True, date(2026, 5, 1), date(2026, 8, 1)),
    )
    assert month_cover(None, date(2026, 12, 1)) == (Cover(True, None, date(2026, 12, 1)),)


def test_a_month_mostly_inside_is_read_as_the_month_less_its_days_outside() -> None:
    # Rolling 30 days to 2 December: November less its first two days, and two days.
    assert month_cover(date(2026, 11, 3), date(2026, 12, 3)) == (
        Cover(True, date(2026, 11, 1), date(2026, 12, 1)),
        Cover(False, date(2026, 11, 1), date(2026, 11, 3), -1),
        Cover(False, date(2026, 12, 1), date(2026, 12, 3)),
    )


def test_days_inside_one_month_are_read_as_days() -> None:
    assert month_cover(date(2026, 5, 3), date(2026, 5, 10)) == (
        Cover(False, date(2026, 5, 3), date(2026, 5, 10)),
    )
