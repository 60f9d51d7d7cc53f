"""Fixtures for the content service's tests: a running service per module, Kafka helpers."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorProfile,
    ShareMade,
)
from resonance.common.events.envelope import Envelope, EventData, new_envelope
from resonance.devstack.testing import Infra, RunningService, running_service

Emit = Callable[[str, EventData], Awaitable[Envelope]]


@pytest.fixture(scope="module")
async def content(infra: Infra) -> AsyncIterator[RunningService]:
    prefix = infra.new_prefix()
    async with running_service(
        infra,
        "content",
        prefix,
        scheduler_interval_s=0.2,
        source_poll_interval_s=0.5,
        allow_private_links_default=False,
    ) as svc:
        yield svc


@pytest.fixture(scope="module")
async def emit(infra: Infra, content: RunningService) -> AsyncIterator[Emit]:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka.bootstrap_servers)
    await producer.start()

    async def send(tenant: str, data: EventData) -> Envelope:
        envelope = new_envelope("/tests", tenant, data)
        await producer.send_and_wait(
            content.settings.topic_prefix + data.topic,
            key=envelope.subject.encode(),
            value=envelope.to_bytes(),
        )
        return envelope

    yield send
    await producer.stop()


async def read_events(
    infra: Infra,
    prefix: str,
    topic: str,
    want: Callable[[list[Envelope]], bool],
    timeout: float = 20,
) -> list[Envelope]:
    """Everything on `prefix+topic` from the beginning, until `want(events)` holds."""
    consumer = AIOKafkaConsumer(
        prefix + topic,
        bootstrap_servers=infra.kafka.bootstrap_servers,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    events: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                events.extend(Envelope.from_bytes(r.value) for r in records)
            if want(events):
                return events
    finally:
        await consumer.stop()
    raise AssertionError(f"events on {topic} not as wanted: {[e.type for e in events]}")


def enrolled(ambassador_id: str, **profile: Any) -> AmbassadorEnrolled:
    return AmbassadorEnrolled(
        ambassador_id=ambassador_id,
        programme_id=profile.pop("programme_id", "prog-1"),
        charter_version="1",
        profile=AmbassadorProfile(**profile),
    )


def shared(ambassador_id: str, content_id: str) -> ShareMade:
    return ShareMade(
        share_id=str(uuid.uuid4()),
        ambassador_id=ambassador_id,
        content_id=content_id,
        network="linkedin",
        shared_at=datetime.now(UTC),
    )
