"""Cursor pages (pure): a page is `limit` rows strictly after the sort key of the last row
shown, so pages hold still while rows come and go (docs/api.md, "Lists")."""

import base64
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from resonance.common.domain_errors import Invalid

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class InvalidCursor(Invalid):
    """A cursor this service did not issue: the same 422 answer in every service."""

    default_slug = "invalid-cursor"


def encode_key(*key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_key(cursor: str, size: int) -> tuple[str, ...]:
    """The `size` text parts `encode_key` wrote; anything else is an InvalidCursor, never a
    value the database would choke on (a NUL, a number)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this service issued") from exc
    if (
        not isinstance(raw, list)
        or len(raw) != size
        or not all(isinstance(part, str) and "\x00" not in part for part in raw)
    ):
        raise InvalidCursor("the cursor is not one this service issued")
    return tuple(raw)


def next_key(rows: Sequence[T], limit: int, key: Callable[[T], tuple[str, ...]]) -> str | None:
    """The cursor after `rows` (fetched with limit + 1): the extra row only says that another
    page exists; None on the last page."""
    return encode_key(*key(rows[limit - 1])) if len(rows) > limit else None
