"""Counted clicks (link_clicks): the primary key makes "once per visitor and window" hold
across replicas and redeliveries."""

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from resonance.sharing.store.share_views import LinkClick


async def insert_new(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """Inserts the clicks not counted yet; returns the keys of those inserted."""
    if not rows:
        return set()
    inserted = await session.execute(
        insert(LinkClick).values(rows).on_conflict_do_nothing().returning(col(LinkClick.key))
    )
    return {str(key) for key in inserted.scalars()}
