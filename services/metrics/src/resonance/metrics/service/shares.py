"""Posts: share.made and reach.measured into the aggregates, points, badges, challenges and
campaign goals.

A post counts its reach under one basis only (domain/reach.py): estimated from the person's
audience until the network gives a measurement, measured from then on, when the estimate is
taken back out of the estimated totals. Measurements are cumulative; the aggregates move by
the difference with the previous one (`measurement_delta`), and an older one changes nothing.
"""

from resonance.common.events.catalogue import ReachMeasured, ShareMade
from resonance.metrics.domain.challenges import ChallengeMetric
from resonance.metrics.domain.periods import local_day
from resonance.metrics.domain.points import Fact, FactKind
from resonance.metrics.domain.reach import Engagement, Measurement, measurement_delta, post_reach
from resonance.metrics.service import Uow, badges, challenges, fold, points, populations
from resonance.metrics.service.config import TenantConfig, tenant_config
from resonance.metrics.service.people import attributes
from resonance.metrics.store import activity
from resonance.metrics.store import campaigns as campaigns_store
from resonance.metrics.store import people as people_store
from resonance.metrics.store import shares as store
from resonance.metrics.store.activity import ActivityKey, Attributes
from resonance.metrics.store.tables import NONE_KEY
from resonance.metrics.store.tables_activity import ShareFact


def activity_key(row: ShareFact, attrs: Attributes | None) -> ActivityKey:
    return ActivityKey(
        tenant=row.tenant,
        day=row.day,
        ambassador_id=row.ambassador_id,
        content_id=row.content_id,
        campaign_id=row.campaign_id,
        network=row.network,
        family=row.family,
        attributes=attrs,
    )


async def _item_context(
    uow: Uow, tenant: str, content_id: str | None, family: str | None, campaign_id: str | None
) -> tuple[str | None, str | None]:
    """The family and campaign of a shared item, completed from the content projection."""
    if content_id and (family is None or campaign_id is None):
        item = await campaigns_store.content(uow.session, tenant, content_id)
        if item is not None:
            family = family or item.family
            campaign_id = campaign_id or item.campaign_id
    return family, campaign_id


async def made(uow: Uow, tenant: str, event: ShareMade) -> None:
    config = await tenant_config(uow, tenant)
    existing = await store.share(uow.session, tenant, event.share_id)
    if existing is not None and existing.made:
        return  # the same post announced twice
    family, campaign_id = await _item_context(
        uow, tenant, event.content_id, event.content_family, event.campaign_id
    )
    row = existing or ShareFact(
        tenant=tenant,
        share_id=event.share_id,
        ambassador_id=event.ambassador_id,
        content_id=event.content_id or NONE_KEY,
        campaign_id=campaign_id or NONE_KEY,
        network=event.network,
        family=family,
        day=local_day(event.shared_at, config.timezone),
    )
    row.made, row.shared_at, row.automatic = True, event.shared_at, event.automatic
    row.family = row.family or family
    if existing is None:
        uow.session.add(row)
    attrs = await attributes(uow, tenant, row.ambassador_id)
    await activity.add_activity(
        uow.session,
        activity_key(row, attrs),
        {
            "shares": 1,
            "self_reported_shares": int(event.self_reported),
            "automatic_shares": int(event.automatic),
        },
    )
    await _estimate(uow, config, row, attrs)
    await _count_share(uow, config, row, attrs, market=family == "market")
    if row.campaign_id:
        totals = await campaigns_store.add_totals(
            uow.session, tenant, row.campaign_id, {"shares": 1}
        )
        await badges.campaign_goal(
            uow, tenant, row.campaign_id, totals, uow.now(), row.ambassador_id, event.shared_at
        )


async def _count_share(
    uow: Uow, config: TenantConfig, row: ShareFact, attrs: Attributes | None, market: bool
) -> None:
    """The person's day, counters, streak, badges, points and challenges."""
    tenant, who, at = config.tenant, row.ambassador_id, row.shared_at
    assert at is not None
    day_shares = await activity.add_person_day(
        uow.session, tenant, who, row.day, attrs, {"shares": 1, "contributions": 1}
    )
    await activity.add_counters(
        uow.session, tenant, who, {"shares": 1, "market_shares": int(market)}, share_at=at
    )
    if day_shares == 1:
        await populations.new_share_days(uow, tenant, [(who, row.day)])
        await badges.refresh_streak(uow, tenant, who)
    await badges.check(uow, tenant, who, uow.now())
    if row.automatic:
        return  # posted by campaign auto-share, not by a click of theirs: no points, no race
    fact = Fact(FactKind.SHARE, who, row.share_id, at, network=row.network or None)
    earned = await points.earn(uow, tenant, fact, config.timezone, attrs)
    await challenges.advance(
        uow,
        tenant,
        who,
        {
            ChallengeMetric.SHARES: 1,
            ChallengeMetric.MARKET_SHARES: int(market),
            ChallengeMetric.POINTS: sum(e.amount for e in earned),
        },
        at,
        config.timezone,
    )


