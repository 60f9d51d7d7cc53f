"""Opaque keyset cursors for the feed: the sort key of the last item returned."""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from resonance.common.domain_errors import DomainError


class BadCursor(DomainError, ValueError):
    """A cursor this service did not issue: the request itself is malformed."""

    title = "Bad cursor"
    default_slug = "bad-cursor"


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
