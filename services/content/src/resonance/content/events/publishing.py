"""Turning items into the events other services consume (written through the outbox)."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.events.catalogue import Caption as CaptionPart
from resonance.common.events.catalogue import ContentPublished, ContentRetired
from resonance.common.outbox import Outbox
from resonance.content.domain.workflow import Status
from resonance.content.store.items import captions_of, targeting_of
from resonance.content.store.tables import Caption, ContentItem
from resonance.content.store.tenants import tenant_settings


def published_event(
    item: ContentItem, captions: list[Caption], disclosure: str | None
) -> ContentPublished:
    return ContentPublished(
        content_id=str(item.id),
        family=item.family,  # type: ignore[arg-type]
        category=item.category,
        format=item.format,  # type: ignore[arg-type]
        title=item.title,
        body=item.body,
        url=item.url,
        canonical_url=item.canonical_url,
        image_url=item.image_url,
        preview_title=item.preview_title,
        preview_description=item.preview_description,
        language=item.language,
        brand=item.brand,
        tags=list(item.tags),
        captions=[
            CaptionPart(network=c.network, language=c.language, text=c.text) for c in captions
        ],
        targeting=targeting_of(item),
        campaign_id=str(item.campaign_id) if item.campaign_id else None,
        publish_at=item.feed_at,
        expires_at=item.expires_at,
        pinned=item.pinned,
        must_read=item.must_read,
        submitted_by=item.submitted_by,
        disclosure=disclosure,
        published_at=item.published_at,
    )


async def publish(session: AsyncSession, outbox: Outbox, item: ContentItem, now: datetime) -> None:
    """Makes the item live now (its window may start later) and announces it."""
    item.status = Status.PUBLISHED
    item.published_at = now
    item.feed_at = item.publish_at if item.publish_at and item.publish_at > now else now
    item.updated_at = now
    await session.flush()
    settings = await tenant_settings(session, item.tenant)
    captions = (await captions_of(session, [item.id])).get(item.id, [])
    await outbox.add(
        session, item.tenant, published_event(item, captions, settings.disclosure_text)
    )


async def announce_retired(
    session: AsyncSession, outbox: Outbox, item: ContentItem, reason: str
) -> None:
    await outbox.add(
        session,
        item.tenant,
        ContentRetired(content_id=str(item.id), reason=reason),  # type: ignore[arg-type]
    )
