"""KPIs about content and reach: mix, reach measured vs estimated, employee vs company reach,
engagement, echo chamber, EMV, conversions, networks, daily series, top items, campaigns."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from resonance.common.auth import Principal
from resonance.common.paging import Paged, after, paged
from resonance.metrics.domain import kpis
from resonance.metrics.domain.emv import EmvReport, NetworkActivity, earned_media_value
from resonance.metrics.domain.kpis import CampaignProgress, CampaignTotals, ContentMix
from resonance.metrics.domain.periods import Period
from resonance.metrics.domain.reach import (
    Engagement,
    ItemEcho,
    employee_vs_company_reach,
    engagement_rate,
    internal_click_share,
    item_echo,
)
from resonance.metrics.domain.segments import Segment
from resonance.metrics.domain.windows import PeriodRequest
from resonance.metrics.service import Uow
from resonance.metrics.service.scope import resolve_scope, today
from resonance.metrics.store import kpi_activity
from resonance.metrics.store import settings as settings_store
from resonance.metrics.store.kpi_activity import Totals
from resonance.metrics.store.tables import Campaign


def on_networks(rows: list[tuple[object, Totals]]) -> list[tuple[str, Totals]]:
    """Per-network rows, without the row of facts that are on no network (approved
    submissions) unless a post, click or conversion landed there."""
    kept = []
    for network, t in rows:
        posted = t.shares or t.failed_shares or t.clicks or t.conversions
        if network or posted or t.impressions or t.estimated_impressions:
            kept.append((str(network) or "unknown", t))
    return kept


def engagement_of(t: Totals) -> Engagement:
    """Network-reported figures of measured posts (tracked clicks are counted apart)."""
    return Engagement(t.impressions, t.reactions, t.comments, t.reshares, t.post_clicks)


@dataclass(frozen=True)
class Mix:
    period: Period
    published: ContentMix
    shares: ContentMix


async def content_mix(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> Mix:
    config, period, scope = await resolve_scope(uow, principal, request, segment)
    published = await kpi_activity.published_by_family(uow.session, scope)
    shared = {
        str(f): t.shares for f, t in await kpi_activity.totals_by(uow.session, scope, "family")
    }
    target = config.company_share_target
    return Mix(
        period=period,
        published=kpis.content_mix(published.get("company", 0), published.get("market", 0), target),
        shares=kpis.content_mix(shared.get("company", 0), shared.get("market", 0), target),
    )


@dataclass(frozen=True)
class Reach:
    period: Period
    totals: Totals
    engagement_rate: float | None
    company_reach: int | None  # None: no company figure covers the period
    employee_vs_company: float | None


async def reach(uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment) -> Reach:
    _, period, scope = await resolve_scope(uow, principal, request, segment)
    totals = await kpi_activity.totals(uow.session, scope)
    company, _, entries = await settings_store.company_reach_within(
        uow.session, principal.tenant, period.first_day, period.end_day
    )
    company_reach = company if entries else None
    return Reach(
        period=period,
        totals=totals,
        engagement_rate=engagement_rate(engagement_of(totals)),
        company_reach=company_reach,
        employee_vs_company=None
        if company_reach is None
        else employee_vs_company_reach(totals.impressions, company_reach),
    )


@dataclass(frozen=True)
class Echo:
    period: Period
    clicks: int
    internal_clicks: int
    internal_share: float | None
    items: list[ItemEcho]


async def echo_chamber(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment, limit: int
) -> Echo:
    _, period, scope = await resolve_scope(uow, principal, request, segment)
    totals = await kpi_activity.totals(uow.session, scope)
    rows = await kpi_activity.item_echo(uow.session, scope, limit)
    return Echo(
        period=period,
        clicks=totals.clicks,
        internal_clicks=totals.internal_clicks,
        internal_share=internal_click_share(totals.internal_clicks, totals.clicks),
        items=[
            # Clicks with no visitor hash count as clicks only, so visitors <= clicks holds.
            item_echo(r.content_id, r.sharers, r.clicks, min(r.unique_visitors, r.clicks))
            for r in rows
        ],
    )


async def emv(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> tuple[Period, EmvReport]:
    """Measured impressions and outside clicks only: an estimate, or a colleague clicking, is
    not worth money."""
    config, period, scope = await resolve_scope(uow, principal, request, segment)
    rows = on_networks(await kpi_activity.totals_by(uow.session, scope, "network"))
    activity = [
        NetworkActivity(
            network=network,
            impressions=t.impressions,
            clicks=t.clicks - t.internal_clicks,
            reactions=t.reactions,
            comments=t.comments,
            reshares=t.reshares,
        )
        for network, t in rows
    ]
    return period, earned_media_value(activity, config.emv)


@dataclass(frozen=True)
class NetworkRow:
    network: str
    totals: Totals
    engagement_rate: float | None
    conversion_rate: float | None


async def networks(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> tuple[Period, list[NetworkRow]]:
    _, period, scope = await resolve_scope(uow, principal, request, segment)
    rows = on_networks(await kpi_activity.totals_by(uow.session, scope, "network"))
    return period, [
        NetworkRow(
            network=network,
            totals=t,
            engagement_rate=engagement_rate(engagement_of(t)),
            conversion_rate=kpis.conversion_rate(t.conversions, t.clicks - t.internal_clicks),
        )
        for network, t in rows
    ]


@dataclass(frozen=True)
class DayRow:
    day: date
    totals: Totals
    sharers: int


async def daily(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> tuple[Period, list[DayRow]]:
    """One row per local day of the period, zeros included (charts need every day); all time
    starts with the first day that has activity."""
    config, period, scope = await resolve_scope(uow, principal, request, segment)
    by_day = {d: t for d, t in await kpi_activity.totals_by(uow.session, scope, "day")}
    sharers = await kpi_activity.sharers_by_day(uow.session, scope)
    first = period.first_day or min(by_day, default=today(uow, config))
    days = [first + timedelta(days=i) for i in range((period.end_day - first).days)]
    return period, [DayRow(d, by_day.get(d, Totals()), sharers.get(d, 0)) for d in days]


@dataclass(frozen=True)
class ItemRow:
    content_id: str
    title: str | None
    family: str | None
    totals: Totals


ITEM_ORDERS = ("shares", "clicks", "impressions", "conversions")


async def top_items(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment, by: str, limit: int
) -> tuple[Period, list[ItemRow]]:
    _, period, scope = await resolve_scope(uow, principal, request, segment)
    rows = [
        (str(c), t)
        for c, t in await kpi_activity.totals_by(uow.session, scope, "item", limit + 1, by)
        if c
    ][:limit]
    names = await kpi_activity.titles(uow.session, principal.tenant, [c for c, _ in rows])
    return period, [
        ItemRow(c, names.get(c, (None, None))[0], names.get(c, (None, None))[1], t)
        for c, t in rows
        if getattr(t, by) > 0
    ]


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    progress: CampaignProgress | None  # None: no goal


async def campaigns(
    uow: Uow, principal: Principal, limit: int, cursor: str | None = None
) -> Paged[CampaignRow]:
    """Each launched campaign against its goal (its own window, whatever the period), newest
    first, a page at a time after `cursor`."""
    key = after(cursor, datetime, str)
    found = await kpi_activity.campaigns_with_totals(
        uow.session, principal.tenant, limit + 1, (key[0], key[1]) if key else None
    )
    result = []
    for row, shares, impressions, clicks in found:
        progress = None
        if row.goal_metric and row.goal_value:
            progress = kpis.campaign_progress(
                row.goal_metric,
                row.goal_value,
                CampaignTotals(shares=shares, reach=impressions, clicks=clicks),
                row.starts_at,
                row.ends_at,
                uow.now(),
            )
        result.append(CampaignRow(row, progress))
    return paged(result, limit, lambda r: (r.campaign.starts_at, r.campaign.campaign_id))


@dataclass(frozen=True)
class Conversions:
    period: Period
    totals: Totals
    outside_clicks: int
    conversion_rate: float | None
    by_network: list[NetworkRow]


async def conversions(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> Conversions:
    """Applications, leads and other conversions attributed to shares, over outside clicks."""
    period, by_network = await networks(uow, principal, request, segment)
    total = Totals(
        **{
            name: sum(getattr(r.totals, name) for r in by_network)
            for name in Totals.__dataclass_fields__
        }
    )
    outside = total.clicks - total.internal_clicks
    return Conversions(
        period, total, outside, kpis.conversion_rate(total.conversions, outside), by_network
    )
