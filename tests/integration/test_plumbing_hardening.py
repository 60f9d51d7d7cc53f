"""Plumbing under hostile conditions: an event Kafka would refuse, two replicas migrating at
once."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from resonance.common.db import Database
from resonance.common.events.catalogue import ContentPublished
from resonance.common.outbox import EventTooLarge, Outbox, OutboxRelay, make_producer
from resonance.devstack.testing import Infra
from resonance.metrics.store.tables import plumbing

REPO = Path(__file__).resolve().parents[2]


def _event(content_id: str, title: str = "t") -> ContentPublished:
    return ContentPublished(content_id=content_id, family="market", format="text", title=title)


async def test_an_event_over_the_limit_is_refused_when_written(infra: Infra) -> None:
    db = Database(infra.new_database("metrics"))
    outbox = Outbox(plumbing.outbox, "/test", max_event_bytes=10_000)
    with pytest.raises(EventTooLarge) as refused:
        async with db.transaction() as session:
            await outbox.add(session, "acme", _event("c-1", "x" * 20_000))
    assert refused.value.status == 422 and refused.value.slug == "event-too-large"
    async with db.session() as session:
        assert (await session.execute(text("select count(*) from outbox"))).scalar() == 0
    await db.dispose()


async def test_many_events_are_written_in_order_or_none_if_one_is_too_large(
    infra: Infra,
) -> None:
    db = Database(infra.new_database("metrics"))
    outbox = Outbox(plumbing.outbox, "/test", max_event_bytes=10_000)
    with pytest.raises(EventTooLarge):
        async with db.transaction() as session:
            await outbox.add_many(session, "acme", [_event("a"), _event("b", "x" * 20_000)])
    async with db.transaction() as session:
        written = await outbox.add_many(session, "acme", [_event(f"c-{i}") for i in range(3)])
        assert await outbox.add_many(session, "acme", []) == []
    async with db.session() as session:
        rows = (
            await session.execute(
                text(
                    "select event_id, tenant, key, payload::json->'data'->>'content_id' "
                    "from outbox order by seq"
                )
            )
        ).all()
    # Nothing of the refused call; the three others in the order given, one envelope each.
    assert [tuple(r) for r in rows] == [
        (e.id, "acme", f"c-{i}", f"c-{i}") for i, e in enumerate(written)
    ]
    await db.dispose()


async def test_a_row_kafka_refuses_is_parked_and_the_others_flow(infra: Infra) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))
    outbox = Outbox(plumbing.outbox, "/test", topic_prefix=prefix, max_event_bytes=4_000_000)
    async with db.transaction() as session:
        await outbox.add(session, "acme", _event("before"))
        # 1.5 MB: above the producer's and the broker's 1 MB limit (written before the limit
        # on writes existed, or with a limit set too high).
        await outbox.add(session, "acme", _event("huge", "x" * 1_500_000))
        await outbox.add(session, "acme", _event("after"))
    producer = make_producer(
        infra.kafka.bootstrap_servers, "test-relay", **infra.kafka.client_options()
    )
    await producer.start()
    relay = OutboxRelay(db, plumbing.outbox, producer)
    assert await relay.relay_once() == 3
    assert await relay.relay_once() == 0  # nothing left pending: the huge row is parked
    async with db.session() as session:
        rows = (
            await session.execute(
                text(
                    "select payload::json->'data'->>'content_id', sent_at is not null, "
                    "parked_at is not null, error from outbox order by seq"
                )
            )
        ).all()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("before", True, False),
        ("huge", False, True),
        ("after", True, False),
    ]
    assert "TooLarge" in rows[1][3]

    consumer = AIOKafkaConsumer(
        prefix + "content",
        **infra.kafka_options(),
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    got: list[bytes] = []
    for _ in range(20):
        for records in (await consumer.getmany(timeout_ms=300)).values():
            got.extend(r.value or b"" for r in records)
        if len(got) >= 2:
            break
    await consumer.stop()
    published = sorted(
        cid for v in got for cid in ("before", "after", "huge") if f'"{cid}"'.encode() in v
    )
    assert published == ["after", "before"]
    await producer.stop()
    await db.dispose()


def test_two_replicas_migrating_at_once_both_succeed(infra: Infra) -> None:
    name = f"content_{uuid.uuid4().hex[:10]}"
    infra.postgres.create_database(name)
    url = infra.postgres.url(name)
    script = (
        "import sys; from pathlib import Path; "
        "from resonance.common.migrations import upgrade_to_head; "
        "upgrade_to_head(Path(sys.argv[1]), sys.argv[2])"
    )
    # Two processes, as two replicas' start-up would be (Alembic's context is per process).
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(REPO / "services/content/migrations"), url],
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in replicas]
    assert [p.returncode for p in replicas] == [0, 0], errors
