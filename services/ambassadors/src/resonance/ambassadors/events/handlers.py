"""What this service consumes: HR facts (the third door) and activity that moves stages.

Each handler runs inside the consumer's transaction (the inbox claim, the effects and the
outbox rows commit together): it hands that session to one use case through
`runtime.bind(session)` and keeps every effect in it.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.service import intake, stages
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.common.consumer import ConsumerSpec
from resonance.common.events.catalogue import ContentPublished, HrEmployee, ShareMade
from resonance.common.events.envelope import Envelope
from resonance.common.service import Runtime

CONSUMER_NAME = "ambassadors"


def build_consumers(runtime: Runtime[AmbassadorsSettings]) -> list[ConsumerSpec]:
    async def on_hr_employee(session: AsyncSession, event: HrEmployee, envelope: Envelope) -> None:
        await intake.apply_hr_event(runtime.bind(session), envelope.tenant, event, envelope.time)

    async def on_share_made(session: AsyncSession, event: ShareMade, envelope: Envelope) -> None:
        await stages.record_share_made(runtime.bind(session), envelope.tenant, event)

    async def on_content_published(
        session: AsyncSession, event: ContentPublished, envelope: Envelope
    ) -> None:
        await stages.record_publication(runtime.bind(session), envelope.tenant, event)

    return [
        ConsumerSpec(
            CONSUMER_NAME,
            {
                HrEmployee: on_hr_employee,
                ShareMade: on_share_made,
                ContentPublished: on_content_published,
            },
        )
    ]
