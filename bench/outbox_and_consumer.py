"""Throughput of the event backbone on this machine: outbox relay and idempotent consumer.

Starts its own PostgreSQL and Kafka (loopback, throwaway folders), then measures
  1. how fast one relay, then two relays, drain 20,000 outbox rows to Kafka;
  2. how fast the consumer runner applies those events (inbox insert + one row per event).
Prints the figures; bounded in count and time.
"""

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec, EventConsumer
from resonance.common.db import Database
from resonance.common.events import Envelope
from resonance.common.events.catalogue import ContentPublished, all_topics
from resonance.common.migrations import upgrade_to_head
from resonance.common.outbox import Outbox, OutboxRelay, make_producer
from resonance.devstack.kafka import LocalKafka
from resonance.devstack.postgres import LocalPostgres
from resonance.devstack.testing import REPO, free_port
from resonance.metrics.store.tables import plumbing

EVENTS = 20_000


async def fill(db: Database, outbox: Outbox) -> None:
    async with db.transaction() as session:
        for i in range(EVENTS):
            data = ContentPublished(
                content_id=f"item-{i % 2000}", family="market", format="text", title=f"t{i}"
            )
            await outbox.add(session, "acme", data)


async def drain(db: Database, relays: list[OutboxRelay]) -> float:
    started = time.perf_counter()
    tasks = [asyncio.create_task(r.run()) for r in relays]
    while True:
        async with db.session() as s:
            left = (
                await s.execute(text("select count(*) from outbox where sent_at is null"))
            ).scalar_one()
        if left == 0:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for r in relays:
        r.stop()
    await asyncio.gather(*tasks)
    return elapsed


async def bench(pg: LocalPostgres, kafka: LocalKafka) -> None:
    for relay_count in (1, 2):
        name = f"bench_relay_{relay_count}"
        pg.create_database(name)
        url = pg.url(name)
        upgrade_to_head(REPO / "services" / "metrics" / "migrations", url)
        db = Database(url)
        prefix = f"bench{relay_count}."
        kafka.create_topics(all_topics(prefix))
        outbox = Outbox(plumbing.outbox, "/bench", prefix)
        await fill(db, outbox)
        producers = [
            make_producer(kafka.bootstrap_servers, f"bench-{i}", **kafka.client_options())
            for i in range(relay_count)
        ]
        for p in producers:
            await p.start()
        relays = [
            OutboxRelay(db, plumbing.outbox, p, batch_size=500, poll_interval_s=0.01)
            for p in producers
        ]
        elapsed = await drain(db, relays)
        print(
            f"outbox relay x{relay_count}: {EVENTS} events in {elapsed:.2f} s = {EVENTS / elapsed:,.0f} events/s"
        )

        if relay_count == 1:
            async with db.transaction() as s:
                await s.execute(text("create table effects (content_id text)"))

            async def apply(
                session: AsyncSession, event: ContentPublished, envelope: Envelope
            ) -> None:
                await session.execute(
                    text("insert into effects values (:c)"), {"c": event.content_id}
                )

            spec = ConsumerSpec("bench", {ContentPublished: apply})
            consumer = EventConsumer(
                spec,
                db,
                plumbing.inbox,
                kafka.bootstrap_servers,
                producers[0],
                topic_prefix=prefix,
                kafka_options=kafka.client_options(),
            )
            await consumer.start()
            started = time.perf_counter()
            task = asyncio.create_task(consumer.run())
            deadline = started + 300
            while consumer.processed < EVENTS and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            consumer.stop()
            await task
            await consumer.close()
            print(
                f"idempotent consumer: {consumer.processed} events applied in {elapsed:.2f} s = "
                f"{consumer.processed / elapsed:,.0f} events/s (one transaction per polled batch)"
            )
        for p in producers:
            await p.stop()
        await db.dispose()


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="resonance-bench-", dir="/tmp"))
    root.chmod(0o755)
    pg = LocalPostgres(root / "pg", free_port(), fast=False)
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    try:
        kafka.start()
        pg.start()
        pg.wait_ready()
        kafka.wait_ready()
        asyncio.run(bench(pg, kafka))
    finally:
        kafka.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
