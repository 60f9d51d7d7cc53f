"""Transactional outbox: events are rows written with the change, then relayed to Kafka."""

import asyncio
import logging
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import InvalidTopicError, MessageSizeTooLargeError, RecordTooLargeError
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.commit_signals import signal_on_commit
from resonance.common.db import Database
from resonance.common.domain_errors import Invalid
from resonance.common.events.envelope import Envelope, EventData, new_envelope
from resonance.common.telemetry import context_from_headers, current_trace_headers, kafka_headers

log = logging.getLogger(__name__)

OUTBOX_SHARDS = 32
# Any constant works; it namespaces our advisory locks away from other users of the database.
OUTBOX_LOCK_NAMESPACE = 0x0B0C


# Errors no retry can fix: the row is parked so the rows after it still leave.
UNPUBLISHABLE = (MessageSizeTooLargeError, RecordTooLargeError, InvalidTopicError)
DEFAULT_MAX_EVENT_BYTES = 512 * 1024
ADD_MANY_CHUNK = 1000
# The relay hands the event loop back after this much sending (see OutboxRelay._send).
SEND_SLICE_S = 0.001


class EventTooLarge(Invalid):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"the change would publish an event of {size} bytes; the limit is {limit}",
            slug="event-too-large",
            size=size,
            limit=limit,
        )


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % OUTBOX_SHARDS


