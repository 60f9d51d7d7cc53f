"""Queries of the posting worker and its scheduler: shares locked one at a time, attempts,
due and stale shares picked with SKIP LOCKED so several processes share the work."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from resonance.sharing.store.tables import POSTING, SCHEDULED, Share, ShareAttempt


async def lock_share(session: AsyncSession, share_id: str) -> Share | None:
    query = select(Share).where(col(Share.id) == share_id).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def attempt(session: AsyncSession, share_id: str, attempt_no: int) -> ShareAttempt | None:
    query = select(ShareAttempt).where(
        col(ShareAttempt.share_id) == share_id, col(ShareAttempt.attempt_no) == attempt_no
    )
    return (await session.execute(query)).scalar_one_or_none()


async def attempts(session: AsyncSession, share_id: str) -> Sequence[ShareAttempt]:
    query = (
        select(ShareAttempt)
        .where(col(ShareAttempt.share_id) == share_id)
        .order_by(col(ShareAttempt.attempt_no))
    )
    return (await session.execute(query)).scalars().all()


async def due(session: AsyncSession, now: datetime, limit: int) -> Sequence[Share]:
    """Scheduled shares whose time has come and that nobody handed out yet."""
    query = (
        select(Share)
        .where(
            col(Share.status) == SCHEDULED,
            col(Share.requested_at).is_(None),
            col(Share.scheduled_for) <= now,
        )
        .order_by(col(Share.scheduled_for))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def stale(
    session: AsyncSession, posting_before: datetime, scheduled_before: datetime, limit: int
) -> Sequence[Share]:
    """Shares handed out that never finished: `posting` since before `posting_before` (a
    worker died mid-call) or `scheduled` and requested before `scheduled_before`."""
    query = (
        select(Share)
        .where(
            col(Share.requested_at).is_not(None),
            or_(
                (col(Share.status) == POSTING) & (col(Share.requested_at) <= posting_before),
                (col(Share.status) == SCHEDULED) & (col(Share.requested_at) <= scheduled_before),
            ),
        )
        .order_by(col(Share.requested_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()
