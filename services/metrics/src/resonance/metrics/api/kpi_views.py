"""Service results mapped to KPI response schemas (the JSON reads and the CSV export)."""

from dataclasses import asdict

from resonance.metrics.api.schemas_kpis import (
    ActivityOut,
    CampaignOut,
    DayOut,
    EmvValueOut,
    ItemOut,
    MixOut,
    NetworkOut,
    PersonOut,
)
from resonance.metrics.domain.emv import EmvValue
from resonance.metrics.domain.kpis import ContentMix
from resonance.metrics.service.kpis_content import CampaignRow, DayRow, ItemRow, NetworkRow
from resonance.metrics.store.kpi_activity import Totals
from resonance.metrics.store.kpi_people import PersonTotals


def activity(t: Totals) -> ActivityOut:
    return ActivityOut(**asdict(t))


def mix(m: ContentMix) -> MixOut:
    return MixOut(**asdict(m))


def emv_value(v: EmvValue) -> EmvValueOut:
    return EmvValueOut(
        network=v.network,
        impressions=v.impressions,
        clicks=v.clicks,
        engagements=v.engagements,
        total=v.total,
    )


def network(r: NetworkRow) -> NetworkOut:
    return NetworkOut(
        network=r.network,
        activity=activity(r.totals),
        engagement_rate=r.engagement_rate,
        conversion_rate=r.conversion_rate,
    )


def day(r: DayRow) -> DayOut:
    t = r.totals
    return DayOut(
        day=r.day,
        shares=t.shares,
        sharers=r.sharers,
        clicks=t.clicks,
        impressions=t.impressions,
        estimated_impressions=t.estimated_impressions,
        conversions=t.conversions,
    )


def item(r: ItemRow) -> ItemOut:
    return ItemOut(
        content_id=r.content_id, title=r.title, family=r.family, activity=activity(r.totals)
    )


def person(p: PersonTotals) -> PersonOut:
    return PersonOut(**asdict(p))


def campaign(r: CampaignRow) -> CampaignOut:
    c, p = r.campaign, r.progress
    return CampaignOut(
        campaign_id=c.campaign_id,
        name=c.name,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        goal_metric=c.goal_metric,
        goal_value=c.goal_value,
        value=None if p is None else p.value,
        fraction=None if p is None else p.fraction,
        reached=bool(p and p.reached),
        elapsed=None if p is None else p.elapsed,
        on_track=None if p is None else p.on_track,
        goal_reached_at=c.goal_reached_at,
    )
