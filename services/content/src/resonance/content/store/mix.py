"""What was published per editorial family, for the mix KPI: queries only."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.store.tables import ContentItem


async def published_per_family(
    session: AsyncSession, tenant: str, since: datetime, until: datetime, brand: str | None
) -> dict[str, int]:
    """Items published in [since, until) per family, company and market only."""
    query = (
        select(ContentItem.family, func.count())
        .where(
            ContentItem.tenant == tenant,
            ContentItem.published_at >= since,
            ContentItem.published_at < until,
            ContentItem.family.in_(["company", "market"]),
        )
        .group_by(ContentItem.family)
    )
    if brand is not None:
        query = query.where(ContentItem.brand == brand)
    return dict((await session.execute(query)).tuples().all())
