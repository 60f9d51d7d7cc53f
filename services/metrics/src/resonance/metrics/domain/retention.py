"""Retention cohort curves: of those who enrolled in a month, how many are still active (pure).

A cohort is everyone who enrolled in one tenant-local calendar month. Each member's week k is
the 7 local days starting 7k days after their own enrolment day (week 0 holds the enrolment
day), so people enrolled on the 1st and the 28th are compared at the same age. A member is
*active* in week k when they shared at least once in it.

The point for week k is active / observed, over the members whose week k is already over
(`week_is_over`): a week still running would drag the curve down. Members who left stay in
the cohort as inactive, since leaving is what the curve is meant to show.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from resonance.metrics.domain.periods import local_day, month_start


def cohort_of(enrolled_at: datetime, timezone: str) -> date:
    """The cohort key: first day of the tenant-local month of enrolment."""
    return month_start(local_day(enrolled_at, timezone))


def week_index(enrolled_day: date, day: date) -> int | None:
    """Which week after enrolment `day` falls in (0 = first week); None before enrolment."""
    days = (day - enrolled_day).days
    return None if days < 0 else days // 7


def week_is_over(enrolled_day: date, week: int, today: date) -> bool:
    """Whether a member's week `week` has ended by (the start of) `today`."""
    return today >= enrolled_day + timedelta(days=7 * (week + 1))


@dataclass(frozen=True)
class CohortWeek:
    """Aggregate row: of the `observed` members whose week `week` is over, `active` shared."""

    week: int
    observed: int
    active: int

    def __post_init__(self) -> None:
        if self.week < 0 or self.active < 0 or self.active > self.observed:
            raise ValueError("need week >= 0 and 0 <= active <= observed")


@dataclass(frozen=True)
class RetentionCurve:
    cohort: date
    size: int
    points: tuple[float | None, ...]  # points[k]: share active in week k; None: not observed


def retention_curve(cohort: date, size: int, weeks: Sequence[CohortWeek]) -> RetentionCurve:
    """The curve from week 0 to the last week given; weeks with no observed member are None."""
    by_week = {row.week: row for row in weeks}
    if len(by_week) != len(weeks):
        raise ValueError("one row per week")
    if any(row.observed > size for row in weeks):
        raise ValueError("a week cannot observe more members than the cohort has")
    horizon = max(by_week, default=-1) + 1
    points: list[float | None] = []
    for week in range(horizon):
        row = by_week.get(week)
        points.append(None if row is None or row.observed == 0 else row.active / row.observed)
    return RetentionCurve(cohort=cohort, size=size, points=tuple(points))
