"""Opaque keyset cursors: the sort key of the last row returned (the feed's, and the back
office lists' creation time and id). Every /v1 list answers `items` and `next_cursor`."""

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from resonance.common.domain_errors import Invalid

T = TypeVar("T")


class BadCursor(Invalid, ValueError):
    """A cursor this service did not issue: refused like any other invalid input (422
    `invalid-cursor`, the same answer in every service)."""

    title = "Invalid cursor"
    default_slug = "invalid-cursor"


@dataclass(frozen=True)
class FeedPosition:
    pinned: bool
    must_read: bool
    feed_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps(
            [int(self.pinned), int(self.must_read), self.feed_at.isoformat(), str(self.id)]
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "FeedPosition":
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            pinned, must_read, at, id_ = json.loads(base64.urlsafe_b64decode(padded))
            position = cls(
                bool(pinned), bool(must_read), datetime.fromisoformat(at), uuid.UUID(id_)
            )
        except (ValueError, TypeError) as exc:
            raise BadCursor("the cursor is not one this service issued") from exc
        if position.feed_at.tzinfo is None:
            raise BadCursor("the cursor is not one this service issued")
        return position


@dataclass(frozen=True)
class ListPosition:
    """Where a page of a back-office list ended: the last row's creation time and id (the
    lists are ordered by both, so the next page starts strictly after them)."""

    at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), str(self.id)])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "ListPosition":
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            at, id_ = json.loads(base64.urlsafe_b64decode(padded))
            position = cls(datetime.fromisoformat(at), uuid.UUID(id_))
        except (ValueError, TypeError) as exc:
            raise BadCursor("the cursor is not one this service issued") from exc
        if position.at.tzinfo is None:
            raise BadCursor("the cursor is not one this service issued")
        return position


@dataclass(frozen=True)
class SeqPosition:
    """Where a page of an append-only list ordered by its sequence number ended (the item
    audit trail): the last row's number, which is unique."""

    seq: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(json.dumps([self.seq]).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "SeqPosition":
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            (seq,) = json.loads(base64.urlsafe_b64decode(padded))
        except (ValueError, TypeError) as exc:
            raise BadCursor("the cursor is not one this service issued") from exc
        # A bool is an int to Python; past 2**63 PostgreSQL's bigint would fail, not refuse.
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**63:
            raise BadCursor("the cursor is not one this service issued")
        return cls(seq)


def next_cursor(
    rows: Sequence[T], limit: int, position: Callable[[T], ListPosition | SeqPosition]
) -> str | None:
    """The cursor of the page after `rows` (fetched with limit + 1), or None on the last."""
    if len(rows) <= limit:
        return None
    return position(rows[limit - 1]).encode()
