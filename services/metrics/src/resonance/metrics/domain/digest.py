"""The monthly digest: which month, its content from aggregate rows, and its key (pure).

A digest covers one calendar month of the tenant's time zone and compares it with the month
before. It exists once per tenant, programme (or the whole tenant) and month: `digest_key`
is the store's unique key and `digest_id` (derived from it) is the id of digest.ready, so a
job run twice, or on two replicas, sends nothing twice.

Most active people respect privacy: people hidden from public boards are never listed.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from resonance.metrics.domain.kpis import Change, change, participation_rate
from resonance.metrics.domain.periods import (
    Period,
    PeriodKind,
    add_months,
    local_day,
    month_start,
    previous_period,
)

DEFAULT_TOP = 5
MAX_TOP = 20
# Fixed namespace so a digest's id is the same on every replica and every run.
DIGEST_NAMESPACE = uuid.UUID("3f0e6a9e-0c55-4a43-9a0e-6d1f4f1c2a77")
WHOLE_TENANT = "*"


def month_period(first_day: date, timezone: str) -> Period:
    first = month_start(first_day)
    return Period(PeriodKind.MONTH, timezone, first, add_months(first, 1))


def digest_month(now: datetime, timezone: str) -> Period:
    """The month a digest made at `now` reports on: the last complete month, locally."""
    this_month = month_start(local_day(now, timezone))
    return month_period(add_months(this_month, -1), timezone)


def due_month(now: datetime, timezone: str, last_sent_month: date | None) -> Period | None:
    """The month whose digest is due, or None. Missed older months are not caught up: a
    digest about a month long gone is noise."""
    month = digest_month(now, timezone)
    first = month.first_day
    if last_sent_month is not None and first is not None and last_sent_month >= first:
        return None
    return month


def digest_key(tenant: str, programme_id: str | None, month: Period) -> str:
    if month.kind is not PeriodKind.MONTH:
        raise ValueError("a digest covers a calendar month")
    return f"digest:{tenant}:{programme_id or WHOLE_TENANT}:{month.label}"


def digest_id(key: str) -> str:
    return str(uuid.uuid5(DIGEST_NAMESPACE, key))


@dataclass(frozen=True)
class MonthFigures:
    """A month's totals for the digest's scope, read from the aggregates."""

    shares: int = 0
    clicks: int = 0
    impressions: int = 0  # measured only
    sharers: int = 0  # ambassadors who shared at least once
    enrolled: int = 0  # enrolled at some moment of the month
    new_enrolments: int = 0
    approved_submissions: int = 0


FIGURES = (
    "shares",
    "clicks",
    "impressions",
    "sharers",
    "enrolled",
    "new_enrolments",
    "approved_submissions",
)


@dataclass(frozen=True)
class ItemRow:
    content_id: str
    title: str
    shares: int


@dataclass(frozen=True)
class PersonRow:
    ambassador_id: str
    display_name: str
    contributions: int
    hidden: bool = False


@dataclass(frozen=True)
class DigestContent:
    key: str
    digest_id: str
    tenant: str
    programme_id: str | None
    period: Period
    previous: Period
    figures: tuple[tuple[str, Change], ...]  # in FIGURES order
    participation: float | None
    previous_participation: float | None
    top_items: tuple[ItemRow, ...]
    top_people: tuple[PersonRow, ...]

    def summary(self) -> dict[str, float]:
        """Figures for digest.ready's `summary` (current month only)."""
        result = {name: float(c.current) for name, c in self.figures}
        if self.participation is not None:
            result["participation"] = self.participation
        return result


def top_items(items: Iterable[ItemRow], top: int = DEFAULT_TOP) -> tuple[ItemRow, ...]:
    """Most shared first; ties by content id so the digest is reproducible."""
    ranked = sorted((i for i in items if i.shares > 0), key=lambda i: (-i.shares, i.content_id))
    return tuple(ranked[:top])


def top_people(people: Iterable[PersonRow], top: int = DEFAULT_TOP) -> tuple[PersonRow, ...]:
    """Most active first among those not hidden; ties by id."""
    shown = (p for p in people if not p.hidden and p.contributions > 0)
    return tuple(sorted(shown, key=lambda p: (-p.contributions, p.ambassador_id))[:top])


def build_digest(
    tenant: str,
    programme_id: str | None,
    month: Period,
    current: MonthFigures,
    previous: MonthFigures,
    items: Iterable[ItemRow],
    people: Iterable[PersonRow],
    top: int = DEFAULT_TOP,
) -> DigestContent:
    """The digest of `month` from its aggregate rows and those of the month before."""
    if not 1 <= top <= MAX_TOP:
        raise ValueError(f"top must be between 1 and {MAX_TOP}")
    key = digest_key(tenant, programme_id, month)
    before = previous_period(month)
    assert before is not None  # a month always has one
    return DigestContent(
        key=key,
        digest_id=digest_id(key),
        tenant=tenant,
        programme_id=programme_id,
        period=month,
        previous=before,
        figures=tuple(
            (name, change(getattr(current, name), getattr(previous, name))) for name in FIGURES
        ),
        participation=participation_rate(current.sharers, current.enrolled),
        previous_participation=participation_rate(previous.sharers, previous.enrolled),
        top_items=top_items(items, top),
        top_people=top_people(people, top),
    )
