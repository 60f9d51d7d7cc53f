"""Keyset pages of the /v1 lists: ordered by a unique sort key (ending with the id), strictly
after the cursor's key, never by OFFSET (which rescans every skipped row and shifts when rows
are added). Queries only."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, tuple_


def keyset(
    query: Select[Any],
    order: Sequence[Any],
    after: tuple[Any, ...] | None,
    limit: int,
    *,
    descending: bool = False,
) -> Select[Any]:
    """`query` by `order` (all ascending or all descending), after `after` (a row
    comparison, which an index on the same columns serves), at most `limit` rows."""
    if after is not None:
        row, mark = tuple_(*order), tuple_(*after)
        query = query.where(row < mark if descending else row > mark)
    query = query.order_by(*(c.desc() for c in order) if descending else order)
    return query.limit(limit)
