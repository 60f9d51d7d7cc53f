"""Queries of the posting worker and its scheduler: shares locked one at a time, attempts,
due and stale shares picked with SKIP LOCKED so several processes share the work."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from resonance.sharing.store.tables import POSTING, SCHEDULED, Share, ShareAttempt

# The worker's statements per share, built once (their cache keys are memoised; building
# one costs more CPU than executing it); values are bound at execution.
_LOCK_SHARE = select(Share).where(col(Share.id) == bindparam("id")).with_for_update()
_ATTEMPT = select(ShareAttempt).where(
    col(ShareAttempt.share_id) == bindparam("share_id"),
    col(ShareAttempt.attempt_no) == bindparam("attempt_no"),
)


async def lock_share(session: AsyncSession, share_id: str) -> Share | None:
    return (await session.execute(_LOCK_SHARE, {"id": share_id})).scalar_one_or_none()


async def attempt(session: AsyncSession, share_id: str, attempt_no: int) -> ShareAttempt | None:
    params = {"share_id": share_id, "attempt_no": attempt_no}
    return (await session.execute(_ATTEMPT, params)).scalar_one_or_none()


_ATTEMPTS = ShareAttempt.__table__
_FINISH_ATTEMPT = (
    update(_ATTEMPTS)
    .where(
        # Names other than the columns': those are reserved for SET in an UPDATE.
        _ATTEMPTS.c.share_id == bindparam("of_share"),
        _ATTEMPTS.c.attempt_no == bindparam("number"),
        _ATTEMPTS.c.finished_at.is_(None),
    )
    .values(
        finished_at=bindparam("at", type_=_ATTEMPTS.c.finished_at.type),
        outcome=bindparam("result", type_=_ATTEMPTS.c.outcome.type),
        error=bindparam("detail", type_=_ATTEMPTS.c.error.type),
    )
)


async def finish_attempt(
    session: AsyncSession,
    share_id: str,
    attempt_no: int,
    at: datetime,
    outcome: str,
    error: str | None,
) -> None:
    """Records how an attempt ended, unless it already was (in one statement, no read)."""
    params = {
        "of_share": share_id,
        "number": attempt_no,
        "at": at,
        "result": outcome,
        "detail": error,
    }
    await session.execute(_FINISH_ATTEMPT, params)


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
