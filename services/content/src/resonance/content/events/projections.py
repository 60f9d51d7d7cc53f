"""Local projections built from other services' events: ambassadors (for targeting) and
what each of them already shared (for the feed). No call to another service is ever made."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec
from resonance.common.events import Envelope
from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorLeft,
    AmbassadorProfile,
    AmbassadorUpdated,
    ShareMade,
)
from resonance.content.store.tables import AmbassadorView, ContentItem, ShareView, Submission


async def _existing(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> AmbassadorView | None:
    return (
        await session.execute(
            select(AmbassadorView)
            .where(AmbassadorView.tenant == tenant, AmbassadorView.ambassador_id == ambassador_id)
            .with_for_update()
        )
    ).scalar_one_or_none()


def _apply_profile(row: AmbassadorView, profile: AmbassadorProfile) -> None:
    row.brand = profile.brand
    row.entity = profile.entity
    row.job_family = profile.job_family
    row.site = profile.site
    row.country = profile.country
    row.worker_type = profile.worker_type
    row.languages = sorted(set(profile.languages))
    if profile.programmes:
        row.programmes = sorted(set(profile.programmes))


async def _link_login(session: AsyncSession, row: AmbassadorView, subject: str | None) -> None:
    """Records the person's login subject. Older producers do not send it: an absent one
    keeps what is known. What the person submitted before this service knew the link was
    recorded under their subject (store/callers.py): it now moves to their ambassador_id."""
    if not subject or subject == row.login_subject:
        return
    row.login_subject = subject
    if subject == row.ambassador_id:
        return
    await session.execute(
        update(Submission)
        .where(Submission.tenant == row.tenant, Submission.ambassador_id == subject)
        .values(ambassador_id=row.ambassador_id)
    )
    await session.execute(
        update(ContentItem)
        .where(ContentItem.tenant == row.tenant, ContentItem.submitted_by == subject)
        .values(submitted_by=row.ambassador_id)
    )


async def on_enrolled(session: AsyncSession, event: AmbassadorEnrolled, envelope: Envelope) -> None:
    row = await _existing(session, envelope.tenant, event.ambassador_id)
    if row is None:
        row = AmbassadorView(tenant=envelope.tenant, ambassador_id=event.ambassador_id)
        session.add(row)
    _apply_profile(row, event.profile)
    await _link_login(session, row, event.login_subject)
    row.programmes = sorted({*row.programmes, event.programme_id})
    row.active = True
    row.updated_at = datetime.now(UTC)


async def on_updated(session: AsyncSession, event: AmbassadorUpdated, envelope: Envelope) -> None:
    row = await _existing(session, envelope.tenant, event.ambassador_id)
    if row is None:
        row = AmbassadorView(tenant=envelope.tenant, ambassador_id=event.ambassador_id)
        session.add(row)
    _apply_profile(row, event.profile)
    await _link_login(session, row, event.login_subject)
    row.active = event.active
    row.updated_at = datetime.now(UTC)


async def on_left(session: AsyncSession, event: AmbassadorLeft, envelope: Envelope) -> None:
    row = await _existing(session, envelope.tenant, event.ambassador_id)
    if row is None:
        return
    if event.programme_id is not None and event.reason != "leaver":
        row.programmes = [p for p in row.programmes if p != event.programme_id]
        row.active = bool(row.programmes)
    else:
        row.active = False
    row.updated_at = datetime.now(UTC)


async def on_erased(session: AsyncSession, event: AmbassadorErased, envelope: Envelope) -> None:
    """Purges what this service holds about the person: profile (with its login subject),
    shares, submissions not published; published submissions stay as company content
    without their author. Submissions made before the projection knew the person's login
    subject were recorded under that subject: they go too."""
    tenant = envelope.tenant
    login_subject = (
        await session.execute(
            delete(AmbassadorView)
            .where(
                AmbassadorView.tenant == tenant,
                AmbassadorView.ambassador_id == event.ambassador_id,
            )
            .returning(AmbassadorView.login_subject)
        )
    ).scalar_one_or_none()
    who = [event.ambassador_id] + ([login_subject] if login_subject else [])
    await session.execute(
        delete(ShareView).where(
            ShareView.tenant == tenant,
            ShareView.ambassador_id.in_(who),  # type: ignore[attr-defined]
        )
    )
    await session.execute(
        delete(Submission).where(
            Submission.tenant == tenant,
            Submission.ambassador_id.in_(who),  # type: ignore[union-attr]
            Submission.status != "approved",
        )
    )
    await session.execute(
        update(Submission)
        .where(
            Submission.tenant == tenant,
            Submission.ambassador_id.in_(who),  # type: ignore[union-attr]
        )
        .values(ambassador_id=None, note=None)
    )
    await session.execute(
        update(ContentItem)
        .where(
            ContentItem.tenant == tenant,
            ContentItem.submitted_by.in_(who),  # type: ignore[union-attr]
        )
        .values(submitted_by=None)
    )


async def on_share_made(session: AsyncSession, event: ShareMade, envelope: Envelope) -> None:
    if event.content_id is None:
        return  # the ambassador's own post: nothing of ours to hide
    try:
        content_id = uuid.UUID(event.content_id)
    except ValueError:
        return  # not one of our items
    await session.execute(
        insert(ShareView)
        .values(
            tenant=envelope.tenant,
            ambassador_id=event.ambassador_id,
            content_id=content_id,
            shared_at=event.shared_at,
        )
        .on_conflict_do_nothing()
    )


CONSUMER = ConsumerSpec(
    "content.projections",
    {
        AmbassadorEnrolled: on_enrolled,
        AmbassadorUpdated: on_updated,
        AmbassadorLeft: on_left,
        AmbassadorErased: on_erased,
        ShareMade: on_share_made,
    },
)
