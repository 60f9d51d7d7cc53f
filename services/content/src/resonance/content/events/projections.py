"""The content service's consumer: other services' events applied to the local projections
(service/projections.py). No call to another service is ever made.

Each handler runs inside the consumer's transaction (`session`) and must keep every effect
in it: the runner commits the inbox claim, the effects and then the Kafka offset as one.
`runtime.bind(session)` hands that transaction to the service functions as a unit of work.
"""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec
from resonance.common.events import Envelope
from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorLeft,
    AmbassadorUpdated,
    ShareMade,
)
from resonance.common.service import Runtime
from resonance.content.service import projections
from resonance.content.settings import ContentSettings


def _time(envelope: Envelope) -> datetime:
    """When the event was written (a producer's naive time is read as UTC): its version."""
    at = envelope.time
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def consumers(runtime: Runtime[ContentSettings]) -> list[ConsumerSpec]:
    async def on_enrolled(
        session: AsyncSession, event: AmbassadorEnrolled, envelope: Envelope
    ) -> None:
        await projections.enrol(runtime.bind(session), envelope.tenant, event, _time(envelope))

    async def on_updated(
        session: AsyncSession, event: AmbassadorUpdated, envelope: Envelope
    ) -> None:
        await projections.update(runtime.bind(session), envelope.tenant, event, _time(envelope))

    async def on_left(session: AsyncSession, event: AmbassadorLeft, envelope: Envelope) -> None:
        await projections.leave(runtime.bind(session), envelope.tenant, event, _time(envelope))

    async def on_erased(session: AsyncSession, event: AmbassadorErased, envelope: Envelope) -> None:
        await projections.erase(runtime.bind(session), envelope.tenant, event, _time(envelope))

    async def on_share_made(session: AsyncSession, event: ShareMade, envelope: Envelope) -> None:
        await projections.record_share(
            runtime.bind(session), envelope.tenant, event, _time(envelope)
        )

    return [
        ConsumerSpec(
            "content.projections",
            {
                AmbassadorEnrolled: on_enrolled,
                AmbassadorUpdated: on_updated,
                AmbassadorLeft: on_left,
                AmbassadorErased: on_erased,
                ShareMade: on_share_made,
            },
        )
    ]
