"""Cursor pagination, the same in every service (docs/api.md, "Lists"): a page is `limit` rows
strictly after an opaque cursor naming the last row seen by its sort key, so pages hold still
while rows come and go.

Every /v1 list sorts by a key that ends with the row's id (unique), reads `limit + 1` rows
strictly after the cursor's key, and answers the first `limit` with the cursor of the last one
when the extra row says another page exists. Pure: no I/O."""

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from resonance.common.domain_errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# The sort keys most lists use: creation time, then id (a UUID, or text where ids are text).
BY_TIME_AND_ID: tuple[type, ...] = (datetime, uuid.UUID)
BY_TIME_AND_TEXT_ID: tuple[type, ...] = (datetime, str)

T = TypeVar("T")


class InvalidCursor(Invalid):
    """A cursor this service did not issue: the same 422 answer in every service."""

    title = "Invalid cursor"
    default_slug = "invalid-cursor"


def encode_cursor(*key: Any) -> str:
    """`key` is the sort key of the last row of a page: text, integers, booleans, ids, dates
    and datetimes (ISO 8601)."""
    plain = [
        k.isoformat() if isinstance(k, date) else str(k) if isinstance(k, uuid.UUID) else k
        for k in key
    ]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds: type) -> tuple[Any, ...]:
    """The key `encode_cursor` wrote, each part checked against `kinds` (datetime, date, str,
    int, bool, UUID); anything else is an InvalidCursor, never a value the database would
    choke on (a NUL, a naive time, an integer past bigint)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError("wrong shape")
        return tuple(_part(kind, value) for kind, value in zip(kinds, raw, strict=True))
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidCursor("the cursor is not one this service issued") from exc


def _part(kind: type, value: Any) -> Any:
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        moment.astimezone(UTC)  # OverflowError outside the years a database can hold
        return moment
    if kind is date:
        return date.fromisoformat(value)
    if kind is uuid.UUID:
        if not isinstance(value, str):
            raise ValueError("not a text id")
        return uuid.UUID(value)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError("wrong type")
        return value
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError("wrong type")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL in a text key")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise ValueError("integer out of range")
    return value


def after(cursor: str | None, *kinds: type) -> tuple[Any, ...] | None:
    """The sort key to continue after (None: from the start)."""
    return decode_cursor(cursor, *kinds) if cursor else None


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list and the cursor of the next (None on the last)."""

    rows: list[T]
    next_cursor: str | None


def paged(found: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]]) -> Paged[T]:
    """`found` holds up to `limit + 1` rows: the extra one only says that another page exists,
    and the next page starts after the key of the last row shown."""
    rows = list(found[:limit])
    if len(found) > limit and rows:
        return Paged(rows, encode_cursor(*key(rows[-1])))
    return Paged(rows, None)


def next_cursor(found: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]]) -> str | None:
    """The cursor after the first `limit` of `found` (fetched with limit + 1), None on the
    last page."""
    return paged(found, limit, key).next_cursor