class Outbox:
    """Writes events into the outbox table inside the caller's transaction."""

    def __init__(
        self,
        table: Table,
        source: str,
        topic_prefix: str = "",
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self.table = table
        self.source = source
        self.topic_prefix = topic_prefix
        self.max_event_bytes = max_event_bytes
        # Rows go as execute parameters, not a VALUES list: one statement compiled once and
        # cached for any number of rows (a VALUES list is compiled anew, on the event loop,
        # for every row and batch size).
        self._insert = table.insert()
        # Set when a transaction that wrote here commits: this process's relay (if it runs
        # one) sends at once instead of at its next poll.
        self.committed = asyncio.Event()

    async def add(self, session: AsyncSession, tenant: str, data: EventData) -> Envelope:
        envelope = new_envelope(self.source, tenant, data)
        await self.add_envelope(session, envelope, data.topic)
        return envelope

    async def add_envelope(self, session: AsyncSession, envelope: Envelope, topic: str) -> None:
        """Raises EventTooLarge (a 422 at the API) rather than store an event Kafka would
        refuse: the change is refused with it, in the same transaction."""
        await session.execute(self._insert, self._row(envelope, topic))
        signal_on_commit(session, self.committed)

    async def add_many(
        self, session: AsyncSession, tenant: str, events: Sequence[EventData]
    ) -> list[Envelope]:
        """`add` for many events (a consumer poll's worth) in one pipelined executemany, in
        the given order. If any one is too large, EventTooLarge is raised and none is
        written."""
        envelopes = [new_envelope(self.source, tenant, data) for data in events]
        rows = [self._row(e, data.topic) for e, data in zip(envelopes, events, strict=True)]
        # Rows are numbered (seq) in the order given. Chunks bound what one call holds.
        for start in range(0, len(rows), ADD_MANY_CHUNK):
            await session.execute(self._insert, rows[start : start + ADD_MANY_CHUNK])
        if rows:
            signal_on_commit(session, self.committed)
        return envelopes

    def _row(self, envelope: Envelope, topic: str) -> dict[str, Any]:
        payload = envelope.model_dump_json()
        if len(payload) > self.max_event_bytes:
            raise EventTooLarge(len(payload), self.max_event_bytes)
        headers = {"ce_id": envelope.id, "ce_type": envelope.type, "ce_tenant": envelope.tenant}
        headers.update(current_trace_headers())
        return {
            "event_id": envelope.id,
            "topic": self.topic_prefix + topic,
            "key": envelope.subject,
            "shard": shard_of(envelope.subject),
            "event_type": envelope.type,
            "tenant": envelope.tenant,
            "payload": payload,
            "headers": headers,
        }


AfterSendHook = Callable[[Sequence[Row[Any]]], Awaitable[None]]


class OutboxRelay:
    """Publishes unsent outbox rows with an idempotent producer, then marks them sent.

    Several relays may run (one per service replica): each holds the advisory lock of the
    shards it sends, so events of one aggregate keep their order. A relay killed between
    send and mark re-sends on restart; consumers drop the duplicate by event id (inbox).
    """

    def __init__(
        self,
        db: Database,
        table: Table,
        producer: AIOKafkaProducer,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        batch_size: int = 200,
        poll_interval_s: float = 0.2,
        after_send: AfterSendHook | None = None,
        wake: asyncio.Event | None = None,
    ) -> None:
        """`wake`: set when this process commits outbox rows (`Outbox.committed`); the relay
        then sends them at once. Rows other processes write wait for the next poll."""
        self.db = db
        self.wake = wake
        self.table = table
        self.producer = producer
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.after_send = after_send
        self.tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        meter = metrics.get_meter(__name__, meter_provider=meter_provider)
        self._published = meter.create_counter(
            "resonance.outbox.published", unit="{event}", description="Events relayed to Kafka"
        )
        self._parked = meter.create_counter(
            "resonance.outbox.parked",
            unit="{event}",
            description="Outbox rows Kafka refused for good (too large...), set aside",
        )
        self._delay = meter.create_histogram(
            "resonance.outbox.delay",
            unit="s",
            description="Time from the business transaction to the Kafka acknowledgement",
        )
        self._stopping = asyncio.Event()

    async def relay_once(self) -> int:
        t = self.table
        async with self.db.transaction() as session:
            shards = await self._lock_pending_shards(session)
            if not shards:
                return 0
            # A statement of its own, so its snapshot is taken after the shard locks: every
            # row a previous holder of these shards sent is seen as sent, every earlier
            # unsent row of a key is seen, and none is skipped in favour of a later one.
            rows = (
                await session.execute(
                    select(t)
                    .where(t.c.sent_at.is_(None), t.c.parked_at.is_(None), t.c.shard.in_(shards))
                    .order_by(t.c.seq)
                    .limit(self.batch_size)
                )
            ).all()
            if not rows:
                return 0
            refused = await self._send(rows)
            if self.after_send is not None:
                await self.after_send([r for r in rows if r.seq not in refused])
            sent = [r.seq for r in rows if r.seq not in refused]
            if sent:
                await session.execute(update(t).where(t.c.seq.in_(sent)).values(sent_at=func.now()))
            for seq, error in refused.items():
                await session.execute(
                    update(t).where(t.c.seq == seq).values(parked_at=func.now(), error=error)
                )
        return len(rows)

    async def _lock_pending_shards(self, session: AsyncSession) -> list[int]:
        """Takes the advisory locks of the shards with pending rows that no other relay holds.

        Locks are per shard, never per row: a relay must own every pending row of a key, or
        it could send a later event of that key before an earlier one.
        """
        pending = (
            select(self.table.c.shard)
            .where(self.table.c.sent_at.is_(None), self.table.c.parked_at.is_(None))
            .order_by(self.table.c.seq)
            .limit(self.batch_size * 20)
            .subquery()
        )
        # A volatile function in the outer WHERE is not pushed into the subquery: locks are
        # only tried on shards that have pending rows.
        candidates = select(pending.c.shard).distinct().subquery()
        locked = select(candidates.c.shard).where(
            func.pg_try_advisory_xact_lock(OUTBOX_LOCK_NAMESPACE, candidates.c.shard)
        )
        return list((await session.execute(locked)).scalars())

    async def _send(self, rows: Sequence[Row[Any]]) -> dict[int, str]:
        """Sends the rows and waits for every acknowledgement. Returns the rows Kafka can never
        accept (too large, invalid topic), to be parked; any other failure raises, so the
        whole batch is retried and nothing is marked sent without an acknowledgement."""
        pending: list[tuple[Row[Any], asyncio.Future[Any]]] = []
        refused: dict[int, str] = {}
        slice_started = time.perf_counter()
        for row in rows:
            # `producer.send` only queues the record (it waits just when its buffer is full),
            # so a batch would otherwise run from first row to last without letting anything
            # else run: a few hundred rows of spans, headers and partitioning are tens of ms
            # by which every request waiting on this event loop would be late. Sends stay in
            # row order (one loop, one producer), so yielding changes no key's order.
            if time.perf_counter() - slice_started > SEND_SLICE_S:
                await asyncio.sleep(0)
                slice_started = time.perf_counter()
            parent = context_from_headers(row.headers)
            with self.tracer.start_as_current_span(
                f"{row.topic} publish",
                context=parent,
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": row.topic,
                    "messaging.message.id": row.event_id,
                },
            ):
                headers = {
                    k: v for k, v in row.headers.items() if k not in ("traceparent", "tracestate")
                }
                headers.update(current_trace_headers())
                try:
                    future = await self.producer.send(
                        row.topic,
                        value=row.payload.encode(),
                        key=row.key.encode(),
                        headers=kafka_headers(headers),
                    )
                except UNPUBLISHABLE as exc:
                    refused[row.seq] = f"{type(exc).__name__}: {exc}"[:500]
                    continue
                pending.append((row, future))
        # Only acknowledged records may be marked sent.
        results = await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
        for (row, _), result in zip(pending, results, strict=True):
            if isinstance(result, UNPUBLISHABLE):
                refused[row.seq] = f"{type(result).__name__}: {result}"[:500]
            elif isinstance(result, BaseException):
                raise result
        now = datetime.now(UTC)
        published: Counter[str] = Counter()
        for row in rows:
            if row.seq in refused:
                log.error("outbox row %s parked: %s", row.event_id, refused[row.seq])
                self._parked.add(1, {"messaging.destination.name": row.topic})
                continue
            published[row.topic] += 1
            self._delay.record((now - row.created_at).total_seconds())
        for topic, count in published.items():
            self._published.add(count, {"messaging.destination.name": topic})
        return refused

    async def run(self) -> None:
        while not self._stopping.is_set():
            if self.wake is not None:
                self.wake.clear()  # a commit from now on wakes the wait below
            try:
                sent = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay iteration failed; retrying")
                sent = 0
            if sent < self.batch_size:
                await self._idle()

    async def _idle(self) -> None:
        """Until the poll interval has passed, this process committed outbox rows, or stop."""
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if self.wake is not None:
            waits.append(asyncio.ensure_future(self.wake.wait()))
        try:
            await asyncio.wait(waits, timeout=self.poll_interval_s, return_when="FIRST_COMPLETED")
        finally:
            for waiting in waits:
                waiting.cancel()

    def stop(self) -> None:
        self._stopping.set()


def make_producer(bootstrap_servers: str, client_id: str, **security: Any) -> AIOKafkaProducer:
    """`security`: resonance.common.kafka_clients.client_options(settings) (TLS, SASL)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        **security,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
    )
