"""Cursor pages (pure): what a cursor carries, what is refused, and when there is a next page."""

import uuid
from datetime import UTC, date, datetime

import pytest

from resonance.metrics.domain.paging import (
    BY_TIME_AND_ID,
    BadCursor,
    decode_cursor,
    encode_cursor,
    paged,
)

AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
ID = uuid.UUID("8f14e45f-ceea-467f-a0e6-7a2b1c3d4e5f")


def test_a_key_comes_back_as_it_went() -> None:
    assert decode_cursor(encode_cursor(AT, ID), *BY_TIME_AND_ID) == (AT, ID)
    assert decode_cursor(encode_cursor(date(2026, 3, 1)), date) == (date(2026, 3, 1),)
    assert decode_cursor(encode_cursor(7), int) == (7,)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64-json",
        encode_cursor(AT),  # one part where two are expected
        encode_cursor(AT, "not-a-uuid"),
        encode_cursor("2026-05-01T09:30:00", ID),  # no offset: ambiguous
        encode_cursor(AT, 12),  # an id must be text
    ],
)
def test_anything_else_is_an_invalid_cursor(cursor: str) -> None:
    with pytest.raises(BadCursor) as refused:
        decode_cursor(cursor, *BY_TIME_AND_ID)
    assert (refused.value.status, refused.value.slug) == (422, "invalid-cursor")


def test_integers_past_bigint_and_booleans_are_refused() -> None:
    for value in (2**63, True):
        with pytest.raises(BadCursor):
            decode_cursor(encode_cursor(value), int)


def test_the_extra_row_alone_says_there_is_a_next_page() -> None:
    # limit 2: three rows found means a next page after the second; two means the last page.
    more = paged([1, 2, 3], 2, lambda n: (n,))
    assert more.rows == [1, 2] and decode_cursor(more.next_cursor or "", int) == (2,)
    last = paged([1, 2], 2, lambda n: (n,))
    assert last.rows == [1, 2] and last.next_cursor is None
