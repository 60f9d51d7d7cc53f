"""A consumer takes nothing before the dead-letter topics of what it reads exist: a record it
could not dead-letter would hold back everything after it. A service's principal may not
create topics (ACLs), so the consumer waits, not ready, and starts once the topic appears;
a principal that may create them creates the missing one and goes on."""

import asyncio
from collections.abc import Awaitable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec, EventConsumer
from resonance.common.db import Database
from resonance.common.events import Envelope, new_envelope
from resonance.common.events.catalogue import ContentPublished
from resonance.devstack.testing import Infra, eventually, running_service
from resonance.metrics.store.tables import plumbing


async def _delete_topic(infra: Infra, name: str) -> None:
    admin = AIOKafkaAdminClient(**infra.kafka_options())
    await admin.start()
    try:
        await admin.delete_topics([name])

        async def gone() -> bool:
            return name not in await admin.list_topics()

        await eventually(gone)
    finally:
        await admin.close()


async def _committed(infra: Infra, group: str) -> dict[Any, Any]:
    admin = AIOKafkaAdminClient(**infra.kafka_options())
    await admin.start()
    try:

        async def offsets() -> dict[Any, Any] | None:
            try:
                found = await admin.list_consumer_group_offsets(group)
            except GroupCoordinatorNotAvailableError:
                return None  # the offsets topic of a fresh broker is still being set up
            return {tp: meta.offset for tp, meta in found.items()}

        result: dict[Any, Any] = (await eventually(lambda: _not_none(offsets())))[0]
        return result
    finally:
        await admin.close()


async def _not_none(value: Awaitable[Any]) -> Any:
    found = await value
    return (found,) if found is not None else None


async def _create_topic(infra: Infra, name: str) -> None:
    async def created() -> bool:
        try:
            await infra.kafka.create_topics_async([name])
        except Exception:
            return False  # the deletion may still be settling
        return True

    await eventually(created)


async def _consumer_over_content(
    infra: Infra, principal: str, group_prefix: str
) -> tuple[EventConsumer, Database, AIOKafkaProducer, str]:
    prefix = infra.new_prefix()
    await _delete_topic(infra, prefix + "content.dlq")
    db = Database(infra.new_database("metrics"))
    async with db.transaction() as s:
        await s.execute(text("create table effects (content_id text)"))

    async def apply(session: AsyncSession, event: ContentPublished, envelope: Envelope) -> None:
        await session.execute(text("insert into effects values (:c)"), {"c": event.content_id})

    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    data = ContentPublished(content_id="c-1", family="market", format="text", title="t")
    await producer.send_and_wait(
        prefix + "content", new_envelope("/test", "acme", data).to_bytes(), key=b"k"
    )
    consumer = EventConsumer(
        ConsumerSpec("effects", {ContentPublished: apply}),
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        producer,
        topic_prefix=prefix,
        group_prefix=prefix + group_prefix,
        kafka_options=infra.kafka.client_options(principal),
    )
    consumer.dead_letter_topics.first_delay_s = 0.05
    consumer.dead_letter_topics.max_delay_s = 0.2
    return consumer, db, producer, prefix


async def test_a_missing_dlq_topic_holds_the_consumer_until_it_exists(infra: Infra) -> None:
    # As the metrics service: may read and dead-letter the prefix's topics, not create them.
    consumer, db, producer, prefix = await _consumer_over_content(infra, "metrics", "metrics.")
    await consumer.start()
    task = asyncio.create_task(consumer.run())

    async def waiting() -> bool:
        return consumer.dead_letter_topics.missing_now == [prefix + "content.dlq"]

    await eventually(waiting)
    await asyncio.sleep(1.5)  # many looks, with backoff
    assert consumer.processed == 0
    assert consumer.consumer.subscription() == set()
    assert await _committed(infra, consumer.group_id) == {}
    assert not task.done()

    await _create_topic(infra, prefix + "content.dlq")

    async def applied() -> bool:
        return consumer.processed == 1

    await eventually(applied)
    assert consumer.dead_letter_topics.missing_now == []

    async def committed() -> bool:
        return list((await _committed(infra, consumer.group_id)).values()) == [1]

    await eventually(committed)
    consumer.stop()
    await task
    await consumer.close()
    await producer.stop()
    await db.dispose()


async def test_a_principal_allowed_to_create_creates_the_dlq_topic(infra: Infra) -> None:
    consumer, db, producer, prefix = await _consumer_over_content(infra, "admin", "")
    await consumer.start()
    task = asyncio.create_task(consumer.run())

    async def applied() -> bool:
        return consumer.processed == 1

    await eventually(applied)
    assert prefix + "content.dlq" in await consumer.consumer.topics()
    consumer.stop()
    await task
    await consumer.close()
    await producer.stop()
    await db.dispose()


async def test_readiness_names_the_missing_dlq_topic(infra: Infra) -> None:
    prefix = infra.new_prefix()
    missing = prefix + "content.dlq"
    await _delete_topic(infra, missing)
    async with running_service(infra, "metrics", prefix=prefix) as svc:

        async def not_ready() -> Any:
            answer = await svc.client.get("/readyz")
            return answer if answer.status_code == 503 else None

        answer = (await eventually(not_ready)).json()
        assert answer["status"] == "not ready"
        assert [v for v in answer["checks"].values() if missing in v]
        assert answer["checks"]["database"] == "ok" and answer["checks"]["kafka"] == "ok"

        await _create_topic(infra, missing)

        async def ready() -> bool:
            return (await svc.client.get("/readyz")).status_code == 200

        await eventually(ready, timeout=30)
