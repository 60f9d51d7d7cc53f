"""The monthly digest: month in the tenant zone, idempotency key, content from aggregate rows."""

import uuid
from datetime import UTC, date, datetime

import pytest

from resonance.metrics.domain.digest import (
    ItemRow,
    MonthFigures,
    PersonRow,
    build_digest,
    digest_id,
    digest_key,
    digest_month,
    due_month,
)
from resonance.metrics.domain.periods import PeriodKind, current_period

PARIS = "Europe/Paris"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_digest_month_is_the_last_complete_local_month() -> None:
    # 31 May 22:30 UTC is 1 June 00:30 in Paris: May is complete there, not yet in UTC.
    paris = digest_month(utc(2026, 5, 31, 22, 30), PARIS)
    assert (paris.first_day, paris.end_day, paris.label) == (
        date(2026, 5, 1),
        date(2026, 6, 1),
        "2026-05",
    )
    assert paris.start == utc(2026, 4, 30, 22, 0)
    assert digest_month(utc(2026, 5, 31, 22, 30), "UTC").label == "2026-04"
    assert digest_month(utc(2026, 1, 3), PARIS).label == "2025-12"


def test_due_once_per_month() -> None:
    now = utc(2026, 6, 2, 8)
    assert due_month(now, PARIS, None) is not None
    due = due_month(now, PARIS, date(2026, 4, 1))
    assert due is not None and due.label == "2026-05"
    assert due_month(now, PARIS, date(2026, 5, 1)) is None  # May already sent


def test_keys_and_ids_are_stable_and_distinct() -> None:
    may = digest_month(utc(2026, 6, 2), PARIS)
    key = digest_key("acme", "prog1", may)
    assert key == "digest:acme:prog1:2026-05"
    assert digest_key("acme", None, may) == "digest:acme:*:2026-05"
    assert digest_id(key) == digest_id("digest:acme:prog1:2026-05")
    assert digest_id(key) != digest_id("digest:acme:*:2026-05")
    assert uuid.UUID(digest_id(key)).version == 5
    with pytest.raises(ValueError):
        digest_key("acme", None, current_period(PeriodKind.WEEK, utc(2026, 6, 2), PARIS))


def test_digest_content_from_rows() -> None:
    may = digest_month(utc(2026, 6, 2), PARIS)
    current = MonthFigures(shares=120, clicks=300, sharers=30, enrolled=150, new_enrolments=12)
    previous = MonthFigures(shares=100, clicks=0, sharers=25, enrolled=125, new_enrolments=12)
    items = [
        ItemRow("c2", "Plant opening", 40),
        ItemRow("c1", "Job fair", 40),
        ItemRow("c3", "Results", 7),
        ItemRow("c4", "Nobody shared", 0),
    ]
    people = [
        PersonRow("p1", "Ana", 20),
        PersonRow("p2", "Ben", 35, hidden=True),
        PersonRow("p3", "Cy", 12),
        PersonRow("p4", "Di", 20),
    ]
    digest = build_digest("acme", "prog1", may, current, previous, items, people, top=2)
    assert digest.key == "digest:acme:prog1:2026-05" and digest.digest_id == digest_id(digest.key)
    assert digest.previous.label == "2026-04"
    figures = dict(digest.figures)
    assert (figures["shares"].delta, figures["shares"].relative) == (20, 0.2)
    assert figures["clicks"].relative is None  # from 0: no percentage
    assert figures["new_enrolments"].relative == 0.0
    # 30 / 150 = 0.2 this month, 25 / 125 = 0.2 last month.
    assert (digest.participation, digest.previous_participation) == (0.2, 0.2)
    # Tie at 40 shares ordered by id; at most `top` rows.
    assert [i.content_id for i in digest.top_items] == ["c1", "c2"]
    # Ben (35) hid from public boards and is never listed; Ana and Di tie at 20, by id.
    assert [p.ambassador_id for p in digest.top_people] == ["p1", "p4"]
    summary = digest.summary()
    assert summary["shares"] == 120.0 and summary["participation"] == 0.2
    with pytest.raises(ValueError):
        build_digest("acme", None, may, current, previous, items, people, top=0)
