"""Key figures about content and reach (communicators may read them too)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from resonance.common.api_paging import INVALID_CURSOR, PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT
from resonance.metrics.api import kpi_views
from resonance.metrics.api.deps import ContentKpiReader, Period, Rt, SegmentFilter
from resonance.metrics.api.schemas_kpis import (
    CampaignPage,
    ContentMixOut,
    ConversionsOut,
    DailyOut,
    EchoOut,
    EmvOut,
    ItemEchoOut,
    NetworksOut,
    ReachOut,
    TopItemsOut,
)
from resonance.metrics.api.views import period_out
from resonance.metrics.service import kpis_content

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])
TopN = Annotated[int, Query(ge=1, le=100)]


@router.get("/content-mix", response_model=ContentMixOut, summary="Company vs market content")
async def content_mix(
    principal: ContentKpiReader, rt: Rt, period: Period, segment: SegmentFilter
) -> ContentMixOut:
    async with rt.unit_of_work() as uow:
        m = await kpis_content.content_mix(uow, principal, period, segment)
    return ContentMixOut(
        period=period_out(m.period),
        published=kpi_views.mix(m.published),
        shares=kpi_views.mix(m.shares),
    )


@router.get(
    "/reach",
    response_model=ReachOut,
    summary="Reach measured and estimated (apart), engagement rate, employee vs company reach",
)
async def reach(
    principal: ContentKpiReader, rt: Rt, period: Period, segment: SegmentFilter
) -> ReachOut:
    async with rt.unit_of_work() as uow:
        r = await kpis_content.reach(uow, principal, period, segment)
    t = r.totals
    return ReachOut(
        period=period_out(r.period),
        measured_impressions=t.impressions,
        measured_posts=t.measured_posts,
        estimated_impressions=t.estimated_impressions,
        estimated_posts=t.estimated_posts,
        engagement_rate=r.engagement_rate,
        company_reach=r.company_reach,
        employee_vs_company=r.employee_vs_company,
    )


@router.get(
    "/echo-chamber",
    response_model=EchoOut,
    summary="Clicks from inside the company, and unique visitors per click on shared items",
)
async def echo_chamber(
    principal: ContentKpiReader,
    rt: Rt,
    period: Period,
    segment: SegmentFilter,
    limit: TopN = 20,
) -> EchoOut:
    async with rt.unit_of_work() as uow:
        e = await kpis_content.echo_chamber(uow, principal, period, segment, limit)
    return EchoOut(
        period=period_out(e.period),
        clicks=e.clicks,
        internal_clicks=e.internal_clicks,
        internal_share=e.internal_share,
        items=[
            ItemEchoOut(
                content_id=i.content_id,
                sharers=i.sharers,
                clicks=i.clicks,
                unique_visitors=i.unique_visitors,
                unique_per_click=i.unique_per_click,
            )
            for i in e.items
        ],
    )


@router.get(
    "/emv",
    response_model=EmvOut,
    summary="Earned media value per network (tenant rates; documented defaults)",
)
async def emv(
    principal: ContentKpiReader, rt: Rt, period: Period, segment: SegmentFilter
) -> EmvOut:
    async with rt.unit_of_work() as uow:
        window, report = await kpis_content.emv(uow, principal, period, segment)
    return EmvOut(
        period=period_out(window),
        currency=report.currency,
        total=kpi_views.emv_value(report.total),
        by_network=[kpi_views.emv_value(v) for v in report.by_network],
    )


@router.get("/conversions", response_model=ConversionsOut, summary="Conversions from shares")
async def conversions(
    principal: ContentKpiReader, rt: Rt, period: Period, segment: SegmentFilter
) -> ConversionsOut:
    async with rt.unit_of_work() as uow:
        c = await kpis_content.conversions(uow, principal, period, segment)
    return ConversionsOut(
        period=period_out(c.period),
        conversions=c.totals.conversions,
        applications=c.totals.applications,
        leads=c.totals.leads,
        outside_clicks=c.outside_clicks,
        conversion_rate=c.conversion_rate,
        by_network=[kpi_views.network(n) for n in c.by_network],
    )


@router.get("/networks", response_model=NetworksOut, summary="Activity per network")
async def networks(
    principal: ContentKpiReader, rt: Rt, period: Period, segment: SegmentFilter
) -> NetworksOut:
    async with rt.unit_of_work() as uow:
        window, rows = await kpis_content.networks(uow, principal, period, segment)
    return NetworksOut(period=period_out(window), networks=[kpi_views.network(r) for r in rows])


@router.get("/daily", response_model=DailyOut, summary="Daily series for charts (every day)")
async def daily(
    principal: ContentKpiReader, rt: Rt, period: Period, segment: SegmentFilter
) -> DailyOut:
    async with rt.unit_of_work() as uow:
        window, rows = await kpis_content.daily(uow, principal, period, segment)
    return DailyOut(period=period_out(window), days=[kpi_views.day(r) for r in rows])


@router.get("/top-items", response_model=TopItemsOut, summary="Most shared (or clicked...) items")
async def top_items(
    principal: ContentKpiReader,
    rt: Rt,
    period: Period,
    segment: SegmentFilter,
    by: Literal["shares", "clicks", "impressions", "conversions"] = "shares",
    limit: TopN = 10,
) -> TopItemsOut:
    async with rt.unit_of_work() as uow:
        window, rows = await kpis_content.top_items(uow, principal, period, segment, by, limit)
    return TopItemsOut(period=period_out(window), items=[kpi_views.item(r) for r in rows])


@router.get(
    "/campaigns",
    response_model=CampaignPage,
    summary="Launched campaigns against their goal (shares, measured reach or clicks), "
    "newest first",
    responses=INVALID_CURSOR,
)
async def campaigns(
    principal: ContentKpiReader,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> CampaignPage:
    async with rt.unit_of_work() as uow:
        page = await kpis_content.campaigns(uow, principal, limit, cursor)
    return CampaignPage(
        items=[kpi_views.campaign(r) for r in page.rows], next_cursor=page.next_cursor
    )
