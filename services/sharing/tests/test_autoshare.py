"""Campaign auto-share on the real Kafka and PostgreSQL: opt-in per network, recorded with its
time and revocable; campaign.launched schedules the opted-in ambassadors' shares inside the
campaign window and their working hours, once, each with a caption variant."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from resonance.common.events.catalogue import CampaignLaunched, Caption, ContentPublished
from resonance.devstack.testing import Infra, RunningService, running_service
from resonance.devstack.testkit import applied
from resonance.sharing.service import autoshare
from resonance.sharing.store.share_views import CampaignView
from resonance.sharing.store.tables import Share

from .share_kit import connect, emit_at, enrol, new_id, publish

TENANT = "auto"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(infra, "sharing", link_base_url="https://rsn.test/l") as svc:
        yield svc


async def _shares_of(svc: RunningService, ambassador_id: str, tenant: str = TENANT) -> list[Share]:
    async with svc.runtime.db.session() as session:
        rows = await session.execute(
            select(Share).where(Share.tenant == tenant, Share.ambassador_id == ambassador_id)
        )
        return list(rows.scalars())


async def test_opt_in_is_recorded_and_revocable(infra: Infra, svc: RunningService) -> None:
    _, me = await enrol(infra, svc, TENANT, networks=["linkedin", "facebook"])
    opted = await svc.client.put("/v1/autoshare/linkedin", headers=me)
    assert opted.status_code == 200 and opted.json()["opted_in"] is True
    # Intent networks cannot be posted for anyone; networks not consented are refused.
    refused = await svc.client.put("/v1/autoshare/facebook", headers=me)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/network-not-automatable")
    assert (await svc.client.put("/v1/autoshare/x", headers=me)).status_code == 403
    revoked = await svc.client.delete("/v1/autoshare/linkedin", headers=me)
    assert revoked.json()["opted_in"] is False
    choices = (await svc.client.get("/v1/autoshare", headers=me)).json()["choices"]
    assert [(c["network"], c["opted_in"]) for c in choices] == [("linkedin", False)]


async def test_campaign_launch_schedules_opted_in_people(infra: Infra, svc: RunningService) -> None:
    prefix = svc.settings.topic_prefix
    campaign_id = new_id()
    volunteer, me = await enrol(infra, svc, TENANT, networks=["linkedin"], timezone="Asia/Tokyo")
    await connect(svc, TENANT, volunteer, "linkedin")
    assert (await svc.client.put("/v1/autoshare/linkedin", headers=me)).status_code == 200
    changed_mind, theirs = await enrol(infra, svc, TENANT, networks=["linkedin"])
    await connect(svc, TENANT, changed_mind, "linkedin")
    await svc.client.put("/v1/autoshare/linkedin", headers=theirs)
    await svc.client.delete("/v1/autoshare/linkedin", headers=theirs)
    bystander, _ = await enrol(infra, svc, TENANT, networks=["linkedin"])
    await connect(svc, TENANT, bystander, "linkedin")
    variants = [Caption(network="linkedin", language="en", text=f"Variant {n}") for n in range(3)]
    items = [
        await publish(infra, svc, TENANT, campaign_id=campaign_id, captions=variants)
        for _ in range(2)
    ]
    now = datetime.now(UTC)
    starts, ends = now, now + timedelta(days=3)
    launch = CampaignLaunched(
        campaign_id=campaign_id, name="Spring", starts_at=starts, ends_at=ends, content_ids=items
    )
    first = await emit_at(infra, prefix, TENANT, launch)
    # A second launch event (a relaunch): nothing is scheduled twice.
    second = await emit_at(infra, prefix, TENANT, launch, now + timedelta(seconds=1))
    await applied(svc, first, second)

    planned = await _shares_of(svc, volunteer)
    assert sorted(s.content_id for s in planned) == sorted(items)  # one per item
    tokyo = ZoneInfo("Asia/Tokyo")
    for share in planned:
        assert share.automatic and share.status == "scheduled" and share.network == "linkedin"
        assert share.campaign_id == campaign_id
        assert starts <= share.scheduled_for < ends
        # Inside the default working hours (09:00-18:00) of the person's own time zone.
        local = share.scheduled_for.astimezone(tokyo).time()
        assert time(9) <= local < time(18), local
        assert share.text.split(" #employee")[0] in {"Variant 0", "Variant 1", "Variant 2"}
        assert share.fingerprint == f"auto:{campaign_id}:{share.content_id}:{volunteer}:linkedin"
    assert await _shares_of(svc, changed_mind) == []
    assert await _shares_of(svc, bystander) == []


async def test_items_published_after_the_launch_are_planned(
    infra: Infra, svc: RunningService
) -> None:
    """content.published and campaign.launched travel on different topics: the launch may be
    applied before its items arrive. Each item is then planned when it arrives."""
    prefix = svc.settings.topic_prefix
    campaign_id, late_item = new_id(), new_id()
    volunteer, me = await enrol(infra, svc, TENANT, networks=["mastodon"])
    await connect(svc, TENANT, volunteer, "mastodon")
    await svc.client.put("/v1/autoshare/mastodon", headers=me)
    now = datetime.now(UTC)
    launch = CampaignLaunched(
        campaign_id=campaign_id,
        name="Late",
        starts_at=now,
        ends_at=now + timedelta(days=2),
        content_ids=[late_item],
    )
    await applied(svc, await emit_at(infra, prefix, TENANT, launch))
    assert await _shares_of(svc, volunteer) == []

    published = ContentPublished(
        content_id=late_item,
        family="company",
        format="link",
        title="Arrived late",
        url="https://example.com/late",
        campaign_id=campaign_id,
    )
    await applied(svc, await emit_at(infra, prefix, TENANT, published))
    [share] = await _shares_of(svc, volunteer)
    assert (share.content_id, share.network, share.automatic) == (late_item, "mastodon", True)
    # No caption variant for the item: its title is the caption.
    assert share.text.startswith("Arrived late\n")


def _zone_at_midday(now: datetime) -> str:
    # A fixed-offset zone where it is around noon now, so a short window lies inside the
    # default working hours whenever the test runs (Etc/GMT signs are inverted by POSIX).
    offset = (12 - now.hour + 12) % 24 - 12
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


async def test_a_launch_is_planned_at_one_moment_for_the_whole_audience(
    infra: Infra, svc: RunningService
) -> None:
    """Planning reads the clock once: with a clock that moves 3 minutes each time it is read,
    people planned later must not fall past a ten-minute window's end (they used to: each
    person read the clock again, and a long plan silently skipped the last ones).

    A tenant of its own: the module's other volunteers, opted in and inside their working
    hours whenever the test runs, would join this campaign's audience."""
    tenant = "auto-flash"
    campaign_id = new_id()
    now = datetime.now(UTC).replace(microsecond=0)
    zone = _zone_at_midday(now)
    people = []
    for _ in range(6):
        who, headers = await enrol(infra, svc, tenant, networks=["mastodon"], timezone=zone)
        await connect(svc, tenant, who, "mastodon")
        assert (await svc.client.put("/v1/autoshare/mastodon", headers=headers)).status_code == 200
        people.append(who)
    item = await publish(infra, svc, tenant, campaign_id=campaign_id)
    campaign = CampaignView(
        tenant=tenant,
        campaign_id=campaign_id,
        name="Flash",
        starts_at=now,
        ends_at=now + timedelta(minutes=10),
        content_ids=[item],
        version_at=now,
    )
    reads = 0

    def moving_clock() -> datetime:
        nonlocal reads
        reads += 1
        return now + timedelta(minutes=3 * (reads - 1))

    async with svc.runtime.unit_of_work() as uow:
        scheduled = await autoshare.plan_campaign(replace(uow, clock=moving_clock), campaign)
    assert scheduled == len(people)
    for who in people:
        [share] = await _shares_of(svc, who, tenant)
        assert share.automatic and now <= share.scheduled_for < now + timedelta(minutes=10)
