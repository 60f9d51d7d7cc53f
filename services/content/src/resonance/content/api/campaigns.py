"""Campaigns: a named set of items with a window, a goal and a brand; launching one publishes
its approved items and emits campaign.launched."""

import uuid
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field, HttpUrl, model_validator
from sqlalchemy import select

from resonance.common.auth import Principal
from resonance.common.errors import Problem
from resonance.common.events.catalogue import CampaignLaunched, Targeting
from resonance.common.service import Runtime, runtime_of
from resonance.content.api.checks import NO_NUL, writer
from resonance.content.domain.targeting import normalise
from resonance.content.domain.workflow import Status
from resonance.content.events.publishing import publish
from resonance.content.store.items import record
from resonance.content.store.tables import Campaign, ContentItem

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"], dependencies=NO_NUL)


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    brand: str | None = Field(default=None, max_length=100)
    starts_at: datetime
    ends_at: datetime | None = None
    goal_metric: Literal["shares", "reach", "clicks"] | None = None
    goal_value: int | None = Field(default=None, ge=1, le=2_000_000_000)
    exclusive: bool = Field(default=False, description="An operation reserved to ambassadors")
    mirror_post_urls: list[HttpUrl] = Field(
        default_factory=list,
        max_length=20,
        description="The company's official posts this campaign amplifies (mirror campaign)",
    )
    targeting: Targeting = Field(default_factory=Targeting)

    @model_validator(mode="after")
    def _window(self) -> "CampaignIn":
        for value in (self.starts_at, self.ends_at):
            if value is not None and value.tzinfo is None:
                raise ValueError("dates need a timezone")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.goal_metric is None) != (self.goal_value is None):
            raise ValueError("goal_metric and goal_value go together")
        return self

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Lyon tech fair",
                    "brand": "acme",
                    "starts_at": "2026-12-01T08:00:00Z",
                    "ends_at": "2026-12-08T18:00:00Z",
                    "goal_metric": "shares",
                    "goal_value": 500,
                    "mirror_post_urls": ["https://www.linkedin.com/feed/update/urn:li:activity:1"],
                    "targeting": {"countries": ["FR"]},
                }
            ]
        }
    }


class CampaignOut(CampaignIn):
    id: str
    status: Literal["draft", "launched"]
    launched_at: datetime | None
    content_ids: list[str]


async def _content_ids(session, campaign_id: uuid.UUID) -> list[str]:  # type: ignore[no-untyped-def]
    rows = await session.execute(
        select(ContentItem.id)
        .where(ContentItem.campaign_id == campaign_id)
        .order_by(ContentItem.created_at)
    )
    return [str(r) for r in rows.scalars()]


def _out(c: Campaign, content_ids: list[str]) -> CampaignOut:
    return CampaignOut(
        id=str(c.id),
        name=c.name,
        description=c.description,
        brand=c.brand,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        goal_metric=c.goal_metric,  # type: ignore[arg-type]
        goal_value=c.goal_value,
        exclusive=c.exclusive,
        mirror_post_urls=list(c.mirror_post_urls),  # type: ignore[arg-type]
        targeting=Targeting(**c.targeting),
        status=c.status,  # type: ignore[arg-type]
        launched_at=c.launched_at,
        content_ids=content_ids,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CampaignOut,
    summary="Create a campaign (items join it with their campaign_id)",
)
async def create_campaign(
    body: CampaignIn,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> CampaignOut:
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
    async with runtime.db.transaction() as session:
        session.add(row)
    return _out(row, [])


@router.get("", response_model=list[CampaignOut], summary="The tenant's campaigns, newest first")
async def list_campaigns(
    principal: Principal = Depends(writer), runtime: Runtime = Depends(runtime_of)
) -> list[CampaignOut]:
    async with runtime.db.session() as session:
        rows = list(
            (
                await session.execute(
                    select(Campaign)
                    .where(Campaign.tenant == principal.tenant)
                    .order_by(Campaign.created_at.desc())  # type: ignore[attr-defined]
                    .limit(200)
                )
            ).scalars()
        )
        return [_out(c, await _content_ids(session, c.id)) for c in rows]


async def _campaign(session, principal: Principal, campaign_id: uuid.UUID) -> Campaign:  # type: ignore[no-untyped-def]
    row = (
        await session.execute(
            select(Campaign)
            .where(Campaign.tenant == principal.tenant, Campaign.id == campaign_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise Problem(404, "Not Found", f"no campaign {campaign_id}")
    return row


@router.get(
    "/{campaign_id}",
    response_model=CampaignOut,
    summary="Read one campaign",
    responses={404: {"description": "No such campaign"}},
)
async def read_campaign(
    campaign_id: uuid.UUID,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> CampaignOut:
    async with runtime.db.session() as session:
        row = await _campaign(session, principal, campaign_id)
        return _out(row, await _content_ids(session, row.id))


@router.post(
    "/{campaign_id}/launch",
    response_model=CampaignOut,
    summary="Launch: publishes the campaign's approved items and emits campaign.launched",
    responses={404: {"description": "No such campaign"}, 409: {"description": "Already launched"}},
)
async def launch_campaign(
    campaign_id: uuid.UUID,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> CampaignOut:
    now = datetime.now(UTC)
    async with runtime.db.transaction() as session:
        row = await _campaign(session, principal, campaign_id)
        if row.status == "launched":
            raise Problem(
                409,
                "Already launched",
                "this campaign was already launched",
                type_="https://resonance.dev/problems/invalid-transition",
            )
        if row.ends_at is not None and row.ends_at <= now:
            raise Problem(409, "Campaign over", "the campaign's end is already past")
        approved = (
            await session.execute(
                select(ContentItem)
                .where(
                    ContentItem.tenant == principal.tenant,
                    ContentItem.campaign_id == row.id,
                    ContentItem.status == Status.APPROVED,
                )
                .with_for_update()
            )
        ).scalars()
        for item in approved:
            if item.publish_at is None or item.publish_at < row.starts_at:
                item.publish_at = row.starts_at if row.starts_at > now else None
            if item.publish_at is not None and item.publish_at > now:
                item.status = Status.SCHEDULED
                record(
                    session,
                    item,
                    principal.subject,
                    "schedule",
                    Status.APPROVED,
                    now,
                    campaign=str(row.id),
                )
            else:
                await publish(session, runtime.outbox, item, now)
                record(
                    session,
                    item,
                    principal.subject,
                    "publish",
                    Status.APPROVED,
                    now,
                    campaign=str(row.id),
                )
        row.status = "launched"
        row.launched_at = now
        row.launched_by = principal.subject
        content_ids = await _content_ids(session, row.id)
        await runtime.outbox.add(
            session,
            principal.tenant,
            CampaignLaunched(
                campaign_id=str(row.id),
                name=row.name,
                brand=row.brand,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                goal_metric=row.goal_metric,  # type: ignore[arg-type]
                goal_value=row.goal_value,
                content_ids=content_ids,
                exclusive=row.exclusive,
                mirror_of_post_urls=list(row.mirror_post_urls),
                targeting=Targeting(**row.targeting),
            ),
        )
    return _out(row, content_ids)
