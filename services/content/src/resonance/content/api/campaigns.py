"""Campaigns: a named set of items with a window, a goal and a brand; launching one publishes
its approved items and emits campaign.launched."""

import uuid

from fastapi import APIRouter, Query, status

from resonance.common.api_paging import CURSOR_DOC, Page
from resonance.common.events.catalogue import Targeting
from resonance.content.api.deps import NO_NUL, Editor, Rt
from resonance.content.api.schemas_campaigns import CampaignIn, CampaignOut
from resonance.content.service import campaigns
from resonance.content.service.campaigns import CampaignView

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"], dependencies=NO_NUL)

NOT_FOUND = {"description": "No such campaign"}


def _out(view: CampaignView) -> CampaignOut:
    c = view.campaign
    return CampaignOut(
        id=str(c.id),
        name=c.name,
        description=c.description,
        brand=c.brand,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        goal_metric=c.goal_metric,
        goal_value=c.goal_value,
        exclusive=c.exclusive,
        mirror_post_urls=list(c.mirror_post_urls),
        targeting=Targeting(**c.targeting),
        status=c.status,
        launched_at=c.launched_at,
        content_ids=view.content_ids,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CampaignOut,
    summary="Create a campaign (items join it with their campaign_id)",
)
async def create_campaign(body: CampaignIn, principal: Editor, rt: Rt) -> CampaignOut:
    async with rt.unit_of_work() as uow:
        view = await campaigns.create_campaign(uow, principal, body)
    return _out(view)


@router.get("", response_model=Page[CampaignOut], summary="The tenant's campaigns, newest first")
async def list_campaigns(
    principal: Editor,
    rt: Rt,
    cursor: str | None = Query(default=None, max_length=200, description=CURSOR_DOC),
    limit: int = Query(default=50, ge=1, le=200),
) -> Page[CampaignOut]:
    async with rt.unit_of_work() as uow:
        page = await campaigns.list_campaigns(uow, principal, cursor, limit)
    return Page(items=[_out(v) for v in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/{campaign_id}",
    response_model=CampaignOut,
    summary="Read one campaign",
    responses={404: NOT_FOUND},
)
async def read_campaign(campaign_id: uuid.UUID, principal: Editor, rt: Rt) -> CampaignOut:
    async with rt.unit_of_work() as uow:
        view = await campaigns.read_campaign(uow, principal, campaign_id)
    return _out(view)


@router.post(
    "/{campaign_id}/launch",
    response_model=CampaignOut,
    summary="Launch: publishes the campaign's approved items and emits campaign.launched",
    responses={404: NOT_FOUND, 409: {"description": "Already launched"}},
)
async def launch_campaign(campaign_id: uuid.UUID, principal: Editor, rt: Rt) -> CampaignOut:
    async with rt.unit_of_work() as uow:
        view = await campaigns.launch_campaign(uow, principal, campaign_id)
    return _out(view)
