"""Retention cohort curves on a tiny cohort, worked out by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from resonance.metrics.domain.retention import (
    MARKED_WEEKS,
    CohortWeek,
    EnrolmentDay,
    cohort_of,
    cohort_weeks,
    retention_curve,
    week_index,
    week_is_over,
    week_mark,
    week_marks,
)


def test_the_cohort_is_the_enrolment_month_in_the_tenant_zone() -> None:
    late_april_utc = datetime(2026, 4, 30, 22, 30, tzinfo=UTC)  # 1 May 00:30 in Paris
    assert cohort_of(late_april_utc, "Europe/Paris") == date(2026, 5, 1)
    assert cohort_of(late_april_utc, "UTC") == date(2026, 4, 1)


def test_weeks_count_from_each_members_own_enrolment_day() -> None:
    enrolled = date(2026, 5, 1)
    assert week_index(enrolled, date(2026, 5, 1)) == 0
    assert week_index(enrolled, date(2026, 5, 7)) == 0
    assert week_index(enrolled, date(2026, 5, 8)) == 1
    assert week_index(enrolled, date(2026, 4, 30)) is None
    assert not week_is_over(enrolled, 0, date(2026, 5, 7))
    assert week_is_over(enrolled, 0, date(2026, 5, 8))


# The May 2026 cohort, looked at on 1 June: who enrolled when and shared on which days.
MEMBERS = {
    "A": (date(2026, 5, 1), [date(2026, 5, 2), date(2026, 5, 9), date(2026, 5, 20)]),
    "B": (date(2026, 5, 1), [date(2026, 5, 3)]),
    "C": (date(2026, 5, 10), [date(2026, 5, 12), date(2026, 5, 18)]),
    "D": (date(2026, 5, 20), []),
}
TODAY = date(2026, 6, 1)


def cohort_rows(weeks: int) -> list[CohortWeek]:
    """What the store's per-member-week rows add up to, using the domain's week rules."""
    rows = []
    for week in range(weeks):
        observed = [
            m for m, (enrolled, _) in MEMBERS.items() if week_is_over(enrolled, week, TODAY)
        ]
        active = [
            m
            for m in observed
            if any(week_index(MEMBERS[m][0], day) == week for day in MEMBERS[m][1])
        ]
        rows.append(CohortWeek(week, len(observed), len(active)))
    return rows


def test_retention_curve_of_a_four_person_cohort() -> None:
    # Week 0: all four weeks are over (D's ended 27 May); A, B, C shared   -> 3/4
    # Week 1: D's runs to 3 June, so A, B, C are observed; A (9 May), C (18 May) -> 2/3
    # Week 2: A, B, C (C's ended 31 May); only A (20 May, day 19)          -> 1/3
    # Week 3: A, B only (C's ends 7 June); nobody                         -> 0
    # Week 4: A's and B's end 5 June; nobody observed yet                  -> None
    rows = cohort_rows(5)
    assert [(r.observed, r.active) for r in rows] == [(4, 3), (3, 2), (3, 1), (2, 0), (0, 0)]
    curve = retention_curve(date(2026, 5, 1), 4, rows)
    assert curve.points == (0.75, 2 / 3, 1 / 3, 0.0, None)
    assert curve.size == 4 and curve.cohort == date(2026, 5, 1)


def test_missing_weeks_are_unobserved_and_bad_rows_are_refused() -> None:
    curve = retention_curve(date(2026, 5, 1), 2, [CohortWeek(0, 2, 1), CohortWeek(2, 2, 2)])
    assert curve.points == (0.5, None, 1.0)
    assert retention_curve(date(2026, 5, 1), 0, []).points == ()
    with pytest.raises(ValueError):
        CohortWeek(0, 1, 2)  # more active than observed
    with pytest.raises(ValueError):
        retention_curve(date(2026, 5, 1), 1, [CohortWeek(0, 2, 1)])
    with pytest.raises(ValueError):
        retention_curve(date(2026, 5, 1), 2, [CohortWeek(0, 2, 1), CohortWeek(0, 2, 1)])


def test_week_marks_set_one_bit_per_week_shared_in() -> None:
    # A enrolled 1 May: 2 May is week 0 (bit 1), 9 May week 1 (bit 2), 20 May week 2 (bit 4).
    enrolled, days = MEMBERS["A"]
    assert week_marks(enrolled, days) == 0b111
    # C enrolled 10 May: 12 May week 0, 18 May week 1.
    assert week_marks(*MEMBERS["C"]) == 0b11
    assert week_marks(*MEMBERS["D"]) == 0
    # Two shares in one week set one bit; a day before enrolment or past the marked weeks none.
    assert week_marks(date(2026, 5, 1), [date(2026, 5, 2), date(2026, 5, 3)]) == 1
    assert week_mark(date(2026, 5, 1), date(2026, 4, 30)) == 0
    last = date(2026, 5, 1) + timedelta(days=7 * MARKED_WEEKS - 1)
    assert week_mark(date(2026, 5, 1), last) == 1 << (MARKED_WEEKS - 1)
    assert week_mark(date(2026, 5, 1), last + timedelta(days=1)) == 0
    assert (1 << (MARKED_WEEKS - 1)) < 2**63  # fits a signed 64-bit column


def test_cohort_weeks_from_enrolment_days_equal_the_member_by_member_rows() -> None:
    """The same cohort as above, as the marks read gives it: per enrolment day, members and
    per week how many have that week's bit. A and B (1 May): week 0 both, week 1 A, week 2
    A; C (10 May): weeks 0 and 1; D (20 May): none."""
    rows = [
        EnrolmentDay(date(2026, 5, 1), 2, (2, 1, 1, 0, 0)),
        EnrolmentDay(date(2026, 5, 10), 1, (1, 1, 0, 0, 0)),
        EnrolmentDay(date(2026, 5, 20), 1, (0, 0, 0, 0, 0)),
    ]
    for row in rows:  # the counts are what week_marks gives each member
        members = [m for m, (day, _) in MEMBERS.items() if day == row.enrolled_day]
        marks = [week_marks(*MEMBERS[m]) for m in members]
        assert row.active == tuple(sum(mark >> k & 1 for mark in marks) for k in range(5))
    assert cohort_weeks(rows, 5, TODAY) == {date(2026, 5, 1): (4, cohort_rows(5))}


def test_cohort_weeks_split_months_and_refuse_bad_rows() -> None:
    rows = [
        EnrolmentDay(date(2026, 4, 30), 3, (1,)),
        EnrolmentDay(date(2026, 5, 31), 2, (2,)),  # week 0 runs to 6 June: not over on 1 June
    ]
    assert cohort_weeks(rows, 1, TODAY) == {
        date(2026, 4, 1): (3, [CohortWeek(0, 3, 1)]),
        date(2026, 5, 1): (2, [CohortWeek(0, 0, 0)]),
    }
    with pytest.raises(ValueError):
        cohort_weeks(rows, 2, TODAY)  # one count per week asked
    with pytest.raises(ValueError):
        EnrolmentDay(date(2026, 5, 1), 1, (2,))
