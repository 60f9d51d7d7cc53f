"""Handlers for the content service's events."""

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec
from resonance.common.events import Envelope
from resonance.common.events.catalogue import ContentPublished
from resonance.metrics.store.published import record_published


async def on_content_published(
    session: AsyncSession, event: ContentPublished, envelope: Envelope
) -> None:
    await record_published(
        session, envelope.tenant, event.content_id, event.family, event.publish_at or envelope.time
    )


CONSUMER = ConsumerSpec("metrics.content", {ContentPublished: on_content_published})
