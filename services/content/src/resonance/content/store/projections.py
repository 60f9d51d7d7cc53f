"""The local projections of other services' data: ambassadors (targeting, login subject) and
their shares. Queries and writes only; service/projections.py decides what to apply."""

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.store.tables import (
    AmbassadorView,
    ContentItem,
    ErasedAmbassador,
    ShareView,
    Submission,
)


async def ambassador_for_update(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> AmbassadorView | None:
    return (
        await session.execute(
            select(AmbassadorView)
            .where(AmbassadorView.tenant == tenant, AmbassadorView.ambassador_id == ambassador_id)
            .with_for_update()
        )
    ).scalar_one_or_none()


async def move_authorship(session: AsyncSession, tenant: str, old: str, new: str) -> None:
    """Submissions and submitted items recorded under `old` now belong to `new`."""
    await session.execute(
        update(Submission)
        .where(Submission.tenant == tenant, Submission.ambassador_id == old)
        .values(ambassador_id=new)
    )
    await session.execute(
        update(ContentItem)
        .where(ContentItem.tenant == tenant, ContentItem.submitted_by == old)
        .values(submitted_by=new)
    )


async def delete_ambassador(session: AsyncSession, tenant: str, ambassador_id: str) -> str | None:
    """Deletes the projected person; returns the login subject they had, if any."""
    return (
        await session.execute(
            delete(AmbassadorView)
            .where(AmbassadorView.tenant == tenant, AmbassadorView.ambassador_id == ambassador_id)
            .returning(AmbassadorView.login_subject)
        )
    ).scalar_one_or_none()


async def forget_people(session: AsyncSession, tenant: str, who: list[str]) -> None:
    """Deletes the shares and unpublished submissions of the people named `who`, and removes
    their name (and notes) from what was published."""
    await session.execute(
        delete(ShareView).where(
            ShareView.tenant == tenant,
            ShareView.ambassador_id.in_(who),
        )
    )
    await session.execute(
        delete(Submission).where(
            Submission.tenant == tenant,
            Submission.ambassador_id.in_(who),
            Submission.status != "approved",
        )
    )
    await session.execute(
        update(Submission)
        .where(
            Submission.tenant == tenant,
            Submission.ambassador_id.in_(who),
        )
        .values(ambassador_id=None, note=None)
    )
    await session.execute(
        update(ContentItem)
        .where(
            ContentItem.tenant == tenant,
            ContentItem.submitted_by.in_(who),
        )
        .values(submitted_by=None)
    )


async def add_share(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    content_id: uuid.UUID,
    shared_at: datetime,
) -> None:
    """Records a share once (a redelivered share.made changes nothing)."""
    await session.execute(
        insert(ShareView)
        .values(
            tenant=tenant,
            ambassador_id=ambassador_id,
            content_id=content_id,
            shared_at=shared_at,
        )
        .on_conflict_do_nothing()
    )


async def erased_at(session: AsyncSession, tenant: str, key: str) -> datetime | None:
    """When the person with this erasure key was erased, if they were."""
    return (
        await session.execute(
            select(ErasedAmbassador.erased_at).where(
                ErasedAmbassador.tenant == tenant,
                ErasedAmbassador.ambassador_key == key,
            )
        )
    ).scalar_one_or_none()


async def add_tombstone(session: AsyncSession, tenant: str, key: str, at: datetime) -> None:
    """Records the erasure (the latest one wins when a person is erased twice)."""
    stmt = insert(ErasedAmbassador).values(tenant=tenant, ambassador_key=key, erased_at=at)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant", "ambassador_key"],
            set_={"erased_at": func.greatest(ErasedAmbassador.erased_at, stmt.excluded.erased_at)},
        )
    )
