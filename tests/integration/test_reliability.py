"""Outbox relay and consumer runner guarantees, against the real PostgreSQL and Kafka."""

import asyncio
import uuid
from collections import Counter, defaultdict
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec, EventConsumer
from resonance.common.db import Database
from resonance.common.dlq import replay_dead_letters
from resonance.common.events import Envelope, new_envelope
from resonance.common.events.catalogue import ContentPublished
from resonance.common.outbox import (
    OUTBOX_LOCK_NAMESPACE,
    Outbox,
    OutboxRelay,
    make_producer,
    shard_of,
)
from resonance.devstack.testing import Infra, eventually
from resonance.metrics.store.tables import plumbing

EVENTS = 600


def _published(content_id: str) -> ContentPublished:
    return ContentPublished(content_id=content_id, family="market", format="text", title="t")


async def _fill_outbox(db: Database, outbox: Outbox, events: int, keys: int) -> list[Envelope]:
    envelopes = []
    async with db.transaction() as session:
        for i in range(events):
            envelopes.append(await outbox.add(session, "acme", _published(f"item-{i % keys}")))
    return envelopes


async def _read_topic(infra: Infra, topic: str, expected: int, timeout: float = 20) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        **infra.kafka_options(),
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        idle_until = None
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            got = [r for rs in batch.values() for r in rs]
            records.extend(got)
            if len(records) >= expected:
                # Keep listening briefly so duplicates beyond `expected` are seen too.
                idle_until = idle_until or loop.time() + 1.5
                if loop.time() > idle_until:
                    break
    finally:
        await consumer.stop()
    return records


