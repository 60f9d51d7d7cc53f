"""Ambassadors' submissions: queries only."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.store.tables import Submission

MINE_LIMIT = 200


async def get_submission(
    session: AsyncSession, tenant: str, submission_id: uuid.UUID, *, for_update: bool = False
) -> Submission | None:
    query = select(Submission).where(Submission.tenant == tenant, Submission.id == submission_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def submissions_of(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> list[Submission]:
    """An ambassador's own submissions, newest first."""
    query = (
        select(Submission)
        .where(Submission.tenant == tenant, Submission.ambassador_id == ambassador_id)
        .order_by(Submission.created_at.desc())  # type: ignore[attr-defined]
        .limit(MINE_LIMIT)
    )
    return list((await session.execute(query)).scalars())


async def queue(session: AsyncSession, tenant: str, status: str, limit: int) -> list[Submission]:
    """Submissions in a status, oldest first (the moderation queue)."""
    query = (
        select(Submission)
        .where(Submission.tenant == tenant, Submission.status == status)
        .order_by(Submission.created_at)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
