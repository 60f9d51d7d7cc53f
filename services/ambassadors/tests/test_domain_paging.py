"""Cursor pagination rules (pure, no database)."""

import base64
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from resonance.ambassadors.domain.errors import BadCursor
from resonance.ambassadors.domain.paging import (
    BY_TIME_AND_ID,
    after,
    decode_cursor,
    encode_cursor,
    paged,
)


def _raw(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_cursor_reads_back_the_key_it_was_made_of() -> None:
    at = datetime(2026, 5, 4, 10, 0, 0, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor(at, "b7"), *BY_TIME_AND_ID) == (at, "b7")
    # Dates (cohorts start on one) and several text parts (registrations) too.
    assert decode_cursor(encode_cursor(date(2027, 1, 1), "c1"), date, str) == (
        date(2027, 1, 1),
        "c1",
    )
    paris = timezone(timedelta(hours=2))
    key = ("waitlisted", datetime(2026, 5, 4, 12, tzinfo=paris), "r9")
    assert decode_cursor(encode_cursor(*key), str, datetime, str) == key
    assert after(None, *BY_TIME_AND_ID) is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        _raw(["2026-05-04T10:00:00Z"]),  # a part missing
        _raw(["2026-05-04T10:00:00Z", "a", "b"]),  # a part too many
        _raw({"at": "2026-05-04T10:00:00Z", "id": "a"}),  # not a list
        _raw(["2026-05-04T10:00:00", "a"]),  # a time without offset is ambiguous
        _raw(["0001-01-01T00:00:00+05:00", "a"]),  # before year 1 in UTC
        _raw(["2026-05-04T10:00:00Z", 7]),  # an id of the wrong kind
        _raw(["2026-05-04T10:00:00Z", "a\x00b"]),  # PostgreSQL text cannot hold NUL
        _raw([True, "a"]),
    ],
)
def test_a_cursor_we_did_not_give_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor) as refused:
        decode_cursor(cursor, *BY_TIME_AND_ID)
    assert refused.value.slug == "invalid-cursor"


def test_integers_are_bounded_to_what_the_database_holds() -> None:
    assert decode_cursor(_raw([2**63 - 1]), int) == (2**63 - 1,)
    with pytest.raises(BadCursor):
        decode_cursor(_raw([2**63]), int)
    with pytest.raises(BadCursor):
        decode_cursor(_raw([True]), int)  # JSON true is not the integer 1


def test_the_extra_row_only_says_another_page_exists() -> None:
    rows = [("t1", "a"), ("t2", "b"), ("t3", "c")]
    # 3 rows fetched for a page of 2: the page is the first 2, the cursor names the 2nd.
    page = paged(rows, 2, lambda r: r)
    assert page.rows == rows[:2]
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor, str, str) == ("t2", "b")
    # 2 rows fetched for a page of 2 (or fewer): the last page, no cursor.
    assert paged(rows[:2], 2, lambda r: r).next_cursor is None
    assert paged([], 2, lambda r: r).rows == []
