"""Campaigns: queries only."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.domain.cursor import ListPosition
from resonance.content.store.paging import page
from resonance.content.store.tables import Campaign


async def get_campaign(
    session: AsyncSession, tenant: str, campaign_id: uuid.UUID, *, for_update: bool = False
) -> Campaign | None:
    query = select(Campaign).where(Campaign.tenant == tenant, Campaign.id == campaign_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def campaigns_of(
    session: AsyncSession, tenant: str, after: ListPosition | None, limit: int
) -> list[Campaign]:
    """Newest first."""
    query = select(Campaign).where(Campaign.tenant == tenant)
    query = page(query, Campaign.created_at, Campaign.id, after, newest_first=True, limit=limit)
    return list((await session.execute(query)).scalars())
