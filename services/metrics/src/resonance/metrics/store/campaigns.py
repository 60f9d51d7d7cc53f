"""Campaigns, their running totals, and who shared them."""

from collections.abc import Mapping

from sqlalchemy import Table, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables import Campaign, PublishedContent
from resonance.metrics.store.tables_activity import CampaignTotals

_totals: Table = CampaignTotals.__table__


async def campaign(
    session: AsyncSession, tenant: str, campaign_id: str, *, for_update: bool = False
) -> Campaign | None:
    query = select(Campaign).where(Campaign.tenant == tenant, Campaign.campaign_id == campaign_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def content(
    session: AsyncSession, tenant: str, content_id: str, *, for_update: bool = False
) -> PublishedContent | None:
    query = select(PublishedContent).where(
        PublishedContent.tenant == tenant, PublishedContent.content_id == content_id
    )
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def add_totals(
    session: AsyncSession, tenant: str, campaign_id: str, increments: Mapping[str, int]
) -> CampaignTotals:
    statement = insert(_totals).values(tenant=tenant, campaign_id=campaign_id, **increments)
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_totals.primary_key),
            set_={name: _totals.c[name] + statement.excluded[name] for name in increments},
        ).returning(*_totals.c)
    )
    return CampaignTotals.model_validate(dict(result.mappings().one()))


async def totals(session: AsyncSession, tenant: str, campaign_id: str) -> CampaignTotals | None:
    result = await session.execute(
        _totals.select().where(_totals.c.tenant == tenant, _totals.c.campaign_id == campaign_id)
    )
    found = result.mappings().one_or_none()
    return None if found is None else CampaignTotals.model_validate(dict(found))


async def sharers(session: AsyncSession, tenant: str, campaign_id: str) -> list[str]:
    """People (not erased) who shared the campaign's content."""
    rows = await session.execute(
        text(
            "SELECT DISTINCT ambassador_id FROM daily_activity WHERE tenant = :tenant "
            "AND campaign_id = :campaign AND shares > 0 AND ambassador_id NOT LIKE 'erased-%' "
            "AND ambassador_id <> ''"
        ),
        {"tenant": tenant, "campaign": campaign_id},
    )
    return sorted(str(r[0]) for r in rows)
