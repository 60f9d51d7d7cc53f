"""The other facts: clicks, conversions, approved submissions, failed shares, connections,
content and campaigns. Posts and their reach are in shares.py, people in people.py.

A click or conversion names its share; what the event leaves out (ambassador, item, campaign,
network) is completed from the post. Clicks from inside the company count as clicks (and in
the echo chamber KPI) but earn no points: colleagues clicking each other's posts is not reach.
"""

from datetime import datetime

from resonance.common.events.catalogue import (
    CampaignLaunched,
    ConnectionConnected,
    ConnectionDisconnected,
    ContentPublished,
    ContentRetired,
    ConversionRecorded,
    LinkClicked,
    ShareFailed,
    SubmissionApproved,
)
from resonance.metrics.domain.challenges import ChallengeMetric
from resonance.metrics.domain.periods import local_day
from resonance.metrics.domain.points import Fact, FactKind
from resonance.metrics.service import Uow, badges, challenges, points, shares
from resonance.metrics.service.config import tenant_config
from resonance.metrics.service.people import attributes, is_newer
from resonance.metrics.store import activity
from resonance.metrics.store import campaigns as campaigns_store
from resonance.metrics.store import people as people_store
from resonance.metrics.store.activity import ActivityKey
from resonance.metrics.store.tables import Campaign, Connection, PublishedContent


async def clicked(uow: Uow, tenant: str, event: LinkClicked, event_id: str) -> None:
    config = await tenant_config(uow, tenant)
    post = None
    if event.share_id:
        post = await shares.post(uow, tenant, event.share_id, event.ambassador_id)
    who = event.ambassador_id or (post.ambassador_id if post else "")
    content_id = event.content_id or (post.content_id if post else "")
    campaign_id = event.campaign_id or (post.campaign_id if post else "")
    network = event.network or (post.network if post else "")
    day = local_day(event.clicked_at, config.timezone)
    attrs = await attributes(uow, tenant, who) if who else None
    key = ActivityKey(
        tenant, day, who, content_id, campaign_id, network, post.family if post else None, attrs
    )
    await activity.add_activity(
        uow.session, key, {"clicks": 1, "internal_clicks": int(event.internal)}
    )
    if event.visitor:
        await activity.add_visitor(uow.session, tenant, content_id, day, event.visitor)
    if campaign_id:
        totals = await campaigns_store.add_totals(uow.session, tenant, campaign_id, {"clicks": 1})
        await badges.campaign_goal(uow, tenant, campaign_id, totals, uow.now(), None, None)
    if not who:
        return
    await activity.add_person_day(uow.session, tenant, who, day, attrs, {"clicks": 1})
    if event.internal:
        return
    fact = Fact(
        FactKind.CLICK,
        who,
        event_id,
        event.clicked_at,
        network=network or None,
        share_id=event.share_id,
    )
    earned = await points.earn(uow, tenant, fact, config.timezone, attrs)
    await challenges.advance(
        uow,
        tenant,
        who,
        {ChallengeMetric.CLICKS: 1, ChallengeMetric.POINTS: sum(e.amount for e in earned)},
        event.clicked_at,
        config.timezone,
    )


async def converted(uow: Uow, tenant: str, event: ConversionRecorded) -> None:
    config = await tenant_config(uow, tenant)
    post = await shares.post(uow, tenant, event.share_id, event.ambassador_id)
    who = event.ambassador_id or (post.ambassador_id if post else "")
    day = local_day(event.occurred_at, config.timezone)
    attrs = await attributes(uow, tenant, who) if who else None
    key = ActivityKey(
        tenant,
        day,
        who,
        event.content_id or (post.content_id if post else ""),
        event.campaign_id or (post.campaign_id if post else ""),
        event.network or (post.network if post else ""),
        post.family if post else None,
        attrs,
    )
    await activity.add_activity(
        uow.session,
        key,
        {
            "conversions": 1,
            "applications": int(event.kind == "application"),
            "leads": int(event.kind == "lead"),
        },
    )
    if not who:
        return
    fact = Fact(
        FactKind.CONVERSION,
        who,
        event.conversion_id,
        event.occurred_at,
        conversion_kind=event.kind,
    )
    earned = await points.earn(uow, tenant, fact, config.timezone, attrs)
    await challenges.advance(
        uow,
        tenant,
        who,
        {ChallengeMetric.POINTS: sum(e.amount for e in earned)},
        event.occurred_at,
        config.timezone,
    )


