"""Feed sources and the entries already seen per source: queries only."""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.domain.cursor import ListPosition
from resonance.content.store.paging import page
from resonance.content.store.tables import Source, SourceEntry


async def get_source(
    session: AsyncSession, source_id: uuid.UUID, *, for_update: bool = False
) -> Source | None:
    return await session.get(Source, source_id, with_for_update=for_update)


async def source_of(
    session: AsyncSession, tenant: str, source_id: uuid.UUID, *, for_update: bool = False
) -> Source | None:
    """The source if it belongs to the tenant."""
    query = select(Source).where(Source.tenant == tenant, Source.id == source_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def sources_of(
    session: AsyncSession, tenant: str, after: ListPosition | None, limit: int
) -> list[Source]:
    """Oldest first."""
    query = select(Source).where(Source.tenant == tenant)
    query = page(query, Source.created_at, Source.id, after, newest_first=False, limit=limit)
    return list((await session.execute(query)).scalars())


async def due_source_ids(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    query = (
        select(Source.id)
        .where(Source.active.is_(True), Source.next_poll_at <= now)
        .order_by(Source.next_poll_at)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def claim_entry(session: AsyncSession, source: Source, guid: str, now: datetime) -> bool:
    """Records the entry as seen; False when it already was (by this or another replica)."""
    claimed = await session.execute(
        insert(SourceEntry)
        .values(source_id=source.id, guid=guid, tenant=source.tenant, seen_at=now)
        .on_conflict_do_nothing()
        .returning(SourceEntry.guid)
    )
    return claimed.first() is not None


async def link_entry(
    session: AsyncSession, source_id: uuid.UUID, guid: str, content_id: uuid.UUID
) -> None:
    """Remembers which item an entry became."""
    await session.execute(
        update(SourceEntry)
        .where(
            SourceEntry.source_id == source_id,
            SourceEntry.guid == guid,
        )
        .values(content_id=content_id)
    )
