"""Shares as an ambassador makes them: create (now, later, or through a share intent), list,
read and cancel their own. Posting itself is the workers' job (share.requested)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeAlias, TypeVar

from resonance.common.auth import Principal
from resonance.common.domain_errors import Conflict, Invalid, NotFound
from resonance.common.events.catalogue import ShareMade
from resonance.common.paging import BY_TIME_AND_TEXT_ID, after, paged
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.domain import share_state
from resonance.sharing.domain.networks import NetworkProfile, ShareIntent, ShareMode, share_intent
from resonance.sharing.service import reach, share_checks
from resonance.sharing.service.callers import ambassador_id_of, require_enrolled
from resonance.sharing.service.dispatch import request_share
from resonance.sharing.service.policy import policy_from
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import share_queries, views
from resonance.sharing.store.connections import of_owner
from resonance.sharing.store.share_views import AmbassadorView, ContentView, ShareReach
from resonance.sharing.store.tables import CANCELLED, CONNECTED, POSTED, SCHEDULED, Share

Uow: TypeAlias = UnitOfWork[SharingSettings]
T = TypeVar("T")
# A client's "now" may run a little behind ours: a time this far in the past still means now.
CLOCK_SKEW = timedelta(minutes=2)


class ConnectionRequired(Conflict):
    default_slug = "connection-required"


@dataclass(frozen=True)
class ShareCommand:
    content_id: str
    networks: list[str]
    captions: Mapping[str, str] = field(default_factory=dict)
    at: datetime | None = None
    # Followers the person says they have on an intent network (no connection tells us).
    audience_sizes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Created:
    share: Share
    intent: ShareIntent | None = None


@dataclass(frozen=True)
class SharePage:
    shares: list[Share]
    next_cursor: str | None


@dataclass(frozen=True)
class ShareDetail:
    share: Share
    reach: ShareReach | None


def _by_network(values: Mapping[str, T], network: NetworkProfile) -> T | None:
    """The value given for `network` (keys may be any spelling: "X", "twitter"...)."""
    for key, value in values.items():
        if share_checks.networks_of([key])[0].network is network.network:
            return value
    return None


def _when(uow: Uow, at: datetime | None) -> datetime:
    now = uow.now()
    if at is None:
        return now
    if at.tzinfo is None:
        raise Invalid("`at` needs a time zone (e.g. 2026-05-04T09:00:00Z)", slug="naive-time")
    if at < now - CLOCK_SKEW:
        raise Invalid("a share cannot be scheduled in the past", slug="time-in-past")
    if at > now + timedelta(days=uow.settings.max_schedule_ahead_days):
        raise Invalid(
            f"a share can be scheduled at most {uow.settings.max_schedule_ahead_days} days ahead",
            slug="time-too-far",
        )
    return max(at, now)


async def _connection_id(uow: Uow, person: AmbassadorView, network: NetworkProfile) -> str:
    found = await of_owner(uow.session, person.tenant, person.ambassador_id, network.network)
    if found is None or found.status != CONNECTED:
        state = "needs reconnecting" if found is not None else "is not connected"
        raise ConnectionRequired(
            f"your {network.label} account {state}",
            network=network.network.value,
            connection_status=found.status if found is not None else None,
        )
    return found.id


async def announce_self_reported(uow: Uow, share: Share) -> None:
    await uow.emit(
        share.tenant,
        ShareMade(
            share_id=share.id,
            ambassador_id=share.ambassador_id,
            content_id=share.content_id,
            content_family=share.content_family,
            campaign_id=share.campaign_id,
            network=share.network,
            tracked_link=share.tracked_link,
            shared_at=share.posted_at or uow.now(),
            self_reported=True,
        ),
    )


def new_share(
    person: AmbassadorView,
    item: ContentView,
    network: NetworkProfile,
    composed: share_checks.Composed,
    at: datetime,
    now: datetime,
) -> Share:
    return Share(
        tenant=person.tenant,
        ambassador_id=person.ambassador_id,
        content_id=item.content_id,
        content_family=item.family,
        campaign_id=item.campaign_id,
        network=network.network.value,
        text=composed.text,
        tracked_link=composed.tracked_link or None,
        link_code=composed.code if composed.tracked_link else None,
        status=SCHEDULED,
        scheduled_for=at,
        created_at=now,
        updated_at=now,
    )


async def create_shares(uow: Uow, actor: Principal, command: ShareCommand) -> list[Created]:
    """One share per network, all or none: every check passes for every network first."""
    # The caller (locked: two requests of one person count against the caps one after the
    # other), the item and the policy in one round trip; checked in that order.
    found, item_row, policy_row = await views.share_context(
        uow.session, actor.tenant, actor.subject, command.content_id
    )
    person = require_enrolled(found)
    at = _when(uow, command.at)
    now = uow.now()
    item = share_checks.require_shareable(item_row, person, at)
    policy = policy_from(policy_row)
    networks = share_checks.networks_of(command.networks)
    planned: list[tuple[NetworkProfile, share_checks.Composed, str | None]] = []
    for network in networks:
        share_checks.require_consent(person, network)
        connection_id = None
        if network.mode is ShareMode.API:
            connection_id = await _connection_id(uow, person, network)
        elif at > now:
            raise Invalid(
                f"{network.label} is shared from its own share page, now only",
                slug="intent-now-only",
                network=network.network.value,
            )
        override = _by_network(command.captions, network)
        caption = (
            override
            if override is not None
            else share_checks.suggested_caption(person, item, network)
        )
        composed = share_checks.compose(uow, item, network, caption, policy)
        await share_checks.require_slot(uow, person, network, at, policy)
        planned.append((network, composed, connection_id))
    created: list[Created] = []
    for network, composed, connection_id in planned:
        share = new_share(person, item, network, composed, at, now)
        share.connection_id = connection_id
        intent = None
        if network.mode is ShareMode.INTENT:
            share.status = POSTED
            share.self_reported = True
            share.posted_at = now
            intent = share_intent(
                network.network, post_text=share.text, link=share.tracked_link or item.url or ""
            )
        uow.session.add(share)
        if share.self_reported:
            await announce_self_reported(uow, share)
            declared = _by_network(command.audience_sizes, network)
            await reach.schedule(uow, share, audience_size=declared)
        elif at <= now:
            await request_share(uow, share)
        created.append(Created(share, intent))
    return created


async def list_shares(uow: Uow, actor: Principal, limit: int, cursor: str | None) -> SharePage:
    ambassador_id = await ambassador_id_of(uow, actor)
    key = after(cursor, *BY_TIME_AND_TEXT_ID)
    found = await share_queries.page(
        uow.session, actor.tenant, ambassador_id, limit + 1, (key[0], key[1]) if key else None
    )
    page = paged(found, limit, lambda s: (s.created_at, s.id))
    return SharePage(page.rows, page.next_cursor)


async def _own(uow: Uow, actor: Principal, share_id: str, *, lock: bool = False) -> Share:
    ambassador_id = await ambassador_id_of(uow, actor)
    share = await share_queries.get(uow.session, actor.tenant, share_id, lock=lock)
    if share is None or share.ambassador_id != ambassador_id:
        raise NotFound("no such share", slug="share-not-found")
    return share


async def get_share(uow: Uow, actor: Principal, share_id: str) -> ShareDetail:
    share = await _own(uow, actor, share_id)
    return ShareDetail(share, await reach.latest(uow, share.id))


def domain_state(share: Share) -> share_state.Share:
    status = share_state.ShareStatus(share.status)
    if share.status == POSTED and share.self_reported:
        status = share_state.ShareStatus.SELF_REPORTED
    return share_state.Share(
        status,
        scheduled_for=share.scheduled_for,
        attempts=share.attempts,
        post_id=share.post_id,
        permalink=share.post_url,
        posted_at=share.posted_at,
    )


async def cancel_share(uow: Uow, actor: Principal, share_id: str) -> Share:
    """Only a share still waiting for its time (or for a worker) can be cancelled."""
    share = await _own(uow, actor, share_id, lock=True)
    if share.status == CANCELLED:
        return share
    if share.status != SCHEDULED:
        raise Conflict(
            f"the share is {share.status} and can no longer be cancelled",
            slug="share-not-cancellable",
            share_status=share.status,
        )
    decided = share_state.decide(domain_state(share), share_state.Cancel())
    if isinstance(decided, share_state.Refusal):
        raise Conflict(decided.message, slug="share-not-cancellable", share_status=share.status)
    share.status = CANCELLED
    share.reason = "cancelled"
    share.updated_at = uow.now()
    share.version += 1
    return share
