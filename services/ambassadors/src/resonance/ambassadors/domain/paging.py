"""Cursor pagination (pure): a page is `limit` rows after an opaque cursor naming the last row
seen by its sort key, so pages hold still while rows are added."""

import base64
import json
from datetime import datetime
from typing import Any

from resonance.ambassadors.domain.errors import BadCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(*key: Any) -> str:
    """`key` is the sort key of the last row of a page (datetimes as ISO 8601)."""
    plain = [k.isoformat() if isinstance(k, datetime) else k for k in key]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds: type) -> tuple[Any, ...]:
    """The key `encode_cursor` wrote, each part checked against `kinds` (datetime, str, int)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError("wrong shape")
        parts: list[Any] = []
        for kind, value in zip(kinds, raw, strict=True):
            if kind is datetime:
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    raise ValueError("naive time")
                parts.append(moment)
            elif isinstance(value, kind) and not isinstance(value, bool):
                parts.append(value)
            else:
                raise ValueError("wrong type")
        return tuple(parts)
    except (ValueError, TypeError) as exc:
        raise BadCursor("cursor is not one this service gave") from exc
