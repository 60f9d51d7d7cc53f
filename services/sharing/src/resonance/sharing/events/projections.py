"""What the sharing service keeps of other services' events (content items, campaigns,
ambassadors), so a share is checked without calling anyone; and our own share.made, which
starts a post's reach schedule.

Every handler keeps its effects in the consumer's session (`runtime.bind(session)`): the
runner commits them with the inbox record, then the Kafka offset. The envelope's time orders
events of one entity: an older one never overwrites newer state (service/projection_rules).
"""

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec
from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorLeft,
    AmbassadorUpdated,
    CampaignLaunched,
    ContentPublished,
    ContentRetired,
    ShareMade,
)
from resonance.common.events.envelope import Envelope
from resonance.common.service import Runtime
from resonance.sharing.service import autoshare, connections, projections, reach
from resonance.sharing.service.networks import networks_of
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import views

CONSUMER_NAME = "sharing.projections"


def build_consumers(runtime: Runtime[SharingSettings]) -> list[ConsumerSpec]:
    async def on_content_published(
        session: AsyncSession, event: ContentPublished, envelope: Envelope
    ) -> None:
        uow = runtime.bind(session)
        await projections.content_published(uow, envelope.tenant, event, envelope.time)
        if event.campaign_id is None:
            return
        # The launch may have been applied before this item arrived (another topic).
        campaign = await views.campaign(session, envelope.tenant, event.campaign_id)
        if campaign is not None and event.content_id in campaign.content_ids:
            await autoshare.plan_campaign(uow, campaign, only_content=[event.content_id])

    async def on_content_retired(
        session: AsyncSession, event: ContentRetired, envelope: Envelope
    ) -> None:
        await projections.content_retired(
            runtime.bind(session), envelope.tenant, event, envelope.time
        )

    async def on_campaign_launched(
        session: AsyncSession, event: CampaignLaunched, envelope: Envelope
    ) -> None:
        uow = runtime.bind(session)
        campaign = await projections.campaign_launched(uow, envelope.tenant, event, envelope.time)
        if campaign is not None:
            await autoshare.plan_campaign(uow, campaign)

    async def on_enrolled(
        session: AsyncSession, event: AmbassadorEnrolled, envelope: Envelope
    ) -> None:
        await projections.ambassador_enrolled(
            runtime.bind(session), envelope.tenant, event, envelope.time
        )

    async def on_updated(
        session: AsyncSession, event: AmbassadorUpdated, envelope: Envelope
    ) -> None:
        await projections.ambassador_updated(
            runtime.bind(session), envelope.tenant, event, envelope.time
        )

    async def on_left(session: AsyncSession, event: AmbassadorLeft, envelope: Envelope) -> None:
        await projections.ambassador_left(
            runtime.bind(session), envelope.tenant, event, envelope.time
        )

    async def on_erased(session: AsyncSession, event: AmbassadorErased, envelope: Envelope) -> None:
        uow = runtime.bind(session)
        await projections.ambassador_erased(
            uow, envelope.tenant, event.ambassador_id, envelope.time
        )
        # Their accounts: grants revoked at the networks, tokens and account details deleted.
        await connections.erase(uow, networks_of(runtime), envelope.tenant, event.ambassador_id)

    async def on_share_made(session: AsyncSession, event: ShareMade, envelope: Envelope) -> None:
        await reach.share_made(runtime.bind(session), envelope.tenant, event)

    return [
        ConsumerSpec(
            CONSUMER_NAME,
            {
                ContentPublished: on_content_published,
                ContentRetired: on_content_retired,
                CampaignLaunched: on_campaign_launched,
                AmbassadorEnrolled: on_enrolled,
                AmbassadorUpdated: on_updated,
                AmbassadorLeft: on_left,
                AmbassadorErased: on_erased,
                ShareMade: on_share_made,
            },
        )
    ]
