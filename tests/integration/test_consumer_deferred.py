"""Deferred event types (ConsumerSpec `deferred`): the runner hands their records to a queue
handler, a poll at a time, routed by their CloudEvents headers (or, without them, their
parsed envelope), without parsing their payloads or claiming them in the inbox; whatever
applies the queue later claims them (`claim_events`), so a redelivered event is queued twice
and applied once. A body that is not an envelope is dead-lettered, the rest still queued."""

import asyncio
import json

from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec, Deferred, EventConsumer, claim_events
from resonance.common.db import Database
from resonance.common.events import Envelope, new_envelope
from resonance.common.events.catalogue import ContentPublished, ContentRetired
from resonance.devstack.testing import Infra, eventually
from resonance.metrics.store.tables import plumbing


async def test_deferred_events_are_queued_unclaimed_and_applied_once(infra: Infra) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    async with db.transaction() as s:
        await s.execute(text("create table queued (event_id text, content_id text)"))

    calls: list[int] = []
    tenants: set[str] = set()

    async def queue(session: AsyncSession, events: list[Deferred]) -> None:
        calls.append(len(events))
        tenants.update(event.tenant for event in events)
        for event in events:
            body = json.loads(event.body)  # as the applier would, much later
            await session.execute(
                text("insert into queued values (:i, :c)"),
                {"i": body["id"], "c": body["data"]["content_id"]},
            )

    async def retired(session: AsyncSession, event: ContentRetired, env: Envelope) -> None:
        """Not deferred: claimed by the runner as usual."""

    spec = ConsumerSpec(
        "test.deferred", {ContentRetired: retired}, deferred={ContentPublished: queue}
    )
    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    published = [
        new_envelope(
            "/t",
            "acme",
            ContentPublished(content_id=f"k{i}", family="market", format="text", title="t"),
        )
        for i in range(10)
    ]
    retirement = new_envelope("/t", "acme", ContentRetired(content_id="k0"))
    # Not validated on the way in: the applier sets such a payload aside (no dead letter).
    published[9].data["format"] = 42
    # k3 delivered twice (a redelivery); one key: one partition, so one poll sees them all.
    # The even ones carry the headers the outbox relay sets; the others are routed by parsing.
    for n, envelope in enumerate([*published, published[3], retirement]):
        # The header's tenant differs from the body's only to show which routing was used.
        headers = [("ce_id", envelope.id), ("ce_type", envelope.type), ("ce_tenant", "acme-h")]
        await producer.send_and_wait(
            prefix + "content",
            envelope.to_bytes(),
            key=b"k",
            headers=[(k, v.encode()) for k, v in headers] if n % 2 == 0 else None,
        )
    consumer = EventConsumer(
        spec,
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        producer,
        topic_prefix=prefix,
        kafka_options=infra.kafka.client_options(),
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())

    async def queued() -> int:
        async with db.session() as s:
            return int((await s.execute(text("select count(*) from queued"))).scalar_one())

    async def all_queued() -> bool:
        return await queued() == 11

    await eventually(all_queued, timeout=30)
    assert sum(calls) == 11 and min(calls) > 1  # whole polls, not one event at a time
    assert tenants == {"acme-h", "acme"}  # routed by headers where present, else parsed
    assert consumer.dead_lettered == 0
    # Routed as content.published by its headers, but not an envelope: dead-lettered.
    await producer.send_and_wait(
        prefix + "content",
        b"{not json",
        key=b"k",
        headers=[("ce_id", b"x"), ("ce_type", published[0].type.encode()), ("ce_tenant", b"a")],
    )

    async def dead_lettered() -> bool:
        return consumer.dead_lettered == 1

    await eventually(dead_lettered, timeout=30)
    assert sum(calls) == 11  # nothing queued for it
    consumer.stop()
    await asyncio.gather(task, return_exceptions=True)
    await consumer.close()
    await producer.stop()
    async with db.transaction() as s:
        inbox = set((await s.execute(text("select event_id from inbox"))).scalars())
        # Only the event that is not deferred was claimed by the runner.
        assert inbox == {retirement.id}
        ids = list((await s.execute(text("select event_id from queued"))).scalars())
        fresh = await claim_events(s, plumbing.inbox, "test.deferred", ids)
        assert fresh == {e.id for e in published}  # 11 rows, 10 events: k3 applied once
        assert await claim_events(s, plumbing.inbox, "test.deferred", ids) == set()
    await db.dispose()
