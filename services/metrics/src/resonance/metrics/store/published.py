"""Queries on published content."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables import PublishedContent

_table = PublishedContent.__table__  # type: ignore[attr-defined]


async def record_published(
    session: AsyncSession, tenant: str, content_id: str, family: str, published_at: datetime
) -> None:
    # Re-publishing an item (edit, republish) must not count it twice.
    await session.execute(
        insert(_table)
        .values(tenant=tenant, content_id=content_id, family=family, published_at=published_at)
        .on_conflict_do_nothing()
    )


async def count_by_family(session: AsyncSession, tenant: str) -> dict[str, int]:
    rows = await session.execute(
        select(_table.c.family, func.count())
        .where(_table.c.tenant == tenant)
        .group_by(_table.c.family)
    )
    return {family: count for family, count in rows.all()}
