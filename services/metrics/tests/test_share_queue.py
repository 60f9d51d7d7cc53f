"""share.made taken in by the consumer and folded into the aggregates by the fold job
(service/fold.py, jobs/fold.py): applied once however often it is queued, a row that cannot
be applied parked without holding up the rest, and nothing that follows a post (its reach,
the person's erasure) lands before it while it waits in the queue."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from resonance.common.consumer import Deferred
from resonance.common.events import new_envelope
from resonance.common.events.catalogue import AmbassadorErased, ReachMeasured, ShareMade
from resonance.devstack.testing import (
    Infra,
    RunningService,
    eventually,
    running_service,
    service_settings,
)
from resonance.devstack.testkit import applied
from resonance.metrics.devtools.sample_facts import at, enrolment, share
from resonance.metrics.folder import create_folder_app
from resonance.metrics.service import erasure, fold, people, shares
from resonance.metrics.service.people import ANONYMOUS_PREFIX
from resonance.metrics.store import share_queue


async def _one(svc: RunningService, sql: str, **params: Any) -> Any:
    async with svc.runtime.db.session() as session:
        return (await session.execute(text(sql), params)).scalar()


def _queue_empty(svc: RunningService, tenant: str) -> Callable[[], Any]:
    async def empty() -> bool:
        waiting = await _one(
            svc, "SELECT count(*) FROM share_queue WHERE tenant = :t AND parked IS NULL", t=tenant
        )
        return waiting == 0

    return empty


async def test_a_share_delivered_twice_is_folded_once(
    metrics: RunningService, tenant: str, send: Any
) -> None:
    await send(tenant, enrolment("ann"), time=at(1))
    envelope = new_envelope("/t", tenant, share("ann", 1, at(4)))
    await send(tenant, envelope)
    await send(tenant, envelope)  # a redelivery: queued again, claimed already
    await eventually(_queue_empty(metrics, tenant), timeout=30)
    counted = await _one(
        metrics,
        "SELECT shares FROM ambassador_counters WHERE tenant = :t AND ambassador_id = 'ann'",
        t=tenant,
    )
    assert counted == 1
    claims = await _one(metrics, "SELECT count(*) FROM inbox WHERE event_id = :id", id=envelope.id)
    assert claims == 1


async def test_a_row_that_cannot_be_applied_is_parked_and_the_rest_flows(
    metrics: RunningService, tenant: str, send: Any
) -> None:
    await send(tenant, enrolment("bob"), time=at(1))
    async with metrics.runtime.db.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO share_queue (event_id, tenant, ambassador_id, data) "
                "VALUES ('broken-' || :t, :t, 'bob', '{\"share_id\": 7}')"
            ),
            {"t": tenant},
        )
    await send(tenant, share("bob", 1, at(4)), share("bob", 2, at(5)))

    async def parked() -> Any:
        return await _one(
            metrics,
            "SELECT parked FROM share_queue WHERE tenant = :t AND parked IS NOT NULL",
            t=tenant,
        )

    await eventually(parked, timeout=30)
    # Where and why, never the values: the reason may be read by whoever operates the service.
    assert await parked() == (
        "ValidationError: 4 error(s): share_id: string_type; ambassador_id: missing; "
        "network: missing; shared_at: missing"
    )
    counted = await _one(
        metrics,
        "SELECT shares FROM ambassador_counters WHERE tenant = :t AND ambassador_id = 'bob'",
        t=tenant,
    )
    assert counted == 2
    # What the fold job's gauges report (other tests' rows may be parked too).
    async with metrics.runtime.db.session() as session:
        _, stuck = await share_queue.health(session)
    assert stuck >= 1


async def test_reach_of_a_queued_post_folds_the_post_first(
    metrics: RunningService, tenant: str
) -> None:
    posted = share("cid", 1, at(4), content="k1")
    # One transaction: the fold job cannot see the queued row before the reach needs it.
    async with metrics.runtime.unit_of_work() as uow:
        await people.enrolled(uow, tenant, enrolment("cid"), at(1))
        await fold.queue(uow, [Deferred.of(new_envelope("/t", tenant, posted))])
        reach = ReachMeasured(
            share_id=posted.share_id,
            ambassador_id="cid",
            network="linkedin",
            impressions=800,
            measured_at=at(9),
        )
        await shares.reached(uow, tenant, reach)
    async with metrics.runtime.db.session() as session:
        row = (
            await session.execute(
                text(
                    "SELECT made, day, content_id, impressions FROM share_facts WHERE tenant = :t"
                ),
                {"t": tenant},
            )
        ).one()
    # Placed on the day it was shared (4 May), not the measurement's (9 May), under its item.
    assert (row.made, row.day.day, row.content_id, row.impressions) == (True, 4, "k1", 800)


async def test_an_erasure_folds_the_persons_queued_posts_first(
    metrics: RunningService, tenant: str
) -> None:
    posts = [share("dan", 1, at(4)), share("dan", 2, at(5))]
    async with metrics.runtime.unit_of_work() as uow:
        await people.enrolled(uow, tenant, enrolment("dan"), at(1))
        await fold.queue(uow, [Deferred.of(new_envelope("/t", tenant, p)) for p in posts])
        await erasure.erased(uow, tenant, AmbassadorErased(ambassador_id="dan"))
    # Both shares count under an anonymous id; nothing of dan waits or stays.
    rows = await _one(
        metrics,
        "SELECT array_agg(DISTINCT ambassador_id) || array_agg(shares::text) "
        "FROM ambassador_daily WHERE tenant = :t",
        t=tenant,
    )
    anonymous, *counts = rows
    assert anonymous.startswith(ANONYMOUS_PREFIX) and sorted(counts) == ["1", "1"]
    assert await _one(metrics, "SELECT count(*) FROM share_queue WHERE tenant = :t", t=tenant) == 0


async def test_a_fold_process_of_its_own_is_woken_by_what_the_consumers_queue(
    infra: Infra, tenant: str
) -> None:
    """Consumers with the fold off only queue; a fold app of its own (as `python -m
    resonance.metrics.folder` runs it, separate pools) applies the row at once: its poll of
    an empty queue (60 s) is far longer than the test, so only the queue's NOTIFY can wake
    it in time."""
    settings = service_settings(
        infra, "metrics", infra.new_prefix(), fold_in_consumers=False, fold_idle_interval_s=60
    )
    envelope = new_envelope("/t", tenant, share("eve", 1, at(4)))
    async with running_service(infra, "metrics", settings=settings) as svc:
        producer = AIOKafkaProducer(**infra.kafka_options())
        await producer.start()
        try:
            await producer.send_and_wait(
                settings.topic_prefix + ShareMade.topic,
                envelope.to_bytes(),
                key=envelope.subject.encode(),
            )
        finally:
            await producer.stop()
        queued = "SELECT count(*) FROM share_queue WHERE event_id = :id"
        await eventually(lambda: _one(svc, queued, id=envelope.id), timeout=20)
        await asyncio.sleep(1)
        assert await _one(svc, queued, id=envelope.id) == 1  # nothing folds in the consumers
        async with LifespanManager(create_folder_app(settings), startup_timeout=60):
            await asyncio.sleep(1)  # the fold's first look is over: it waits for its poll
            started = time.monotonic()
            second = new_envelope("/t", tenant, share("eve", 2, at(5)))
            async with svc.runtime.unit_of_work() as uow:  # queued as the consumer does
                await fold.queue(uow, [Deferred.of(second)])
            await applied(svc, second, timeout=20)
            assert time.monotonic() - started < 10  # at its poll: 60 s
            await applied(svc, envelope, timeout=5)
