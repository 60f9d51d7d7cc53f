"""Campaign auto-share: an ambassador opts in per network (recorded like consent, revocable);
when a campaign launches, their shares of its items are scheduled over the campaign window,
inside their working time and caps, each with its own caption variant (`automatic=true`)."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TypeAlias

from resonance.common.auth import Principal
from resonance.common.domain_errors import DomainError, Invalid
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.domain.auto_share import (
    OptedIn,
    PlannedShare,
    WorkingTime,
    plan_auto_shares,
)
from resonance.sharing.domain.networks import NetworkProfile, ShareMode, profile
from resonance.sharing.service import projection_rules as rules
from resonance.sharing.service import share_checks
from resonance.sharing.service.callers import ambassador_id_of, enrolled_caller
from resonance.sharing.service.dispatch import request_share
from resonance.sharing.service.policy import policy_of
from resonance.sharing.service.shares import new_share
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import autoshare_queries, views
from resonance.sharing.store.share_views import (
    AmbassadorView,
    AutoshareConsent,
    CampaignView,
    ContentView,
)
from resonance.sharing.store.tables import Connection

log = logging.getLogger(__name__)
Uow: TypeAlias = UnitOfWork[SharingSettings]
GRANTED = "granted"
REVOKED = "revoked"


@dataclass(frozen=True)
class Choice:
    network: str
    opted_in: bool
    recorded_at: datetime


def _automatable(network_name: str) -> NetworkProfile:
    network = share_checks.networks_of([network_name])[0]
    if network.mode is not ShareMode.API:
        raise Invalid(
            f"{network.label} has no posting API: it cannot be shared automatically",
            slug="network-not-automatable",
            network=network.network.value,
        )
    return network


async def choices(uow: Uow, actor: Principal) -> list[Choice]:
    ambassador_id = await ambassador_id_of(uow, actor)
    rows = await views.autoshare_choices(uow.session, actor.tenant, ambassador_id)
    return [Choice(r.network, r.action == GRANTED, r.recorded_at) for r in rows]


async def _record(uow: Uow, person: AmbassadorView, network: str, action: str) -> Choice:
    now = uow.now()
    current = {
        c.network: c
        for c in await views.autoshare_choices(uow.session, person.tenant, person.ambassador_id)
    }
    previous = current.get(network)
    if previous is not None and previous.action == action:
        return Choice(network, action == GRANTED, previous.recorded_at)  # nothing changes
    uow.session.add(
        AutoshareConsent(
            tenant=person.tenant,
            ambassador_id=person.ambassador_id,
            network=network,
            action=action,
            recorded_at=now,
        )
    )
    return Choice(network, action == GRANTED, now)


async def opt_in(uow: Uow, actor: Principal, network_name: str) -> Choice:
    network = _automatable(network_name)
    person = await enrolled_caller(uow, actor)
    share_checks.require_consent(person, network)
    return await _record(uow, person, network.network.value, GRANTED)


async def opt_out(uow: Uow, actor: Principal, network_name: str) -> Choice:
    """Always possible, enrolled or not: withdrawing never needs a permission."""
    network = share_checks.networks_of([network_name])[0]
    ambassador_id = await ambassador_id_of(uow, actor)
    person = AmbassadorView(tenant=actor.tenant, ambassador_id=ambassador_id, updated_at=uow.now())
    return await _record(uow, person, network.network.value, REVOKED)


def _clock_time(value: object) -> time | None:
    try:
        return time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def working_time(person: AmbassadorView) -> WorkingTime:
    """Working days and quiet hours from the person's profile; office hours by default."""
    p = person.profile
    days = tuple(int(d) for d in p.get("working_days") or [] if 1 <= int(d) <= 7)
    return WorkingTime(
        timezone=share_checks.timezone_of(person),
        working_days=days or WorkingTime().working_days,
        quiet_start=_clock_time(p.get("quiet_hours_start")),
        quiet_end=_clock_time(p.get("quiet_hours_end")),
    )


Eligible: TypeAlias = list[tuple[AmbassadorView, list[NetworkProfile]]]
Connected: TypeAlias = dict[tuple[str, str], Connection]


