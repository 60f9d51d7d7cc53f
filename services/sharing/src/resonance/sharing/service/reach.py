"""Reach of posted shares: a decaying reading schedule per post (domain/reach.py), measured
figures where the network gives views, an estimate (audience x the tenant's reach rate)
where it does not. Measured and estimated figures are never mixed in one reading."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeAlias

from resonance.common.events.catalogue import ReachMeasured, ShareMade
from resonance.common.service import Runtime
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.connectors.base import NetworkError, PostStats, RateLimited
from resonance.sharing.domain import reach as rules
from resonance.sharing.domain.networks import parse_network
from resonance.sharing.service.networks import Networks
from resonance.sharing.service.policy import Policy, policy_of
from resonance.sharing.service.tokens import ReauthRequired, credentials
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import reach_queries
from resonance.sharing.store.share_views import ShareReach
from resonance.sharing.store.tables import Connection, Share

log = logging.getLogger(__name__)
Uow: TypeAlias = UnitOfWork[SharingSettings]
# A claimed reading not written back within this time is claimed again by the next round.
LEASE = timedelta(minutes=10)
# After a failed reading (network down, token refused), look again this much later.
RETRY_AFTER_FAILURE = timedelta(hours=1)
LINKEDIN_ANALYTICS_SCOPE = "r_member_postAnalytics"


def poll_offsets(settings: SharingSettings) -> tuple[timedelta, ...]:
    return tuple(timedelta(seconds=s) for s in settings.reach_poll_offsets_s)


async def schedule(uow: Uow, share: Share, *, audience_size: int | None = None) -> None:
    posted_at = share.posted_at or uow.now()
    await reach_queries.add_schedule(
        uow.session,
        share_id=share.id,
        tenant=share.tenant,
        posted_at=posted_at,
        next_poll_at=rules.next_poll_at(posted_at, offsets=poll_offsets(uow.settings)),
        audience_size=audience_size,
    )


async def share_made(uow: Uow, tenant: str, event: ShareMade) -> None:
    """Every post starts its reading schedule when it goes live (intents did at creation)."""
    await reach_queries.add_schedule(
        uow.session,
        share_id=event.share_id,
        tenant=tenant,
        posted_at=event.shared_at,
        next_poll_at=rules.next_poll_at(event.shared_at, offsets=poll_offsets(uow.settings)),
        audience_size=None,
    )


async def latest(uow: Uow, share_id: str) -> ShareReach | None:
    return await reach_queries.get(uow.session, share_id)


@dataclass(frozen=True)
class Reading:
    stats: PostStats
    measured: bool


def _measurable(share: Share, connection: Connection | None) -> bool:
    network = parse_network(share.network)
    if network is None or share.self_reported or not share.post_id or connection is None:
        return False
    return rules.measures_reach(
        network, linkedin_analytics=LINKEDIN_ANALYTICS_SCOPE in (connection.scopes or [])
    )


async def _estimate(
    uow: Uow,
    row: ShareReach,
    share: Share,
    connection: Connection | None,
    policies: dict[str, Policy],
) -> Reading | None:
    audience = row.audience_size
    if audience is None and connection is not None:
        audience = connection.audience_size
    if share.tenant not in policies:
        policies[share.tenant] = await policy_of(uow, share.tenant)
    rates = policies[share.tenant].reach_rates
    estimate = rules.estimate_reach(audience, rules.reach_rate(share.network, rates))
    if estimate is None:
        return None
    return Reading(PostStats(post_id=share.post_id or share.id, impressions=estimate.value), False)


async def _measure(
    runtime: Runtime[SharingSettings],
    networks: Networks,
    targets: list[rules.PollTarget],
    now: datetime,
) -> tuple[dict[str, PostStats], datetime | None]:
    """Reads the metrics of `targets` in as few calls as the networks allow. Returns the
    figures by share id, and when to retry if a network asked us to wait."""
    by_share: dict[str, PostStats] = {}
    wait_until: datetime | None = None
    account_of = {t.share_id: t.account_id for t in targets}
    for batch in rules.plan_metrics_batches(targets, now=now):
        account = batch.account_id or account_of[batch.share_ids[0]]
        try:
            creds = await credentials(runtime, networks, account)
            stats = await networks.connector(batch.network).fetch_metrics(
                creds.access_token, creds.network_user_id, batch.post_ids
            )
        except RateLimited as exc:
            wait_until = max(wait_until or now, exc.retry_at or now + RETRY_AFTER_FAILURE)
            continue
        except (NetworkError, ReauthRequired) as exc:
            log.info("reach reading failed on %s: %s", batch.network, type(exc).__name__)
            continue
        for share_id, post_id in zip(batch.share_ids, batch.post_ids, strict=True):
            if post_id in stats:
                by_share[share_id] = stats[post_id]
    return by_share, wait_until


async def _record(
    uow: Uow, share: Share, reading: Reading | None, now: datetime, retry_at: datetime | None
) -> None:
    row = await reach_queries.get(uow.session, share.id, lock=True)
    if row is None:
        return
    if reading is None:
        # Nothing read: an estimate we cannot make ends the schedule; a failed reading
        # retries, until the schedule's last reading is long past (the post is gone).
        over = row.posted_at + max(poll_offsets(uow.settings)) + RETRY_AFTER_FAILURE < now
        row.next_poll_at = None if over else retry_at
        return
    s = reading.stats
    row.measured = reading.measured
    row.impressions, row.reactions, row.comments = s.impressions, s.reactions, s.comments
    row.reshares, row.clicks = s.reshares, s.clicks
    row.measured_at = now
    row.polls += 1
    # An estimate does not change with time: one is enough.
    row.next_poll_at = (
        rules.next_poll_at(row.posted_at, now, poll_offsets(uow.settings))
        if reading.measured
        else None
    )
    await uow.emit(
        share.tenant,
        ReachMeasured(
            share_id=share.id,
            ambassador_id=share.ambassador_id,
            content_id=share.content_id,
            network=share.network,
            impressions=s.impressions,
            reactions=s.reactions,
            comments=s.comments,
            reshares=s.reshares,
            clicks=s.clicks,
            measured_at=now,
            measured=reading.measured,
            campaign_id=share.campaign_id,
        ),
    )


async def poll_due(runtime: Runtime[SharingSettings], networks: Networks) -> int:
    """One round: claims the posts due for a reading, reads them, records and publishes the
    figures. Returns how many posts were claimed (0: nothing due)."""
    now = runtime.clock()
    async with runtime.unit_of_work() as uow:
        claimed = await reach_queries.claim_due(
            uow.session, now, now + LEASE, uow.settings.reach_batch_size
        )
        shares = await reach_queries.shares_by_id(uow.session, [r.share_id for r in claimed])
        connections = await reach_queries.connections_by_id(
            uow.session, [s.connection_id for s in shares.values() if s.connection_id]
        )
    rows = {r.share_id: r for r in claimed}
    targets: list[rules.PollTarget] = []
    estimates: dict[str, Reading | None] = {}
    policies: dict[str, Policy] = {}
    async with runtime.unit_of_work() as uow:
        for share_id, share in shares.items():
            connection = connections.get(share.connection_id or "")
            if _measurable(share, connection):
                network = parse_network(share.network)
                assert network is not None and share.post_id and connection is not None
                targets.append(
                    rules.PollTarget(
                        share_id, network, share.post_id, connection.id, rows[share_id].posted_at
                    )
                )
            else:
                estimates[share_id] = await _estimate(
                    uow, rows[share_id], share, connection, policies
                )
    measured, wait_until = await _measure(runtime, networks, targets, now)
    async with runtime.unit_of_work() as uow:
        for share_id, share in shares.items():
            if share_id in estimates:
                await _record(uow, share, estimates[share_id], now, None)
            elif share_id in measured:
                await _record(uow, share, Reading(measured[share_id], True), now, None)
            else:
                await _record(uow, share, None, now, wait_until or now + RETRY_AFTER_FAILURE)
        for share_id in rows.keys() - shares.keys():
            row = await reach_queries.get(uow.session, share_id, lock=True)
            if row is not None:
                row.next_poll_at = None  # the share is gone
    return len(claimed)
