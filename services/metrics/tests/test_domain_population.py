"""A person's memberships as one span (domain/population.py), worked out by hand, and checked
against the per-membership rule on every period boundary of small cases."""

from datetime import UTC, datetime, timedelta

import pytest

from resonance.metrics.domain.population import (
    MembershipDates,
    PersonSpan,
    enrolled_during,
    person_span,
    span_enrolled_during,
)


def may(day: int) -> datetime:
    return datetime(2026, 5, day, tzinfo=UTC)


def test_one_membership_is_its_own_span() -> None:
    span = person_span([MembershipDates(may(1), may(3), may(10))])
    assert span == PersonSpan(enrolled_at=may(3), targeted_at=may(1), left_at=may(10), gaps=False)


def test_invited_only_is_targeted_but_never_enrolled() -> None:
    span = person_span([MembershipDates(may(2), None, None)])
    assert span == PersonSpan(enrolled_at=None, targeted_at=may(2), left_at=None, gaps=False)


def test_overlapping_enrolments_make_one_span_still_open_while_one_lasts() -> None:
    # p1 3..10 May, p2 8 May.. (still enrolled): one span from 3 May, open.
    span = person_span(
        [MembershipDates(None, may(8), None), MembershipDates(may(1), may(3), may(10))]
    )
    assert span == PersonSpan(enrolled_at=may(3), targeted_at=may(1), left_at=None, gaps=False)


def test_touching_enrolments_leave_no_gap_but_a_later_one_does() -> None:
    touching = person_span(
        [MembershipDates(None, may(1), may(5)), MembershipDates(None, may(5), may(9))]
    )
    assert touching == PersonSpan(may(1), may(1), may(9), gaps=False)
    # Left p1 on 5 May, enrolled in p2 on 7 May: nobody's enrolled on 6 May.
    apart = person_span(
        [MembershipDates(None, may(7), None), MembershipDates(None, may(1), may(5))]
    )
    assert apart.gaps and apart.enrolled_at == may(1) and apart.left_at is None


def test_a_leave_dated_before_its_enrolment_is_flagged() -> None:
    assert person_span([MembershipDates(None, may(5), may(4))]).gaps


def test_a_span_with_gaps_refuses_to_answer() -> None:
    with pytest.raises(ValueError, match="gaps"):
        span_enrolled_during(PersonSpan(may(1), may(1), None, gaps=True), None, may(9))


CASES = [
    [MembershipDates(None, may(3), may(10))],
    [MembershipDates(None, may(3), None), MembershipDates(may(1), None, None)],
    [MembershipDates(None, may(3), may(10)), MembershipDates(None, may(8), may(20))],
    [MembershipDates(None, may(3), may(10)), MembershipDates(None, may(10), None)],
    [MembershipDates(None, may(3), may(12)), MembershipDates(None, may(5), may(7))],
]


@pytest.mark.parametrize("memberships", CASES)
def test_a_span_without_gaps_answers_as_its_memberships_do(
    memberships: list[MembershipDates],
) -> None:
    """Every period with bounds on the boundaries of the case (and around them): the span
    says "enrolled during" exactly when some membership does."""
    span = person_span(memberships)
    assert not span.gaps
    moments = sorted(
        {
            m + d
            for row in memberships
            for m in (row.enrolled_at, row.left_at)
            if m is not None
            for d in (timedelta(0), timedelta(hours=-1), timedelta(hours=1))
        }
    )
    for start in [None, *moments]:
        for end in moments:
            if start is not None and start >= end:
                continue
            expected = any(enrolled_during(m, start, end) for m in memberships)
            assert span_enrolled_during(span, start, end) == expected, (start, end)


def test_the_rule_for_one_membership() -> None:
    m = MembershipDates(None, may(3), may(10))
    assert enrolled_during(m, may(10), may(11))  # left on the period's first instant: counted
    assert not enrolled_during(m, may(10) + timedelta(seconds=1), may(11))
    assert not enrolled_during(m, may(1), may(3))  # enrolled at the period's end: not yet
    assert enrolled_during(m, None, may(4))
    assert not enrolled_during(MembershipDates(may(1), None, None), None, may(30))
