"""Queries behind a person's data export: everything this service keeps about one
ambassador, each list newest first and at most `limit` rows."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.store.tables import AmbassadorView, ContentItem, ShareView, Submission


async def projected_person(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> AmbassadorView | None:
    return (
        await session.execute(
            select(AmbassadorView).where(
                AmbassadorView.tenant == tenant, AmbassadorView.ambassador_id == ambassador_id
            )
        )
    ).scalar_one_or_none()


async def submissions_by(
    session: AsyncSession, tenant: str, who: list[str], limit: int
) -> list[Submission]:
    """Submissions recorded under any of the person's names (their id, or their login subject
    for those made before this service knew the link)."""
    query = (
        select(Submission)
        .where(Submission.tenant == tenant, Submission.ambassador_id.in_(who))
        .order_by(Submission.created_at.desc(), Submission.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def items_submitted_by(
    session: AsyncSession, tenant: str, who: list[str], limit: int
) -> list[Any]:
    """The items published from the person's submissions (the facts naming them as author)."""
    query = (
        select(
            ContentItem.id,
            ContentItem.submission_id,
            ContentItem.title,
            ContentItem.status,
            ContentItem.created_at,
            ContentItem.published_at,
            ContentItem.retired_at,
        )
        .where(ContentItem.tenant == tenant, ContentItem.submitted_by.in_(who))
        .order_by(ContentItem.created_at.desc(), ContentItem.id)
        .limit(limit)
    )
    return list((await session.execute(query)).mappings())


async def shares_by(
    session: AsyncSession, tenant: str, ambassador_id: str, limit: int
) -> list[ShareView]:
    query = (
        select(ShareView)
        .where(ShareView.tenant == tenant, ShareView.ambassador_id == ambassador_id)
        .order_by(ShareView.shared_at.desc(), ShareView.content_id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