async def _estimate(
    uow: Uow, config: TenantConfig, row: ShareFact, attrs: Attributes | None
) -> None:
    """A new post with no measurement yet is estimated from the person's audience."""
    if row.basis != "none" or not row.network:
        return
    audience = await people_store.audience_of(
        uow.session, config.tenant, row.ambassador_id, row.network
    )
    estimate = post_reach(row.network, None, audience, config.reach_rates)
    if estimate is None:
        return
    row.basis, row.estimated_impressions, row.estimated_at = (
        "estimated",
        estimate.impressions,
        row.shared_at,
    )
    await activity.add_activity(
        uow.session,
        activity_key(row, attrs),
        {"estimated_impressions": estimate.impressions, "estimated_posts": 1},
    )


async def post(uow: Uow, tenant: str, share_id: str, author: str | None) -> ShareFact | None:
    """The post, once its share.made is applied: one still in the share queue is folded
    first (service/fold.py), so what follows a post never lands before it."""
    row = await store.share(uow.session, tenant, share_id)
    if row is None and author:
        await fold.fold_person(uow, tenant, author)
        row = await store.share(uow.session, tenant, share_id)
    return row


async def reached(uow: Uow, tenant: str, event: ReachMeasured) -> None:
    config = await tenant_config(uow, tenant)
    row = await post(uow, tenant, event.share_id, event.ambassador_id)
    if row is None:  # reach before the post itself: the post is placed on the measurement's day
        family, campaign_id = await _item_context(
            uow, tenant, event.content_id, None, event.campaign_id
        )
        row = ShareFact(
            tenant=tenant,
            share_id=event.share_id,
            ambassador_id=event.ambassador_id,
            content_id=event.content_id or NONE_KEY,
            campaign_id=campaign_id or NONE_KEY,
            network=event.network,
            family=family,
            day=local_day(event.measured_at, config.timezone),
        )
        uow.session.add(row)
    attrs = await attributes(uow, tenant, row.ambassador_id)
    if event.measured:
        await _measured(uow, config, row, event, attrs)
    else:
        await _estimated(uow, row, event, attrs)


async def _measured(
    uow: Uow, config: TenantConfig, row: ShareFact, event: ReachMeasured, attrs: Attributes | None
) -> None:
    incoming = Measurement(
        event.measured_at,
        Engagement(
            event.impressions, event.reactions, event.comments, event.reshares, event.clicks
        ),
    )
    previous = None
    if row.basis == "measured" and row.measured_at is not None:
        previous = Measurement(
            row.measured_at,
            Engagement(row.impressions, row.reactions, row.comments, row.reshares, row.post_clicks),
        )
    delta = measurement_delta(previous, incoming)
    if delta is None:
        return  # older than what is known: the latest measurement wins
    increments = {
        "impressions": delta.impressions,
        "reactions": delta.reactions,
        "comments": delta.comments,
        "reshares": delta.reshares,
        "post_clicks": delta.clicks,
    }
    if row.basis != "measured":
        increments["measured_posts"] = 1
    if row.basis == "estimated":
        increments["estimated_impressions"] = -row.estimated_impressions
        increments["estimated_posts"] = -1
    row.basis, row.measured_at = "measured", event.measured_at
    row.impressions, row.reactions, row.comments = (
        event.impressions,
        event.reactions,
        event.comments,
    )
    row.reshares, row.post_clicks = event.reshares, event.clicks
    await activity.add_activity(uow.session, activity_key(row, attrs), increments)
    if row.campaign_id:
        totals = await campaigns_store.add_totals(
            uow.session, config.tenant, row.campaign_id, {"impressions": delta.impressions}
        )
        await badges.campaign_goal(
            uow, config.tenant, row.campaign_id, totals, uow.now(), None, None
        )
    fact = Fact(
        FactKind.REACH_MEASURED,
        row.ambassador_id,
        row.share_id,
        event.measured_at,
        network=row.network or None,
        impressions=event.impressions,
    )
    earned = await points.earn(uow, config.tenant, fact, config.timezone, attrs)
    await challenges.advance(
        uow,
        config.tenant,
        row.ambassador_id,
        {ChallengeMetric.POINTS: sum(e.amount for e in earned)},
        event.measured_at,
        config.timezone,
    )


async def _estimated(
    uow: Uow, row: ShareFact, event: ReachMeasured, attrs: Attributes | None
) -> None:
    """An estimate from the sharing service replaces ours, unless the post is measured."""
    if row.basis == "measured":
        return
    if row.estimated_at is not None and event.measured_at <= row.estimated_at:
        return
    increments = {"estimated_impressions": event.impressions - row.estimated_impressions}
    if row.basis == "none":
        increments["estimated_posts"] = 1
    row.basis, row.estimated_impressions, row.estimated_at = (
        "estimated",
        event.impressions,
        event.measured_at,
    )
    await activity.add_activity(uow.session, activity_key(row, attrs), increments)
