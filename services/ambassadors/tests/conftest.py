"""Shared helpers for the ambassadors service tests (real PostgreSQL and Kafka)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from resonance.common.events.envelope import Envelope, EventData, new_envelope
from resonance.devstack.testing import Infra

EventReader = Callable[..., Awaitable[list[Envelope]]]
EventWriter = Callable[[str, str, EventData], Awaitable[Envelope]]


@pytest.fixture(scope="session")
def read_events(infra: Infra) -> EventReader:
    """Reads `prefix+topic` from the beginning until `until(envelopes)` holds (or times out)."""

    async def read(
        prefix: str,
        topic: str,
        until: Callable[[list[Envelope]], bool],
        timeout: float = 20.0,
    ) -> list[Envelope]:
        consumer = AIOKafkaConsumer(
            prefix + topic,
            bootstrap_servers=infra.kafka.bootstrap_servers,
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
                    seen.extend(Envelope.from_bytes(r.value) for r in records)
                if until(seen):
                    return seen
        finally:
            await consumer.stop()
        raise AssertionError(
            f"events on {topic} never satisfied the condition: {[e.type for e in seen]}"
        )

    return read


@pytest.fixture(scope="session")
def write_event(infra: Infra) -> EventWriter:
    async def write(prefix: str, tenant: str, data: EventData) -> Envelope:
        envelope = new_envelope("/test/hr-system", tenant, data)
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka.bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(
                prefix + data.topic, key=envelope.subject.encode(), value=envelope.to_bytes()
            )
        finally:
            await producer.stop()
        return envelope

    return write


def _of_type(event_type: str, **fields: Any) -> Callable[[list[Envelope]], bool]:
    def check(envelopes: list[Envelope]) -> bool:
        return any(
            e.type == event_type and all(e.data.get(k) == v for k, v in fields.items())
            for e in envelopes
        )

    return check


@pytest.fixture(scope="session")
def of_type() -> Callable[..., Callable[[list[Envelope]], bool]]:
    """`of_type("ambassador.left", reason="opt_out")`: a condition for `read_events`."""
    return _of_type
