"""A person's enrolment over all their programmes, as one span, for population KPIs (pure).

The population KPIs (domain/kpis.py) ask, per person, three questions of their memberships:
enrolled at some moment of the period (a membership enrolled before its end and not left
before its start), targeted by its end (invited or enrolled), engaged by its end (enrolled).
`PersonSpan` keeps the answers' inputs in one row per person, so a read need not group the
person's memberships: the first enrolment, the first invitation or enrolment, and when the
last enrolment ended. That is exact when the person's enrolments leave no gap (the union of
their [enrolled, left] intervals is one interval); a person with a gap is flagged and their
memberships are read as before.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MembershipDates:
    invited_at: datetime | None
    enrolled_at: datetime | None
    left_at: datetime | None


@dataclass(frozen=True)
class PersonSpan:
    enrolled_at: datetime | None  # first enrolment in any programme
    targeted_at: datetime | None  # first invitation or enrolment
    left_at: datetime | None  # when their last enrolment ended; None while one lasts
    gaps: bool  # enrolments with a gap between them (or left before enrolled): not one span


def person_span(memberships: Iterable[MembershipDates]) -> PersonSpan:
    """The span of one person's memberships (in any order)."""
    rows = list(memberships)
    targets = [t for m in rows if (t := m.invited_at or m.enrolled_at) is not None]
    enrolled = sorted(
        (m for m in rows if m.enrolled_at is not None),
        key=lambda m: m.enrolled_at,  # type: ignore[arg-type, return-value]
    )
    gaps = False
    reach: datetime | None = None  # the latest end so far; None: still enrolled (no end)
    for k, m in enumerate(enrolled):
        assert m.enrolled_at is not None
        if m.left_at is not None and m.left_at < m.enrolled_at:
            gaps = True
        if k > 0 and reach is not None and m.enrolled_at > reach:
            gaps = True
        if k == 0 or reach is not None:
            reach = None if m.left_at is None else max(reach or m.left_at, m.left_at)
    return PersonSpan(
        enrolled_at=enrolled[0].enrolled_at if enrolled else None,
        targeted_at=min(targets) if targets else None,
        left_at=reach if enrolled else None,
        gaps=gaps,
    )


def enrolled_during(membership: MembershipDates, start: datetime | None, end: datetime) -> bool:
    """The rule for one membership: enrolled before the period's end and not left before its
    start (`start` None: all time)."""
    return (
        membership.enrolled_at is not None
        and membership.enrolled_at < end
        and (membership.left_at is None or start is None or membership.left_at >= start)
    )


def span_enrolled_during(span: PersonSpan, start: datetime | None, end: datetime) -> bool:
    """The same question asked of a person's span: equals "any membership enrolled during"
    when the span has no gap (the read never asks it of a span with gaps)."""
    if span.gaps:
        raise ValueError("a span with gaps cannot answer: read the memberships")
    return enrolled_during(MembershipDates(None, span.enrolled_at, span.left_at), start, end)
