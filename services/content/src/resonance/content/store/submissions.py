"""Ambassadors' submissions: queries only."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.domain.cursor import ListPosition
from resonance.content.store.paging import page
from resonance.content.store.tables import Submission


async def get_submission(
    session: AsyncSession, tenant: str, submission_id: uuid.UUID, *, for_update: bool = False
) -> Submission | None:
    query = select(Submission).where(Submission.tenant == tenant, Submission.id == submission_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def submissions_of(
    session: AsyncSession, tenant: str, ambassador_id: str, after: ListPosition | None, limit: int
) -> list[Submission]:
    """An ambassador's own submissions, newest first."""
    query = select(Submission).where(
        Submission.tenant == tenant, Submission.ambassador_id == ambassador_id
    )
    query = page(query, Submission.created_at, Submission.id, after, newest_first=True, limit=limit)
    return list((await session.execute(query)).scalars())


async def queue(
    session: AsyncSession, tenant: str, status: str, after: ListPosition | None, limit: int
) -> list[Submission]:
    """Submissions in a status, oldest first (the moderation queue)."""
    query = select(Submission).where(Submission.tenant == tenant, Submission.status == status)
    query = page(
        query, Submission.created_at, Submission.id, after, newest_first=False, limit=limit
    )
    return list((await session.execute(query)).scalars())
