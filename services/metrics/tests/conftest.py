"""Fixtures for the metrics service's tests: a running service per module with a fixed clock,
and helpers to publish the other services' facts on the real Kafka.

Generic helpers (read_events, emit_event, of_type) come from resonance.devstack.testkit."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from resonance.common.events.catalogue import model_for
from resonance.common.events.envelope import Envelope, EventData, new_envelope
from resonance.devstack.testing import Infra, RunningService, running_service
from resonance.devstack.testkit import applied
from resonance.metrics.devtools.sample_facts import NOW
from resonance.metrics.events.facts import CONSUMED

Send = Callable[..., Awaitable[list[Envelope]]]


@pytest.fixture(scope="module")
async def metrics(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "metrics", digest_check_interval_s=3600, reengagement_interval_s=3600
    ) as svc:
        svc.runtime.clock = lambda: NOW
        yield svc


@pytest.fixture
def tenant() -> str:
    """A tenant of its own for each test, so tests sharing a service never see each other."""
    return f"t-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def send(infra: Infra, metrics: RunningService) -> Send:
    """Publishes events (or envelopes, to redeliver one) as the other services would."""

    async def publish(
        tenant: str,
        *items: EventData | Envelope,
        time: datetime | None = None,
        wait: bool = True,
    ) -> list[Envelope]:
        """`time` sets the envelopes' time: when the producer says the fact happened (what
        ambassador.* and submission.approved are dated by).

        Returns once the consumer has applied every event it handles (`wait=False` returns
        as soon as Kafka has them): facts arrive on several topics, so an enrolment sent
        before a share is not applied before it unless the test waits."""
        producer = AIOKafkaProducer(**infra.kafka_options())
        await producer.start()
        sent = []
        try:
            for item in items:
                envelope = item if isinstance(item, Envelope) else new_envelope("/t", tenant, item)
                if time is not None and not isinstance(item, Envelope):
                    envelope.time = time
                topic = metrics.settings.topic_prefix + _topic(envelope)
                await producer.send_and_wait(
                    topic, key=envelope.subject.encode(), value=envelope.to_bytes()
                )
                sent.append(envelope)
        finally:
            await producer.stop()
        if wait:
            await applied(metrics, *(e for e in sent if model_for(e.type) in CONSUMED), timeout=60)
        return sent

    return publish


def _topic(envelope: Envelope) -> str:
    return model_for(envelope.type).topic


@pytest.fixture(scope="module")
def processed(metrics: RunningService) -> Callable[[str], Awaitable[bool]]:
    """Whether the metrics consumer has applied the event with this id (its inbox says so)."""

    async def check(event_id: str) -> bool:
        async with metrics.runtime.db.session() as session:
            found = await session.execute(
                text("SELECT 1 FROM inbox WHERE consumer = 'metrics.facts' AND event_id = :id"),
                {"id": event_id},
            )
            return found.first() is not None

    return check
