"""KPI reports as tables (header, rows) for the CSV export: the same reads as the JSON ones."""

from collections.abc import Sequence
from dataclasses import astuple, fields
from enum import StrEnum

from resonance.common.auth import Principal, Role
from resonance.common.domain_errors import Forbidden
from resonance.metrics.domain.segments import Segment
from resonance.metrics.domain.windows import PeriodRequest
from resonance.metrics.service import Uow, kpis_content, kpis_people
from resonance.metrics.store.kpi_activity import Totals

TOTALS = [f.name for f in fields(Totals)]
Table = tuple[list[str], list[Sequence[object]]]


class Report(StrEnum):
    DAILY = "daily"
    NETWORKS = "networks"
    TOP_ITEMS = "top-items"
    TOP_AMBASSADORS = "top-ambassadors"
    CAMPAIGNS = "campaigns"


async def report(
    uow: Uow, principal: Principal, which: Report, request: PeriodRequest, segment: Segment
) -> Table:
    if which is Report.DAILY:
        _, days = await kpis_content.daily(uow, principal, request, segment)
        return ["day", "sharers", *TOTALS], [
            [d.day.isoformat(), d.sharers, *astuple(d.totals)] for d in days
        ]
    if which is Report.NETWORKS:
        _, networks = await kpis_content.networks(uow, principal, request, segment)
        return ["network", "engagement_rate", "conversion_rate", *TOTALS], [
            [n.network, n.engagement_rate, n.conversion_rate, *astuple(n.totals)] for n in networks
        ]
    if which is Report.TOP_ITEMS:
        _, items = await kpis_content.top_items(uow, principal, request, segment, "shares", 100)
        return ["content_id", "title", "family", *TOTALS], [
            [i.content_id, i.title, i.family, *astuple(i.totals)] for i in items
        ]
    if which is Report.TOP_AMBASSADORS:
        if not principal.has_any(Role.PROGRAM_MANAGER, Role.ADMIN):
            raise Forbidden("people reports are for programme managers", slug="manager-only")
        _, people = await kpis_people.top_people(uow, principal, request, segment, "shares", 100)
        return ["ambassador_id", "shares", "contributions", "clicks", "points"], [
            astuple(p) for p in people
        ]
    campaigns = (await kpis_content.campaigns(uow, principal, 100)).rows
    return ["campaign_id", "name", "goal_metric", "goal_value", "value", "fraction", "reached"], [
        [
            c.campaign.campaign_id,
            c.campaign.name,
            c.campaign.goal_metric,
            c.campaign.goal_value,
            c.progress.value if c.progress else None,
            c.progress.fraction if c.progress else None,
            bool(c.progress and c.progress.reached),
        ]
        for c in campaigns
    ]
