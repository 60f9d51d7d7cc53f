"""The consumer never skips a record: a failure while dead-lettering or committing sends it
back to the committed offset, and an outage of the database is waited out, not dead-lettered."""

import asyncio
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec, EventConsumer
from resonance.common.db import Database
from resonance.common.events import Envelope, new_envelope
from resonance.common.events.catalogue import ContentPublished
from resonance.common.supervisor import supervise
from resonance.devstack.testing import Infra, eventually
from resonance.metrics.store.tables import plumbing


class DlqFailsOnce:
    """A producer whose first dead-letter send fails, as with a missing DLQ topic or a
    broker timeout; everything else goes to the real producer."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self.failed = 0

    async def send_and_wait(self, topic: str, *args: Any, **kwargs: Any) -> Any:
        if topic.endswith(".dlq") and self.failed == 0:
            self.failed += 1
            raise KafkaConnectionError("DLQ unreachable")
        return await self._producer.send_and_wait(topic, *args, **kwargs)


def _published(content_id: str, title: str = "t") -> ContentPublished:
    return ContentPublished(content_id=content_id, family="market", format="text", title=title)


async def test_a_failed_dead_letter_skips_nothing(infra: Infra) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    async with db.transaction() as s:
        await s.execute(text("create table effects (content_id text)"))

    async def apply(session: AsyncSession, event: ContentPublished, envelope: Envelope) -> None:
        if event.title == "poison":
            raise RuntimeError("handler keeps failing")
        await session.execute(text("insert into effects values (:c)"), {"c": event.content_id})

    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    topic = prefix + "content"
    sent = [_published("good-0"), _published("bad", "poison")]
    sent += [_published(f"good-{i}") for i in range(1, 30)]
    for data in sent:  # one key: one partition, the poison early in the batch
        await producer.send_and_wait(
            topic, new_envelope("/test", "acme", data).to_bytes(), key=b"k"
        )

    flaky = DlqFailsOnce(producer)
    consumer = EventConsumer(
        ConsumerSpec("test.effects", {ContentPublished: apply}),
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        flaky,  # type: ignore[arg-type]
        topic_prefix=prefix,
        retry_backoff_s=0.01,
        kafka_options=infra.kafka.client_options(),
    )
    await consumer.start()
    # As in a service: the supervisor restarts the loop after the failure.
    task = asyncio.create_task(supervise("test consumer", consumer.run))

    async def all_applied() -> int:
        async with db.session() as s:
            n = (await s.execute(text("select count(distinct content_id) from effects"))).scalar()
        return n if n == 30 and consumer.dead_lettered == 1 else 0

    await eventually(all_applied, timeout=30)
    consumer.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await consumer.close()
    assert flaky.failed == 1
    async with db.session() as s:
        rows = (await s.execute(text("select content_id, count(*) from effects group by 1"))).all()
    assert {c for c, _ in rows} == {f"good-{i}" for i in range(30)}
    assert all(n == 1 for _, n in rows)
    await producer.stop()
    await db.dispose()


async def test_a_database_outage_is_waited_out_not_dead_lettered(infra: Infra) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    async with db.transaction() as s:
        await s.execute(text("create table effects (content_id text)"))
    outage = {"left": 6}

    async def apply(session: AsyncSession, event: ContentPublished, envelope: Envelope) -> None:
        if outage["left"] > 0:
            outage["left"] -= 1
            raise ConnectionResetError("connection to the database lost")
        await session.execute(text("insert into effects values (:c)"), {"c": event.content_id})

    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    await producer.send_and_wait(
        prefix + "content", new_envelope("/test", "acme", _published("only")).to_bytes(), key=b"k"
    )
    consumer = EventConsumer(
        ConsumerSpec("test.effects", {ContentPublished: apply}),
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        producer,
        topic_prefix=prefix,
        max_attempts=3,  # fewer than the outage's failures: it must not count them
        retry_backoff_s=0.01,
        max_transient_backoff_s=0.05,
        kafka_options=infra.kafka.client_options(),
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())

    async def applied() -> bool:
        return consumer.processed == 1

    await eventually(applied)
    consumer.stop()
    await task
    await consumer.close()
    assert consumer.dead_lettered == 0
    assert outage["left"] == 0
    await producer.stop()
    await db.dispose()
