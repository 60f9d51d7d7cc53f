"""Campaigns: queries only."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.store.tables import Campaign

LIST_LIMIT = 200


async def get_campaign(
    session: AsyncSession, tenant: str, campaign_id: uuid.UUID, *, for_update: bool = False
) -> Campaign | None:
    query = select(Campaign).where(Campaign.tenant == tenant, Campaign.id == campaign_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def campaigns_of(session: AsyncSession, tenant: str) -> list[Campaign]:
    """Newest first."""
    query = (
        select(Campaign)
        .where(Campaign.tenant == tenant)
        .order_by(Campaign.created_at.desc())  # type: ignore[attr-defined]
        .limit(LIST_LIMIT)
    )
    return list((await session.execute(query)).scalars())
