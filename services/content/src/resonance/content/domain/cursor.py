"""Opaque keyset cursors, typed: the sort key of the last row returned (the feed's, the back
office lists' creation time and id, the audit trail's sequence number). The encoding and its
checks are the platform's (resonance.common.paging): every /v1 list answers `items` and
`next_cursor`, and a cursor we did not issue is a 422 `invalid-cursor` everywhere."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from resonance.common.paging import (
    BY_TIME_AND_ID,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
)

T = TypeVar("T")

__all__ = ["FeedPosition", "InvalidCursor", "ListPosition", "SeqPosition", "next_cursor"]


@dataclass(frozen=True)
class FeedPosition:
    pinned: bool
    must_read: bool
    feed_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        # Flags as 0/1: the shape cursors of earlier releases had, so they stay valid.
        return encode_cursor(int(self.pinned), int(self.must_read), self.feed_at, self.id)

    @classmethod
    def decode(cls, cursor: str) -> "FeedPosition":
        pinned, must_read, at, id_ = decode_cursor(cursor, int, int, datetime, uuid.UUID)
        return cls(bool(pinned), bool(must_read), at, id_)


@dataclass(frozen=True)
class ListPosition:
    """Where a page of a back-office list ended: the last row's creation time and id (the
    lists are ordered by both, so the next page starts strictly after them)."""

    at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        return encode_cursor(self.at, self.id)

    @classmethod
    def decode(cls, cursor: str) -> "ListPosition":
        return cls(*decode_cursor(cursor, *BY_TIME_AND_ID))


@dataclass(frozen=True)
class SeqPosition:
    """Where a page of an append-only list ordered by its sequence number ended (the item
    audit trail): the last row's number, which is unique."""

    seq: int

    def encode(self) -> str:
        return encode_cursor(self.seq)

    @classmethod
    def decode(cls, cursor: str) -> "SeqPosition":
        (seq,) = decode_cursor(cursor, int)
        if seq < 0:
            raise InvalidCursor("the cursor is not one this service issued")
        return cls(seq)


def next_cursor(
    rows: Sequence[T], limit: int, position: Callable[[T], ListPosition | SeqPosition]
) -> str | None:
    """The cursor of the page after `rows` (fetched with limit + 1), or None on the last."""
    if len(rows) <= limit:
        return None
    return position(rows[limit - 1]).encode()
