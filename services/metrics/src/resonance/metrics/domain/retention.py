"""Retention cohort curves: of those who enrolled in a month, how many are still active (pure).

A cohort is everyone who enrolled in one tenant-local calendar month. Each member's week k is
the 7 local days starting 7k days after their own enrolment day (week 0 holds the enrolment
day), so people enrolled on the 1st and the 28th are compared at the same age. A member is
*active* in week k when they shared at least once in it.

The point for week k is active / observed, over the members whose week k is already over
(`week_is_over`): a week still running would drag the curve down. Members who left stay in
the cohort as inactive, since leaving is what the curve is meant to show.

Kept marks: a member's weeks are kept as one integer of bits (`week_marks`: bit k set when
they shared in week k), updated as shares arrive, so a read folds (enrolment day, marks,
members) rows (`cohort_weeks`) instead of visiting every member's share days.
"""

from collections.abc import Iterable, Sequence
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


# Weeks a member's marks cover: bits 0..62 of a signed 64-bit integer (the API asks for 52 at
# most).
MARKED_WEEKS = 63


def week_mark(enrolled_day: date, day: date) -> int:
    """The bit of `day`'s week after enrolment (0 before enrolment or past the marked weeks)."""
    week = week_index(enrolled_day, day)
    return 0 if week is None or week >= MARKED_WEEKS else 1 << week


def week_marks(enrolled_day: date, share_days: Iterable[date]) -> int:
    """The marks of a member who shared on `share_days`: bit k set when they shared in week k."""
    marks = 0
    for day in share_days:
        marks |= week_mark(enrolled_day, day)
    return marks


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


@dataclass(frozen=True)
class EnrolmentDay:
    """Aggregate row: `members` people first enrolled on `enrolled_day`, of whom `active[k]`
    shared in their week k (read from their marks)."""

    enrolled_day: date
    members: int
    active: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.members < 0 or any(not 0 <= n <= self.members for n in self.active):
            raise ValueError("need 0 <= active <= members")


def cohort_weeks(
    rows: Iterable[EnrolmentDay], weeks: int, today: date
) -> dict[date, tuple[int, list[CohortWeek]]]:
    """Per cohort month: its size and, for weeks 0..weeks-1, how many members' week is over
    by `today` (observed) and how many of those shared in it (active)."""
    sizes: dict[date, int] = {}
    observed: dict[date, list[int]] = {}
    active: dict[date, list[int]] = {}
    for row in rows:
        if len(row.active) != weeks:
            raise ValueError("one active count per week")
        cohort = month_start(row.enrolled_day)
        sizes[cohort] = sizes.get(cohort, 0) + row.members
        seen = observed.setdefault(cohort, [0] * weeks)
        shared = active.setdefault(cohort, [0] * weeks)
        for week in range(weeks):
            if not week_is_over(row.enrolled_day, week, today):
                break  # later weeks end later still
            seen[week] += row.members
            shared[week] += row.active[week]
    return {
        cohort: (
            size,
            [CohortWeek(k, observed[cohort][k], active[cohort][k]) for k in range(weeks)],
        )
        for cohort, size in sizes.items()
    }