async def _eligible_people(uow: Uow, campaign: CampaignView) -> tuple[Eligible, Connected]:
    """Opted-in ambassadors, enrolled, in the campaign's audience, with, per person, the
    networks they consented to and have a working connection on (and those connections)."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for ambassador_id, name in await views.autoshare_opted_in(uow.session, campaign.tenant):
        wanted[ambassador_id].append(name)
    people = await views.ambassadors(uow.session, campaign.tenant, sorted(wanted))
    connections = await autoshare_queries.connected(uow.session, campaign.tenant, sorted(people))
    eligible: Eligible = []
    for ambassador_id, person in sorted(people.items()):
        if not rules.enrolled(
            person.memberships, person.employee_active, person.erased_at is not None
        ) or not rules.targeted(campaign.targeting, person.profile):
            continue
        consented = rules.consented_networks(person.memberships)
        networks = [
            profile(name)
            for name in wanted[ambassador_id]
            if profile(name).mode is ShareMode.API
            and name in consented
            and (ambassador_id, name) in connections
        ]
        if networks:
            eligible.append((person, networks))
    return eligible, connections


def _window(uow: Uow, campaign: CampaignView) -> tuple[datetime, datetime]:
    end = campaign.ends_at or campaign.starts_at + timedelta(
        days=uow.settings.autoshare_window_days
    )
    return campaign.starts_at, end


async def plan_campaign(
    uow: Uow, campaign: CampaignView, only_content: list[str] | None = None
) -> int:
    """Schedules the campaign's auto-shares (of `only_content`, when an item's publication
    arrives after the launch). Planning twice schedules nothing twice (fingerprints).

    One moment (`now`) and a few set queries for the whole audience: planning person by
    person read the clock again for each, so people reached after a short window's end were
    silently skipped, and thousands of people meant thousands of queries in one transaction."""
    now = uow.now()
    start, end = _window(uow, campaign)
    ids = only_content if only_content is not None else campaign.content_ids
    items = [
        item
        for item in await views.contents(uow.session, campaign.tenant, ids)
        if item.live and item.title and (item.expires_at is None or item.expires_at > now)
    ]
    if not items or end <= now:
        return 0
    policy = await policy_of(uow, campaign.tenant)
    eligible, connections = await _eligible_people(uow, campaign)
    since, until = share_checks.cap_window(max(start, now), end)
    slots = await autoshare_queries.slot_times(
        uow.session, campaign.tenant, [person.ambassador_id for person, _ in eligible], since, until
    )
    planned: list[tuple[AmbassadorView, PlannedShare, ContentView, str]] = []
    for person, networks in eligible:
        mine = [i for i in items if rules.targeted(i.targeting, person.profile)]
        if not mine:
            continue
        plan = plan_auto_shares(
            campaign_id=campaign.campaign_id,
            window_start=start,
            window_end=end,
            content_ids=[i.content_id for i in mine],
            people=[
                OptedIn(
                    person.ambassador_id,
                    tuple(n.network.value for n in networks),
                    working_time(person),
                    {
                        n.network.value: slots.get((person.ambassador_id, n.network.value), [])
                        for n in networks
                    },
                )
            ],
            caps=policy.caps,
            now=now,
        )
        by_id = {i.content_id: i for i in mine}
        planned += [
            (person, p, by_id[p.content_id], _fingerprint(campaign, p)) for p in plan.shares
        ]
    done = await autoshare_queries.existing_fingerprints(
        uow.session, campaign.tenant, [fingerprint for *_, fingerprint in planned]
    )
    scheduled = 0
    for person, share_plan, item, fingerprint in planned:
        if fingerprint in done:
            continue
        network = profile(share_plan.network)
        try:
            caption = share_checks.suggested_caption(person, item, network)
            composed = share_checks.compose(uow, item, network, caption, policy)
        except DomainError as exc:
            log.info("auto-share skipped (%s) for %s", exc.slug, share_plan.network.value)
            continue
        share = new_share(person, item, network, composed, share_plan.at, now)
        connection = connections.get((person.ambassador_id, network.network.value))
        share.connection_id = connection.id if connection is not None else None
        share.automatic = True
        share.fingerprint = fingerprint
        uow.session.add(share)
        if share_plan.at <= now:
            await request_share(uow, share)
        scheduled += 1
    log.info("campaign %s: %d auto-shares scheduled", campaign.campaign_id, scheduled)
    return scheduled


def _fingerprint(campaign: CampaignView, planned: PlannedShare) -> str:
    return (
        f"auto:{campaign.campaign_id}:{planned.content_id}:{planned.ambassador_id}:"
        f"{planned.network.value}"
    )
