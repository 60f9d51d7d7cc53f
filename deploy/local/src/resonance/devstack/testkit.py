"""Helpers every test module shares: reading and writing events on the real Kafka, conditions
on what was read. Import them from here, never from another test module or a conftest."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from resonance.common.events.envelope import Envelope, EventData, new_envelope
from resonance.devstack.testing import Infra, RunningService, eventually

Condition = Callable[[list[Envelope]], bool]


async def read_events(
    infra: Infra,
    prefix: str,
    topic: str,
    until: Condition,
    timeout: float = 20.0,  # noqa: ASYNC109 - a polling deadline, not a cancellation scope
) -> list[Envelope]:
    """Everything on `prefix+topic` from the beginning, read until `until(events)` holds."""
    consumer = AIOKafkaConsumer(
        prefix + topic,
        **infra.kafka_options(),
        group_id=f"test-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                seen.extend(Envelope.from_bytes(r.value or b"") for r in records)
            if until(seen):
                return seen
    finally:
        await consumer.stop()
    raise AssertionError(
        f"events on {topic} never satisfied the condition: {[e.type for e in seen]}"
    )


async def emit_event(
    infra: Infra, prefix: str, tenant: str, data: EventData, source: str = "/tests"
) -> Envelope:
    """Publishes one event as another service (or an HR system) would: keyed by its subject."""
    envelope = new_envelope(source, tenant, data)
    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    try:
        await producer.send_and_wait(
            prefix + data.topic, key=envelope.subject.encode(), value=envelope.to_bytes()
        )
    finally:
        await producer.stop()
    return envelope


def of_type(event_type: str, **fields: Any) -> Condition:
    """`of_type("ambassador.left", reason="opt_out")`: some event of that type with those fields."""

    def check(envelopes: list[Envelope]) -> bool:
        return any(
            e.type == event_type and all(e.data.get(k) == v for k, v in fields.items())
            for e in envelopes
        )

    return check


def count_of(event_type: str, n: int) -> Condition:
    """At least `n` events of that type."""
    return lambda envelopes: sum(e.type == event_type for e in envelopes) >= n


async def applied(
    svc: RunningService,
    *envelopes: Envelope,
    timeout: float = 20.0,  # noqa: ASYNC109 - a polling deadline, not a cancellation scope
) -> None:
    """Waits until the service's consumers have applied (or skipped as seen) all these
    events: their ids are in its inbox."""
    wanted = {e.id for e in envelopes}
    if not wanted:
        return
    inbox = svc.runtime.tables.inbox
    query = select(func.count()).where(inbox.c.event_id.in_(wanted))

    async def done() -> bool:
        async with svc.runtime.db.session() as session:
            return (await session.execute(query)).scalar_one() == len(wanted)

    await eventually(done, timeout=timeout)