async def submission_approved(
    uow: Uow, tenant: str, event: SubmissionApproved, at: datetime
) -> None:
    config = await tenant_config(uow, tenant)
    who = event.ambassador_id
    day = local_day(at, config.timezone)
    attrs = await attributes(uow, tenant, who)
    key = ActivityKey(tenant, day, who, event.content_id, None, None, "submission", attrs)
    await activity.add_activity(uow.session, key, {"approved_submissions": 1})
    await activity.add_person_day(uow.session, tenant, who, day, attrs, {"contributions": 1})
    await activity.add_counters(uow.session, tenant, who, {"approved_submissions": 1})
    await badges.check(uow, tenant, who, uow.now())
    fact = Fact(FactKind.SUBMISSION_APPROVED, who, event.submission_id, at)
    earned = await points.earn(uow, tenant, fact, config.timezone, attrs)
    await challenges.advance(
        uow,
        tenant,
        who,
        {
            ChallengeMetric.APPROVED_SUBMISSIONS: 1,
            ChallengeMetric.POINTS: sum(e.amount for e in earned),
        },
        at,
        config.timezone,
    )


async def share_failed(uow: Uow, tenant: str, event: ShareFailed, at: datetime) -> None:
    config = await tenant_config(uow, tenant)
    key = ActivityKey(
        tenant,
        local_day(at, config.timezone),
        event.ambassador_id,
        event.content_id,
        event.campaign_id,
        event.network,
        None,
        await attributes(uow, tenant, event.ambassador_id),
    )
    await activity.add_activity(uow.session, key, {"failed_shares": 1})


async def connected(uow: Uow, tenant: str, event: ConnectionConnected, at: datetime) -> None:
    row = await people_store.connection(uow.session, tenant, event.connection_id)
    if row is None:
        row = Connection(
            tenant=tenant,
            connection_id=event.connection_id,
            ambassador_id=event.ambassador_id,
            network=event.network,
        )
        uow.session.add(row)
    elif not is_newer(row.changed_at, at):
        return
    row.audience_size = event.audience_size
    row.connected_at = row.connected_at or event.connected_at
    row.disconnected_at = None
    row.changed_at = at


async def disconnected(uow: Uow, tenant: str, event: ConnectionDisconnected, at: datetime) -> None:
    row = await people_store.connection(uow.session, tenant, event.connection_id)
    if row is None or not is_newer(row.changed_at, at):
        return
    row.disconnected_at, row.changed_at = at, at


async def published(uow: Uow, tenant: str, event: ContentPublished, at: datetime) -> None:
    row = await campaigns_store.content(uow.session, tenant, event.content_id, for_update=True)
    if row is None:
        row = PublishedContent(
            tenant=tenant,
            content_id=event.content_id,
            family=event.family,
            published_at=event.published_at or event.publish_at or at,
        )
        uow.session.add(row)
    elif not is_newer(row.changed_at, at):
        return
    row.family = event.family
    row.title = event.title
    row.campaign_id = event.campaign_id
    row.brand = event.brand
    row.language = event.language
    row.targeting = event.targeting.model_dump()
    row.expires_at = event.expires_at
    row.retired_at = None
    row.changed_at = at


async def retired(uow: Uow, tenant: str, event: ContentRetired, at: datetime) -> None:
    row = await campaigns_store.content(uow.session, tenant, event.content_id, for_update=True)
    if row is None or not is_newer(row.changed_at, at):
        return
    row.retired_at, row.changed_at = at, at


async def campaign_launched(uow: Uow, tenant: str, event: CampaignLaunched) -> None:
    row = await campaigns_store.campaign(uow.session, tenant, event.campaign_id, for_update=True)
    if row is None:
        row = Campaign(
            tenant=tenant,
            campaign_id=event.campaign_id,
            name=event.name,
            starts_at=event.starts_at,
        )
        uow.session.add(row)
    row.name = event.name
    row.starts_at = event.starts_at
    row.ends_at = event.ends_at
    row.goal_metric = event.goal_metric
    row.goal_value = event.goal_value
    row.content_ids = sorted(set(event.content_ids))
    await uow.session.flush()
    totals = await campaigns_store.totals(uow.session, tenant, event.campaign_id)
    if totals is not None:  # facts arrived before the launch: the goal may be reached already
        await badges.campaign_goal(uow, tenant, event.campaign_id, totals, uow.now(), None, None)
