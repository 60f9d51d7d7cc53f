"""The reward catalogue and redemptions."""

import uuid
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.paging import keyset
from resonance.metrics.store.tables_gamification import RedemptionRow, RewardRow


async def reward(
    session: AsyncSession, tenant: str, reward_id: uuid.UUID, *, for_update: bool = False
) -> RewardRow | None:
    query = select(RewardRow).where(RewardRow.tenant == tenant, RewardRow.id == reward_id)
    if for_update:
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is not None and for_update:
        await session.refresh(found)  # the locked row's values, not a cached copy
    return found


async def rewards_of(
    session: AsyncSession,
    tenant: str,
    *,
    active_only: bool,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[RewardRow]:
    """Oldest first (creation time, then id), strictly after `after`."""
    query = select(RewardRow).where(RewardRow.tenant == tenant)
    if active_only:
        query = query.where(RewardRow.active.is_(True))
    order = (RewardRow.created_at, RewardRow.id)
    return list((await session.execute(keyset(query, order, after, limit))).scalars())


async def redemption(
    session: AsyncSession, tenant: str, redemption_id: uuid.UUID, *, for_update: bool = False
) -> RedemptionRow | None:
    query = select(RedemptionRow).where(
        RedemptionRow.tenant == tenant, RedemptionRow.id == redemption_id
    )
    if for_update:
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is not None and for_update:
        await session.refresh(found)
    return found


async def redemptions_of(
    session: AsyncSession,
    tenant: str,
    *,
    ambassador_id: str | None,
    status: str | None,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[RedemptionRow]:
    """Newest first (request time, then id, both descending), strictly after `after`."""
    query = select(RedemptionRow).where(RedemptionRow.tenant == tenant)
    if ambassador_id is not None:
        query = query.where(RedemptionRow.ambassador_id == ambassador_id)
    if status is not None:
        query = query.where(RedemptionRow.status == status)
    order = (RedemptionRow.requested_at, RedemptionRow.id)
    query = keyset(query, order, after, limit, descending=True)
    return list((await session.execute(query)).scalars())


async def release_open_redemptions(session: AsyncSession, tenant: str, ambassador_id: str) -> None:
    """Erasure: the stock reserved by the person's open redemptions goes back, then every
    redemption of theirs is deleted."""
    await session.execute(
        text(
            "UPDATE rewards r SET stock = r.stock + o.n FROM ("
            " SELECT reward_id, count(*) AS n FROM redemptions"
            " WHERE tenant = :tenant AND ambassador_id = :who AND stock_counted"
            " AND status IN ('requested', 'approved') GROUP BY reward_id) o "
            "WHERE r.id = o.reward_id AND r.stock IS NOT NULL"
        ),
        {"tenant": tenant, "who": ambassador_id},
    )
    await session.execute(
        text("DELETE FROM redemptions WHERE tenant = :tenant AND ambassador_id = :who"),
        {"tenant": tenant, "who": ambassador_id},
    )
