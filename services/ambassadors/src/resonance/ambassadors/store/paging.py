"""Keyset pages of the /v1 lists: ordered by a unique sort key (ending with the id), strictly
after the cursor's key, never by OFFSET (which rescans every skipped row and shifts when rows
are added). Queries only."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, tuple_


def keyset(
    query: Select[Any], order: Sequence[Any], after: tuple[Any, ...] | None, limit: int | None
) -> Select[Any]:
    """`query` ascending by `order`, after `after` (a row comparison, which an index on the
    same columns serves), at most `limit` rows (None: all, for internal callers)."""
    if after is not None:
        query = query.where(tuple_(*order) > tuple_(*after))
    query = query.order_by(*order)
    return query if limit is None else query.limit(limit)
