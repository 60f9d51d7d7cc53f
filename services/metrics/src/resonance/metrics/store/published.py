"""Queries on published content."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables import PublishedContent


async def count_live_by_family(session: AsyncSession, tenant: str) -> dict[str, int]:
    """Items published and not retired, by family."""
    rows = await session.execute(
        select(PublishedContent.family, func.count())
        .where(
            PublishedContent.tenant == tenant,
            PublishedContent.retired_at.is_(None),
        )
        .group_by(PublishedContent.family)
    )
    return {family: count for family, count in rows.all()}
