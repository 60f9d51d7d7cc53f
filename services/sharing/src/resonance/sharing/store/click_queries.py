"""Counted clicks (link_clicks): the primary key makes "once per visitor and window" hold
across replicas and redeliveries."""

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.sharing.store.share_views import LinkClick


async def insert_new(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """Inserts the clicks not counted yet; returns the keys of those inserted."""
    if not rows:
        return set()
    # Rows as execute parameters, not a VALUES list in the statement: one cached statement
    # for any batch size, which SQLAlchemy sends as multi-row INSERTs (insertmanyvalues),
    # instead of a statement compiled anew on the event loop for every new batch size.
    table = LinkClick.__table__
    inserted = await session.execute(
        insert(table).on_conflict_do_nothing().returning(table.c.key), rows
    )
    return {str(key) for key in inserted.scalars()}
