"""Key figures of a tenant's programme about people: participation, retention,
concentration, the most active people; and the live published count."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from resonance.metrics.api import kpi_views
from resonance.metrics.api.deps import AnyMember, Period, ProgrammeManager, Rt, SegmentFilter
from resonance.metrics.api.schemas_kpis import (
    ConcentrationOut,
    CurveOut,
    ParticipationOut,
    RetentionOut,
    TopPeopleOut,
)
from resonance.metrics.api.views import period_out
from resonance.metrics.service import kpis_people, published

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])


class PublishedCount(BaseModel):
    tenant: str
    published_items: int
    by_family: dict[str, int]


@router.get(
    "/published",
    response_model=PublishedCount,
    summary="Content items live now (published and not retired), by family",
)
async def published_count(principal: AnyMember, rt: Rt) -> PublishedCount:
    async with rt.unit_of_work() as uow:
        by_family = await published.live_by_family(uow, principal.tenant)
    return PublishedCount(
        tenant=principal.tenant, published_items=sum(by_family.values()), by_family=by_family
    )


@router.get(
    "/participation",
    response_model=ParticipationOut,
    summary="Participation, activation, targeted engagement and active rate",
)
async def participation(
    principal: ProgrammeManager, rt: Rt, period: Period, segment: SegmentFilter
) -> ParticipationOut:
    async with rt.unit_of_work() as uow:
        p = await kpis_people.participation(uow, principal, period, segment)
    c = p.counts
    return ParticipationOut(
        period=period_out(p.period),
        enrolled=c.enrolled,
        sharers=c.sharers,
        active=c.active,
        connected=c.connected,
        targeted=c.targeted,
        engaged=c.engaged,
        participation=p.participation,
        activation=p.activation,
        targeted_engagement=p.targeted_engagement,
        active_rate=p.active_rate,
    )


@router.get(
    "/retention",
    response_model=RetentionOut,
    summary="Retention curves per month of enrolment (cohorts enrolled in the period)",
)
async def retention(
    principal: ProgrammeManager,
    rt: Rt,
    period: Period,
    segment: SegmentFilter,
    weeks: Annotated[int, Query(ge=1, le=52)] = 12,
) -> RetentionOut:
    async with rt.unit_of_work() as uow:
        r = await kpis_people.retention(uow, principal, period, segment, weeks)
    return RetentionOut(
        period=period_out(r.period),
        weeks=r.weeks,
        curves=[CurveOut(cohort=c.cohort, size=c.size, points=list(c.points)) for c in r.curves],
    )


@router.get(
    "/concentration",
    response_model=ConcentrationOut,
    summary="Share of contributions by the top 5 % of enrolled people, and the Gini index",
)
async def concentration(
    principal: ProgrammeManager, rt: Rt, period: Period, segment: SegmentFilter
) -> ConcentrationOut:
    async with rt.unit_of_work() as uow:
        c = await kpis_people.concentration(uow, principal, period, segment)
    return ConcentrationOut(
        period=period_out(c.period),
        people=c.people,
        contributions=c.contributions,
        top_people=c.top.people,
        top_contributions=c.top.contributions,
        top_share=c.top.share,
        gini=c.gini,
    )


@router.get(
    "/top-ambassadors",
    response_model=TopPeopleOut,
    summary="Most active people (those hidden by their privacy choice never appear)",
)
async def top_ambassadors(
    principal: ProgrammeManager,
    rt: Rt,
    period: Period,
    segment: SegmentFilter,
    by: Literal["shares", "contributions", "clicks", "points"] = "shares",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> TopPeopleOut:
    async with rt.unit_of_work() as uow:
        window, people = await kpis_people.top_people(uow, principal, period, segment, by, limit)
    return TopPeopleOut(period=period_out(window), people=[kpi_views.person(p) for p in people])