async def test_concurrent_relays_publish_each_event_exactly_once_in_key_order(
    infra: Infra,
) -> None:
    # Small batches and three relays make hand-overs of a key between relays frequent: the
    # moment a relay could send a later event of a key before an earlier one.
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    outbox = Outbox(plumbing.outbox, "/test", prefix)
    envelopes = await _fill_outbox(db, outbox, events=EVENTS, keys=40)
    producers = [
        make_producer(infra.kafka.bootstrap_servers, f"relay-{i}", **infra.kafka.client_options())
        for i in range(3)
    ]
    for p in producers:
        await p.start()
    relays = [
        OutboxRelay(db, plumbing.outbox, p, batch_size=7, poll_interval_s=0.001) for p in producers
    ]
    tasks = [asyncio.create_task(r.run()) for r in relays]

    async def drained() -> bool:
        async with db.session() as s:
            left = await s.execute(text("select count(*) from outbox where sent_at is null"))
            return left.scalar_one() == 0

    await eventually(drained)
    for r in relays:
        r.stop()
    await asyncio.gather(*tasks)
    for p in producers:
        await p.stop()
    await db.dispose()

    records = await _read_topic(infra, prefix + "content", expected=EVENTS)
    ids = Counter(Envelope.from_bytes(r.value).id for r in records)
    assert len(ids) == EVENTS
    assert max(ids.values()) == 1, "an event was published twice"
    # Per-key order: within a key, the events come out in the order they were written.
    written: dict[str, list[str]] = defaultdict(list)
    for e in envelopes:
        written[e.subject].append(e.id)
    seen: dict[str, list[str]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        seen[r.key.decode()].append(Envelope.from_bytes(r.value).id)
    assert seen == written


class Crash(Exception):
    pass


async def test_relay_killed_between_send_and_mark_loses_nothing_and_counts_once(
    infra: Infra,
) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    outbox = Outbox(plumbing.outbox, "/test", prefix)
    await _fill_outbox(db, outbox, events=20, keys=20)
    producer = make_producer(
        infra.kafka.bootstrap_servers, "relay-crash", **infra.kafka.client_options()
    )
    await producer.start()

    async def crash_after_send(rows: Any) -> None:
        raise Crash  # the records are on Kafka, the rows are not marked

    crashing = OutboxRelay(db, plumbing.outbox, producer, after_send=crash_after_send)
    try:
        await crashing.relay_once()
        raise AssertionError("the relay should have crashed")
    except Crash:
        pass
    async with db.session() as s:
        unsent = await s.execute(text("select count(*) from outbox where sent_at is null"))
        assert unsent.scalar_one() == 20, "a crash before marking must leave the rows pending"

    assert await OutboxRelay(db, plumbing.outbox, producer).relay_once() == 20
    records = await _read_topic(infra, prefix + "content", expected=40)
    assert len(records) == 40  # at-least-once on the wire: every event twice

    # ...and effectively once where it matters: the idempotent consumer applies each once.
    async with db.transaction() as s:
        await s.execute(text("create table effects (content_id text)"))

    async def apply(session: AsyncSession, event: ContentPublished, envelope: Envelope) -> None:
        await session.execute(
            text("insert into effects values (:c)"), {"c": envelope.data["content_id"]}
        )

    spec = ConsumerSpec("test.effects", {ContentPublished: apply})
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

    async def applied() -> int:
        return consumer.processed if consumer.processed >= 20 else 0

    await eventually(applied)
    await asyncio.sleep(1)  # let the duplicates arrive too
    consumer.stop()
    await task
    await consumer.close()
    async with db.session() as s:
        rows = (await s.execute(text("select content_id, count(*) from effects group by 1"))).all()
    assert len(rows) == 20
    assert all(count == 1 for _, count in rows)
    await producer.stop()
    await db.dispose()


async def test_consumer_applies_a_redelivered_event_once_and_dead_letters_poison(
    infra: Infra,
) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    async with db.transaction() as s:
        await s.execute(text("create table effects (content_id text)"))

    async def apply(session: AsyncSession, event: ContentPublished, envelope: Envelope) -> None:
        if envelope.data["title"] == "poison":
            raise RuntimeError("handler keeps failing")
        await session.execute(
            text("insert into effects values (:c)"), {"c": envelope.data["content_id"]}
        )

    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    good = new_envelope("/test", "acme", _published("good-1"))
    poison = new_envelope(
        "/test",
        "acme",
        ContentPublished(content_id="bad", family="market", format="text", title="poison"),
    )
    after = new_envelope("/test", "acme", _published("good-2"))
    topic = prefix + "content"
    # Same partition (same key) so the poison sits between two good events.
    for envelope in (good, good, poison, after, good):
        await producer.send_and_wait(topic, envelope.to_bytes(), key=b"k")
    await producer.send_and_wait(topic, b"{not json", key=b"k")

    spec = ConsumerSpec("test.effects", {ContentPublished: apply})
    metric_reader = InMemoryMetricReader()
    consumer = EventConsumer(
        spec,
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        producer,
        topic_prefix=prefix,
        max_attempts=3,
        retry_backoff_s=0.01,
        meter_provider=MeterProvider(metric_readers=[metric_reader]),
        kafka_options=infra.kafka.client_options(),
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())

    async def done() -> bool:
        return consumer.dead_lettered == 2

    await eventually(done)
    consumer.stop()
    await task
    await consumer.close()

    async with db.session() as s:
        rows = (await s.execute(text("select content_id from effects order by 1"))).scalars().all()
    assert rows == ["good-1", "good-2"]  # duplicates of good-1 applied once; consumer moved on
    assert _metric_total(metric_reader, "resonance.events.applied") == 2
    assert _metric_total(metric_reader, "resonance.events.dead_lettered") == 2

    dead = await _read_topic(infra, topic + ".dlq", expected=2)
    assert len(dead) == 2
    headers = dict(dead[0].headers)
    assert headers["dlq.error"].decode().startswith("RuntimeError: handler keeps failing")
    assert headers["dlq.attempts"] == b"3"
    assert headers["dlq.original.topic"].decode() == topic
    assert Envelope.from_bytes(dead[0].value).id == poison.id
    assert dict(dead[1].headers)["dlq.error"].decode().startswith("unparseable event")

    # The committed offset is past everything: a restarted consumer does not redo the work.
    restarted = EventConsumer(
        spec,
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        producer,
        topic_prefix=prefix,
        kafka_options=infra.kafka.client_options(),
    )
    await restarted.start()
    task = asyncio.create_task(restarted.run())
    await asyncio.sleep(2)
    restarted.stop()
    await task
    await restarted.close()
    assert restarted.processed == 0 and restarted.dead_lettered == 0

    # Once the cause is fixed, replaying the dead letters applies the poison event.
    fixed = ConsumerSpec("test.effects", {ContentPublished: fixed_apply})
    replayed = await replay_dead_letters(
        infra.kafka.bootstrap_servers,
        topic + ".dlq",
        producer,
        kafka_options=infra.kafka.client_options(),
    )
    assert replayed == 2
    again = EventConsumer(
        fixed,
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        producer,
        topic_prefix=prefix,
        kafka_options=infra.kafka.client_options(),
    )
    await again.start()
    task = asyncio.create_task(again.run())

    async def replay_applied() -> bool:
        return again.processed == 1 and again.dead_lettered == 1  # the unparseable one stays dead

    await eventually(replay_applied)
    again.stop()
    await task
    await again.close()
    async with db.session() as s:
        rows = (await s.execute(text("select content_id from effects order by 1"))).scalars().all()
    assert rows == ["bad", "good-1", "good-2"]
    await producer.stop()
    await db.dispose()


def _metric_total(reader: InMemoryMetricReader, name: str) -> float:
    data = reader.get_metrics_data()
    return sum(
        point.value
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
        if metric.name == name
        for point in metric.data.data_points
    )


async def fixed_apply(session: AsyncSession, event: ContentPublished, envelope: Envelope) -> None:
    await session.execute(
        text("insert into effects values (:c)"), {"c": envelope.data["content_id"]}
    )


async def test_a_relay_leaves_alone_the_shards_another_relay_is_sending(infra: Infra) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    outbox = Outbox(plumbing.outbox, "/test", prefix)
    envelopes = await _fill_outbox(db, outbox, events=3, keys=1)  # three events of one key
    shard = shard_of(envelopes[0].subject)
    producer = make_producer(
        infra.kafka.bootstrap_servers, "relay-handover", **infra.kafka.client_options()
    )
    await producer.start()
    relay = OutboxRelay(db, plumbing.outbox, producer)
    async with db.transaction() as other_relay:
        # Another relay holds the shard and is sending the first event.
        await other_relay.execute(
            text("select pg_advisory_xact_lock(:ns, :shard)"),
            {"ns": OUTBOX_LOCK_NAMESPACE, "shard": shard},
        )
        assert await relay.relay_once() == 0
        await other_relay.execute(
            text("update outbox set sent_at = now() where event_id = :id"),
            {"id": envelopes[0].id},
        )
    # Hand-over: the rest of the key goes out in order, the first event not again.
    assert await relay.relay_once() == 2
    records = await _read_topic(infra, prefix + "content", expected=2)
    assert [Envelope.from_bytes(r.value).id for r in records] == [e.id for e in envelopes[1:]]
    await producer.stop()
    await db.dispose()
