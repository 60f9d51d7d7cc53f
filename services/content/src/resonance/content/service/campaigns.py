"""Campaigns: a named set of items with a window, a goal and a brand. Launching one
publishes (or schedules) its approved items and emits campaign.launched."""

import uuid
from dataclasses import dataclass

from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.events.catalogue import CampaignLaunched, Targeting
from resonance.content.api.schemas_campaigns import CampaignIn
from resonance.content.domain.campaigns import check_launchable, launch_publish_at
from resonance.content.domain.cursor import ListPosition, next_cursor
from resonance.content.domain.targeting import normalise
from resonance.content.domain.workflow import Action, Status
from resonance.content.service import Paged, Uow, workflow
from resonance.content.store.campaigns import campaigns_of, get_campaign
from resonance.content.store.items import ids_in_campaign, in_campaign_with_status
from resonance.content.store.tables import Campaign


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    content_ids: list[str]


async def create_campaign(uow: Uow, principal: Principal, body: CampaignIn) -> CampaignView:
    row = Campaign(
        tenant=principal.tenant,
        name=body.name,
        description=body.description,
        brand=body.brand,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        goal_metric=body.goal_metric,
        goal_value=body.goal_value,
        exclusive=body.exclusive,
        mirror_post_urls=[str(u) for u in body.mirror_post_urls],
        targeting=normalise(body.targeting).model_dump(),
        created_by=principal.subject,
    )
    uow.session.add(row)
    return CampaignView(row, [])


async def list_campaigns(
    uow: Uow, principal: Principal, cursor: str | None, limit: int
) -> Paged[CampaignView]:
    after = ListPosition.decode(cursor) if cursor else None
    found = await campaigns_of(uow.session, principal.tenant, after, limit + 1)
    rows = found[:limit]
    return Paged(
        [CampaignView(c, await ids_in_campaign(uow.session, c.id)) for c in rows],
        next_cursor(found, limit, lambda c: ListPosition(c.created_at, c.id)),
    )


async def read_campaign(uow: Uow, principal: Principal, campaign_id: uuid.UUID) -> CampaignView:
    row = await _campaign(uow, principal, campaign_id)
    return CampaignView(row, await ids_in_campaign(uow.session, row.id))


async def launch_campaign(uow: Uow, principal: Principal, campaign_id: uuid.UUID) -> CampaignView:
    now = uow.now()
    row = await _campaign(uow, principal, campaign_id, for_update=True)
    check_launchable(row.status, row.ends_at, now)
    by = workflow.actor(principal)
    approved = await in_campaign_with_status(uow.session, principal.tenant, row.id, Status.APPROVED)
    for item in approved:
        item.publish_at = launch_publish_at(item.publish_at, row.starts_at, now)
        # The launch publishes whatever each item's own window says: the scheduler expires
        # an item whose window is already over.
        await workflow.change(
            uow, item, Action.PUBLISH, by, respect_window=False, campaign=str(row.id)
        )
    row.status = "launched"
    row.launched_at = now
    row.launched_by = principal.subject
    content_ids = await ids_in_campaign(uow.session, row.id)
    await uow.emit(
        principal.tenant,
        CampaignLaunched(
            campaign_id=str(row.id),
            name=row.name,
            brand=row.brand,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            goal_metric=row.goal_metric,
            goal_value=row.goal_value,
            content_ids=content_ids,
            exclusive=row.exclusive,
            mirror_of_post_urls=list(row.mirror_post_urls),
            targeting=Targeting(**row.targeting),
        ),
    )
    return CampaignView(row, content_ids)


async def _campaign(
    uow: Uow, principal: Principal, campaign_id: uuid.UUID, *, for_update: bool = False
) -> Campaign:
    row = await get_campaign(uow.session, principal.tenant, campaign_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    return row
