"""What the campaign benchmark measures beside the campaign: consumer lag per group over
time, CPU seconds per process (from /proc), and the limits of the same machine in the same
run: the sandbox's raw accept rate, raw Kafka produce/consume, batched PostgreSQL inserts."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from campaign_kit.stack import CampaignStack

TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")
    )


# -- CPU ----------------------------------------------------------------------------------
def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # fields from the state on (comm may hold spaces)


def _cpu_s(pid: int, with_children: bool = False) -> float:
    """utime + stime (+ reaped children's) of `pid`, in seconds; 0 when it is gone."""
    try:
        fields = _stat(pid)
    except (OSError, ValueError):
        return 0.0
    # After "state": ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def _postgres_cpu_s(stack: CampaignStack) -> float:
    """The postmaster, its exited backends (reaped: in its children's times) and live ones."""
    try:
        postmaster = int((stack.pg.data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    total = _cpu_s(postmaster, with_children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == postmaster:
                    total += _cpu_s(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return total


def cpu_snapshot(stack: CampaignStack) -> dict[str, float]:
    seconds = {n: _cpu_s(p.pid) for n, p in stack.processes.items() if p.pid}
    if stack.kafka.pid:
        seconds["kafka"] = _cpu_s(stack.kafka.pid)
    seconds["postgres"] = _postgres_cpu_s(stack)
    seconds["driver"] = _cpu_s(os.getpid())
    return seconds


# -- consumer lag ---------------------------------------------------------------------------
@dataclass
class LagSampler:
    """Every `interval_s`, each consumer group's lag (end offsets minus committed), summed
    over its partitions. Transaction markers count as one offset each, so an idle group on
    a transactional topic may show a small constant lag."""

    stack: CampaignStack
    interval_s: float = 2.0
    samples: list[tuple[float, dict[str, int]]] = field(default_factory=list)

    async def run(self) -> None:
        options = self.stack.kafka.client_options()
        servers = self.stack.kafka.bootstrap_servers
        while True:
            admin = AIOKafkaAdminClient(bootstrap_servers=servers, **options)
            consumer = AIOKafkaConsumer(bootstrap_servers=servers, **options)
            try:
                await admin.start()
                await consumer.start()
                while True:
                    self.samples.append((time.time(), await self._lags(admin, consumer)))
                    await asyncio.sleep(self.interval_s)
            except asyncio.CancelledError:
                raise
            except Exception:  # Kafka restarting: start over a moment later
                await asyncio.sleep(self.interval_s)
            finally:
                await consumer.stop()
                await admin.close()

    async def _lags(self, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> dict[str, int]:
        groups = [
            g[0] for g in await admin.list_consumer_groups() if g[0].startswith(self.stack.prefix)
        ]
        lags: dict[str, int] = {}
        for group in sorted(groups):
            committed = await admin.list_consumer_group_offsets(group)
            if not committed:
                continue
            ends = await consumer.end_offsets(list(committed))
            name = group.removeprefix(self.stack.prefix)
            lags[name] = sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items())
        return lags


# -- the limits -----------------------------------------------------------------------------
async def sandbox_raw_rate(stack: CampaignStack, posts: int, concurrency: int = 8) -> float:
    """A bare async client posting straight to the sandbox's Mastodon (accounts `raw-*`,
    left out of the campaign's ground truth)."""
    async with httpx.AsyncClient(base_url=stack.sandbox, timeout=30) as http:
        tokens = []
        for i in range(concurrency):
            r = await http.post(
                "/_control/tokens", json={"network": "mastodon", "username": f"raw-{i}"}
            )
            r.raise_for_status()
            tokens.append(r.json()["access_token"])
    queue = list(range(posts))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=stack.sandbox, limits=limits, timeout=30) as http:

        async def worker(token: str) -> None:
            while queue:
                i = queue.pop()
                r = await http.post(
                    "/mastodon/api/v1/statuses",
                    json={"status": f"raw post {i} {uuid.uuid4().hex[:8]}"},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"raw-{i}"},
                )
                r.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker(t) for t in tokens))
        return posts / (time.perf_counter() - started)


async def kafka_raw_rates(stack: CampaignStack, records: int) -> tuple[float, float]:
    """(produced/s, consumed/s) of `records` 1 kB records on a topic of 3 partitions."""
    topic = f"{stack.prefix}bench.raw"
    await stack.kafka.create_topics_async([topic], partitions=3)
    options = stack.kafka.client_options()
    servers = stack.kafka.bootstrap_servers
    producer = AIOKafkaProducer(bootstrap_servers=servers, linger_ms=5, **options)
    await producer.start()
    payload = os.urandom(1024)
    try:
        started = time.perf_counter()
        pending = [await producer.send(topic, payload, key=str(i).encode()) for i in range(records)]
        await asyncio.gather(*pending)
        produced = records / (time.perf_counter() - started)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers, auto_offset_reset="earliest", enable_auto_commit=False, **options
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(3)])
        seen, started = 0, time.perf_counter()
        while seen < records:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(v) for v in batch.values())
        consumed = records / (time.perf_counter() - started)
    finally:
        await consumer.stop()
    return produced, consumed


async def postgres_raw_rate(stack: CampaignStack, rows: int) -> float:
    """Batched INSERTs (500 rows a transaction) of rows the size of a share, in a database
    of their own on the campaign's PostgreSQL."""
    await asyncio.to_thread(stack.pg.create_database, "campaign_raw")
    db = await asyncpg.connect(stack.pg.dsn("campaign_raw"))
    try:
        await db.execute(
            "CREATE TABLE IF NOT EXISTS raw_shares (id text PRIMARY KEY, ambassador_id text, "
            "network text, body text, at timestamptz DEFAULT now())"
        )
        values = [(str(uuid.uuid4()), f"a{i}", "mastodon", "x" * 200) for i in range(rows)]
        started = time.perf_counter()
        for start in range(0, rows, 500):
            async with db.transaction():
                await db.executemany(
                    "INSERT INTO raw_shares (id, ambassador_id, network, body) "
                    "VALUES ($1, $2, $3, $4)",
                    values[start : start + 500],
                )
        return rows / (time.perf_counter() - started)
    finally:
        await db.close()
