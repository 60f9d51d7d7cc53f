"""Queries of the reach schedule (share_reach) and what the poller reads beside it."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.sharing.store.share_views import ShareReach
from resonance.sharing.store.tables import Connection, Share


async def add_schedule(
    session: AsyncSession,
    *,
    share_id: str,
    tenant: str,
    posted_at: datetime,
    next_poll_at: datetime | None,
    audience_size: int | None,
) -> None:
    """Starts a post's schedule once (a second share.made for it changes nothing)."""
    await session.execute(
        insert(ShareReach)
        .values(
            share_id=share_id,
            tenant=tenant,
            posted_at=posted_at,
            next_poll_at=next_poll_at,
            polls=0,
            audience_size=audience_size,
            impressions=0,
            reactions=0,
            comments=0,
            reshares=0,
            clicks=0,
        )
        .on_conflict_do_nothing()
    )


async def get(session: AsyncSession, share_id: str, *, lock: bool = False) -> ShareReach | None:
    query = select(ShareReach).where(ShareReach.share_id == share_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def claim_due(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[ShareReach]:
    """Up to `limit` posts due for a reading, leased until `lease_until` (another poller
    skips them; a poller that dies leaves them due again when the lease ends)."""
    due = (
        select(ShareReach.share_id)
        .where(ShareReach.next_poll_at <= now)
        .order_by(ShareReach.next_poll_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = await session.execute(
        update(ShareReach)
        .where(ShareReach.share_id.in_(due))
        .values(next_poll_at=lease_until)
        .returning(ShareReach)
    )
    return list(rows.scalars())


async def shares_by_id(session: AsyncSession, share_ids: list[str]) -> dict[str, Share]:
    if not share_ids:
        return {}
    rows = await session.execute(select(Share).where(Share.id.in_(share_ids)))
    return {row.id: row for row in rows.scalars()}


async def connections_by_id(
    session: AsyncSession, connection_ids: list[str]
) -> dict[str, Connection]:
    if not connection_ids:
        return {}
    rows = await session.execute(select(Connection).where(Connection.id.in_(connection_ids)))
    return {row.id: row for row in rows.scalars()}
