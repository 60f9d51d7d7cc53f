"""Keyset pages of the back-office lists: ordered by creation time and id, continuing
strictly after the cursor's row. Queries only."""

from typing import Any

from sqlalchemy import Select, tuple_

from resonance.content.domain.cursor import ListPosition


def page(
    query: Select[Any],
    created: Any,
    key: Any,
    after: ListPosition | None,
    *,
    newest_first: bool,
    limit: int,
) -> Select[Any]:
    """`query` ordered by (created, key), after `after`, at most `limit` rows."""
    if after is not None:
        row, mark = tuple_(created, key), tuple_(after.at, after.id)
        query = query.where(row < mark if newest_first else row > mark)
    order = (created.desc(), key.desc()) if newest_first else (created.asc(), key.asc())
    return query.order_by(*order).limit(limit)
