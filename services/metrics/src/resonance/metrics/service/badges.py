"""Badges: checked against the person's running counters after each fact (domain/badges.py
decides), awarded once each, announced with reward.granted; campaign goal badges."""

from datetime import datetime

from resonance.common.events.catalogue import RewardGranted
from resonance.metrics.domain.badges import (
    BadgeCounters,
    campaign_goal_badge,
    longest_weekly_streak,
    new_badges,
)
from resonance.metrics.domain.kpis import CampaignTotals as GoalTotals
from resonance.metrics.domain.kpis import campaign_progress
from resonance.metrics.service import Uow
from resonance.metrics.store import activity
from resonance.metrics.store import badges as store
from resonance.metrics.store import campaigns as campaigns_store
from resonance.metrics.store.tables_activity import AmbassadorCounters, CampaignTotals


async def grant(
    uow: Uow, tenant: str, ambassador_id: str, code: str, title: str, at: datetime
) -> bool:
    """Awards a badge unless the person has it; emits reward.granted when it is new."""
    if not await store.award_badge(uow.session, tenant, ambassador_id, code, title, at):
        return False
    await uow.emit(
        tenant,
        RewardGranted(
            reward_id=f"badge:{code}",
            ambassador_id=ambassador_id,
            kind="badge",
            badge=code,
            reason=title,
        ),
    )
    return True


async def grant_many(
    uow: Uow, tenant: str, awards: list[tuple[str, str, str]], at: datetime
) -> set[tuple[str, str]]:
    """`grant` for many (person, code, title) at once: one insert, one outbox insert for the
    reward.granted of those that are new; returns the new (person, code) pairs."""
    new = await store.award_badges(uow.session, tenant, awards, at)
    announced = [a for a in dict.fromkeys(awards) if (a[0], a[1]) in new]  # in the given order
    await uow.outbox.add_many(
        uow.session,
        tenant,
        [
            RewardGranted(
                reward_id=f"badge:{code}", ambassador_id=who, kind="badge", badge=code,
                reason=title,
            )
            for who, code, title in announced
        ],
    )  # fmt: skip
    return new


async def refresh_streak(uow: Uow, tenant: str, ambassador_id: str) -> None:
    """Called when a person shares on a new day: their longest run of active ISO weeks."""
    days = await activity.share_days(uow.session, tenant, ambassador_id)
    await activity.set_longest_streak(
        uow.session, tenant, ambassador_id, longest_weekly_streak(days)
    )


async def check(uow: Uow, tenant: str, ambassador_id: str, at: datetime) -> list[str]:
    """Awards what the person's counters now earn; returns the new badge codes."""
    counters: AmbassadorCounters | None = await activity.counters_of(
        uow.session, tenant, ambassador_id
    )
    if counters is None:
        return []
    earned = new_badges(
        BadgeCounters(
            shares=counters.shares,
            market_shares=counters.market_shares,
            approved_submissions=counters.approved_submissions,
            longest_weekly_streak=counters.longest_weekly_streak,
        ),
        await store.codes_of(uow.session, tenant, ambassador_id),
    )
    return [b.code for b in earned if await grant(uow, tenant, ambassador_id, b.code, b.title, at)]


async def campaign_goal(
    uow: Uow,
    tenant: str,
    campaign_id: str,
    totals: CampaignTotals,
    at: datetime,
    sharer: str | None,
    shared_at: datetime | None,
) -> None:
    """When a campaign reaches its goal, everyone who shared it earns its badge; who shares it
    afterwards while it runs earns it too."""
    row = await campaigns_store.campaign(uow.session, tenant, campaign_id, for_update=True)
    if row is None or row.goal_metric is None or not row.goal_value:
        return
    badge = campaign_goal_badge(campaign_id, row.name)
    if row.goal_reached_at is not None:
        running = row.ends_at is None or (shared_at is not None and shared_at < row.ends_at)
        if sharer is not None and running:
            await grant(uow, tenant, sharer, badge.code, badge.title, at)
        return
    progress = campaign_progress(
        row.goal_metric,
        row.goal_value,
        GoalTotals(shares=totals.shares, reach=totals.impressions, clicks=totals.clicks),
        row.starts_at,
        row.ends_at,
        at,
    )
    if not progress.reached:
        return
    row.goal_reached_at = at
    for person in await campaigns_store.sharers(uow.session, tenant, campaign_id):
        await grant(uow, tenant, person, badge.code, badge.title, at)
