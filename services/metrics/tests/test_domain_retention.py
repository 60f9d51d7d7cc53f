"""Retention cohort curves on a tiny cohort, worked out by hand."""

from datetime import UTC, date, datetime

import pytest

from resonance.metrics.domain.retention import (
    CohortWeek,
    cohort_of,
    retention_curve,
    week_index,
    week_is_over,
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
