"""A share from the API to the network and back, against the social sandbox, the posting
worker, real PostgreSQL and Kafka: shared now through the API, posted by the worker,
share.made starts the reach schedule, and the poller reads X's metrics an hour later."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import of_type, read_events
from resonance.sharing.service import reach
from resonance.sharing.service.networks import networks_of
from resonance.sharing.store.share_views import ShareReach

from .connect_kit import connect as connect_at_sandbox
from .connect_kit import posting_worker, posts_at
from .share_kit import enrol, publish

TENANT = "e2e"


@pytest.fixture(scope="module")
async def svc(infra: Infra, sandbox_server: RunningSandbox) -> AsyncIterator[RunningService]:
    settings = sharing_settings(
        sandbox_server.url, scheduler_interval_s=0.05, link_base_url="https://rsn.test/l"
    )
    async with (
        running_service(infra, "sharing", **settings) as svc,
        posting_worker(svc.settings),
    ):
        yield svc


async def test_shared_posted_and_measured(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    sandbox.reset(frozen=True)  # the sandbox's clock moves only when told
    ambassador_id, me = await enrol(infra, svc, TENANT, networks=["x"])
    connected = await connect_at_sandbox(svc, "x", me, username="chloe")
    assert connected.status_code == 200, connected.text
    item = await publish(infra, svc, TENANT)

    answer = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["x"]}, headers=me
    )
    assert answer.status_code == 201, answer.text
    [share] = answer.json()["shares"]
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "share",
        of_type("share.made", share_id=share["id"], ambassador_id=ambassador_id),
    )
    assert len(await posts_at(sandbox.url, "x", share["text"])) == 1  # posted exactly once
    read = (await svc.client.get(f"/v1/shares/{share['id']}", headers=me)).json()
    assert read["status"] == "posted" and read["permalink"] and read["reach"] is None

    async def scheduled() -> ShareReach | None:
        async with svc.runtime.db.session() as session:
            return (
                await session.execute(select(ShareReach).where(ShareReach.share_id == share["id"]))
            ).scalar_one_or_none()

    schedule = await eventually(scheduled)
    assert schedule.next_poll_at == schedule.posted_at + timedelta(hours=1)

    # One hour later at the network and for us. The sandbox's X posts reach 200 % of the
    # author's followers linearly over a day: chloe's 2,100 followers give, after 3,600 s,
    # 2100 * 200 * 3600 // (100 * 86400) = 175 impressions; reactions one per 50 (3),
    # comments one per 400 (0), reposts and quotes one per 500 and 2,000 (0), link clicks
    # one per 100 (1).
    sandbox.state.clock.advance(3600)
    runtime = svc.runtime
    real_clock = runtime.clock
    runtime.clock = lambda: real_clock() + timedelta(hours=1, minutes=1)
    try:
        assert await reach.poll_due(runtime, networks_of(runtime)) >= 1
    finally:
        runtime.clock = real_clock
    expected = {"impressions": 175, "reactions": 3, "comments": 0, "reshares": 0, "clicks": 1}
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "share",
        of_type("reach.measured", share_id=share["id"], measured=True, **expected),
    )
    latest = (await svc.client.get(f"/v1/shares/{share['id']}", headers=me)).json()["reach"]
    assert {k: latest[k] for k in expected} == expected and latest["measured"] is True
    # The next reading is due 6 h after posting.
    after = await scheduled()
    assert after is not None and after.next_poll_at == after.posted_at + timedelta(hours=6)
