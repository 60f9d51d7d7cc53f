"""Cursor pagination rules (pure, no database): what a cursor carries, what is refused, and
when there is a next page — the same in every service."""

import base64
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from resonance.common.paging import (
    InvalidCursor,
    after,
    decode_cursor,
    encode_cursor,
    next_cursor,
    paged,
)

AT = datetime(2026, 5, 4, 10, 0, 0, 123456, tzinfo=UTC)
ID = uuid.UUID("8f14e45f-ceea-467f-a0e6-7a2b1c3d4e5f")


def _raw(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_cursor_reads_back_the_key_it_was_made_of() -> None:
    assert decode_cursor(encode_cursor(AT, "b7"), datetime, str) == (AT, "b7")
    assert decode_cursor(encode_cursor(AT, ID), datetime, uuid.UUID) == (AT, ID)
    assert decode_cursor(encode_cursor(date(2027, 1, 1), "c1"), date, str) == (
        date(2027, 1, 1),
        "c1",
    )
    paris = timezone(timedelta(hours=2))
    key = ("waitlisted", datetime(2026, 5, 4, 12, tzinfo=paris), "r9")
    assert decode_cursor(encode_cursor(*key), str, datetime, str) == key
    assert decode_cursor(encode_cursor(True, 7), bool, int) == (True, 7)
    assert after(None, datetime, str) is None


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
    with pytest.raises(InvalidCursor) as refused:
        decode_cursor(cursor, datetime, str)
    assert (refused.value.status, refused.value.slug) == (422, "invalid-cursor")


@pytest.mark.parametrize(
    "cursor", [_raw(["2026-05-04T10:00:00Z", "not-a-uuid"]), _raw([AT.isoformat(), 12])]
)
def test_an_id_must_be_one(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, datetime, uuid.UUID)


def test_integers_are_bounded_and_booleans_are_not_numbers() -> None:
    assert decode_cursor(_raw([2**63 - 1]), int) == (2**63 - 1,)
    for value in (2**63, True):
        with pytest.raises(InvalidCursor):
            decode_cursor(_raw([value]), int)
    with pytest.raises(InvalidCursor):
        decode_cursor(_raw([1]), bool)  # the integer 1 is not JSON true


def test_the_extra_row_only_says_another_page_exists() -> None:
    rows = [("t1", "a"), ("t2", "b"), ("t3", "c")]
    # 3 rows fetched for a page of 2: the page is the first 2, the cursor names the 2nd.
    page = paged(rows, 2, lambda r: r)
    assert page.rows == rows[:2]
    assert decode_cursor(page.next_cursor or "", str, str) == ("t2", "b")
    assert next_cursor(rows, 2, lambda r: r) == page.next_cursor
    # 2 rows fetched for a page of 2 (or fewer): the last page, no cursor.
    assert paged(rows[:2], 2, lambda r: r).next_cursor is None
    assert paged([], 2, lambda r: r).rows == []
