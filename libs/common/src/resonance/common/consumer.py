"""Consumer runner: idempotent handling (inbox), offsets committed after the handler's
transaction, bounded retries, then a dead-letter topic."""

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaConnectionError
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer_spec import (
    BatchHandler,
    ConsumerSpec,
    Deferred,
    EventHandler,
    PermanentError,
    QueueHandler,
    claim_events,
)
from resonance.common.consumer_topics import DeadLetterTopics
from resonance.common.db import RETRYABLE_CLASSES, Database, sqlstate
from resonance.common.dlq import describe_failure
from resonance.common.events.catalogue import DLQ_SUFFIX
from resonance.common.events.envelope import Envelope
from resonance.common.telemetry import context_from_headers, decode_kafka_headers, kafka_headers

log = logging.getLogger(__name__)

__all__ = [
    "BatchHandler",
    "ConsumerSpec",
    "Deferred",
    "EventConsumer",
    "EventHandler",
    "PermanentError",
    "QueueHandler",
    "claim_events",
    "is_transient",
]


class _Stopped(Exception):
    """Stop requested while waiting out a transient failure: leave without committing."""


def is_transient(exc: BaseException) -> bool:
    """Failures of the infrastructure rather than of the event: connection lost, database
    restarting or failing over, serialization conflicts, timeouts."""
    if isinstance(exc, OSError | TimeoutError | ConnectionError | KafkaConnectionError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated or isinstance(exc, InterfaceError | OperationalError):
            return True
        return sqlstate(exc)[:2] in RETRYABLE_CLASSES
    return False


def lock_conflict(exc: BaseException) -> bool:
    """A deadlock or serialization failure: PostgreSQL rolled this transaction back so that
    another could go on; running it again is the remedy."""
    return sqlstate(exc) in {"40P01", "40001"}


class EventConsumer:
    def __init__(
        self,
        spec: ConsumerSpec,
        db: Database,
        inbox: Table,
        bootstrap_servers: str,
        producer: AIOKafkaProducer,
        topic_prefix: str = "",
        group_prefix: str = "",
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
        max_transient_backoff_s: float = 10.0,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        kafka_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.db = db
        self.inbox = inbox
        self.producer = producer
        self.topic_prefix = topic_prefix
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self.max_transient_backoff_s = max_transient_backoff_s
        self.tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        meter = metrics.get_meter(__name__, meter_provider=meter_provider)
        self._applied = meter.create_counter(
            "resonance.events.applied", unit="{event}", description="Events applied (inbox)"
        )
        self._dead = meter.create_counter(
            "resonance.events.dead_lettered", unit="{event}", description="Events sent to a DLQ"
        )
        self.group_id = group_prefix + spec.name
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=self.group_id,
            client_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=spec.max_poll_records,
            **(kafka_options or {}),  # TLS, SASL: kafka_clients.client_options(settings)
        )
        self.dead_letter_topics = DeadLetterTopics.of(  # subscribes once they all exist
            self.consumer, [topic_prefix + t for t in spec.topics], bootstrap_servers, kafka_options
        )
        self._stopping = asyncio.Event()
        self._rewind_needed = False
        self.processed = 0
        self.dead_lettered = 0

    async def start(self) -> None:
        await self.consumer.start()

    async def run(self) -> None:
        """Applies records until stopped. Whatever goes wrong, the consumer's position goes
        back to the last committed offset before it consumes again, so a batch that was
        fetched but not fully applied is fetched again: no record is ever skipped."""
        if not await self.dead_letter_topics.subscribe_when_ready(self._stopping):
            return  # stopped while a dead-letter topic was still missing
        if self._rewind_needed:
            await self._rewind()
        try:
            while not self._stopping.is_set():
                batches = await self.consumer.getmany(
                    timeout_ms=200, max_records=self.spec.max_poll_records
                )
                done: dict[TopicPartition, int] = {}
                for tp, records in batches.items():
                    if not await self._apply_batch(records):
                        # Something in the batch failed: isolate it, one event at a time.
                        for record in records:
                            await self._process(record)
                    # Everything in `records` is durably applied or dead-lettered.
                    done[tp] = records[-1].offset + 1
                    if self._stopping.is_set():
                        break
                if done:  # one commit a poll: a crash before it only means a redelivery
                    await self.consumer.commit(done)
        except _Stopped:
            self._rewind_needed = True
        except BaseException:
            self._rewind_needed = True
            with contextlib.suppress(Exception):
                await self._rewind()
            raise

    async def _rewind(self) -> None:
        """Moves every assigned partition back to its committed offset."""
        for tp in self.consumer.assignment():
            committed = await self.consumer.committed(tp)
            if committed is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, committed)
        self._rewind_needed = False

    async def _apply_batch(self, records: list[ConsumerRecord]) -> bool:
        """Applies a whole poll in one transaction (one commit instead of hundreds).

        Returns False, with nothing applied, if any record does not parse or any handler
        raises; the caller then processes them singly with retries and dead-lettering.
        Handlers must therefore keep their effects inside the session (the outbox included).
        """
        if len(records) < 2:
            return False
        applied: Counter[str] = Counter()
        try:
            taken = [(r, self._take(r)) for r in records]
            wanted = [(r, e) for r, e in taken if self.spec.handles(e.type)]
            if not wanted:
                return True
            async with self.db.transaction() as session:
                fresh = await claim_events(
                    session,
                    self.inbox,
                    self.spec.name,
                    [e.id for _, e in wanted if isinstance(e, Envelope)],
                )
                # Consecutive events of a type with a batch or queue handler go to it together;
                # the others one by one, so the order of the partition is kept between them.
                run: list[tuple[Any, Any]] = []
                for record, item in wanted:
                    if run and run[0][1].type != item.type:
                        await self._apply_run(session, run)
                        run = []
                    if isinstance(item, Deferred):
                        # Claimed when the queue it joins is applied.
                        applied[item.type] += 1
                        run.append((None, item))
                        continue
                    envelope = item
                    if envelope.id not in fresh:
                        continue  # already applied: a redelivery or a duplicate publication
                    fresh.discard(envelope.id)  # the same event twice in one poll
                    applied[envelope.type] += 1
                    if self.spec.batch_handler(envelope.type) is not None:
                        run.append((self.spec.parse(envelope), envelope))
                        continue
                    with self._span(record, decode_kafka_headers(record.headers)) as span:
                        span.set_attribute("messaging.message.id", envelope.id)
                        await self.spec.dispatch(session, envelope)
                if run:
                    await self._apply_run(session, run)
        except Exception as exc:
            log.info("batch of %d fell back to single events: %s", len(records), type(exc).__name__)
            return False
        # Once per type and poll: the metrics SDK costs more per call than a whole event.
        for event_type, count in applied.items():
            self._applied.add(count, {"consumer": self.spec.name, "type": event_type})
        self.processed += applied.total()
        return True

    def _take(self, record: ConsumerRecord) -> Envelope | Deferred:
        """The record's envelope, or, for a deferred type, the record routed by its headers
        with its body not parsed: taking such events in costs no JSON work here."""
        if self.spec.has_deferred:
            headers = dict(record.headers or ())
            kind = headers.get("ce_type", b"").decode(errors="replace")
            if self.spec.defers(kind) and "ce_id" in headers and "ce_tenant" in headers:
                body = record.value or b""
                return Deferred(
                    headers["ce_id"].decode(), headers["ce_tenant"].decode(), kind, body
                )
        envelope = Envelope.from_bytes(record.value or b"")
        if self.spec.defers(envelope.type):
            return Deferred.of(envelope, record.value)
        return envelope

    async def _apply_run(self, session: AsyncSession, run: list[tuple[Any, Any]]) -> None:
        event_type = run[0][1].type
        with self.tracer.start_as_current_span(
            f"{event_type} process batch", kind=SpanKind.CONSUMER
        ) as span:
            span.set_attribute("messaging.batch.message_count", len(run))
            queue = self.spec.queue_handler(event_type)
            if queue is not None:
                await queue(session, [deferred for _, deferred in run])
                return
            handler = self.spec.batch_handler(event_type)
            assert handler is not None
            await handler(session, run)

    def _span(self, record: ConsumerRecord, headers: dict[str, str]) -> Any:
        return self.tracer.start_as_current_span(
            f"{record.topic} process",
            context=context_from_headers(headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.consumer.group.name": self.group_id,
                "messaging.kafka.offset": record.offset,
            },
        )

    async def _claim(self, session: AsyncSession, envelope: Envelope) -> bool:
        """Records the event id in the inbox; False if this consumer already applied it."""
        return bool(await claim_events(session, self.inbox, self.spec.name, [envelope.id]))

    async def _process(self, record: ConsumerRecord) -> None:
        headers = decode_kafka_headers(record.headers)
        with self._span(record, headers) as span:
            try:
                envelope = Envelope.from_bytes(record.value or b"")
            except ValueError as exc:
                span.set_status(Status(StatusCode.ERROR, "unparseable event"))
                await self._dead_letter(
                    record, headers, f"unparseable event: {describe_failure(exc)}", 1
                )
                return
            if not self.spec.handles(envelope.type):
                return
            span.set_attribute("messaging.message.id", envelope.id)
            attempt = 1
            transient_delay = self.retry_backoff_s
            while True:
                try:
                    if await self._apply_once(envelope):
                        self.processed += 1
                        self._applied.add(1, {"consumer": self.spec.name, "type": envelope.type})
                    return
                except PermanentError as exc:
                    await self._fail(span, record, headers, exc, attempt)
                    return
                except Exception as exc:
                    if is_transient(exc):
                        # The database or the network is away, not the event's fault: wait
                        # for as long as it lasts, never dead-letter for it.
                        if self._stopping.is_set():
                            raise _Stopped from exc
                        log.warning(
                            "transient failure applying %s (%s); retrying in %.1fs",
                            envelope.type,
                            type(exc).__name__,
                            transient_delay,
                        )
                        await asyncio.sleep(transient_delay)
                        transient_delay = min(transient_delay * 2, self.max_transient_backoff_s)
                        continue
                    if attempt >= self.max_attempts:
                        await self._fail(span, record, headers, exc, attempt)
                        return
                    log.warning(
                        "handler for %s failed (attempt %d/%d): %s",
                        envelope.type,
                        attempt,
                        self.max_attempts,
                        type(exc).__name__,
                    )
                    await asyncio.sleep(self.retry_backoff_s * 2 ** (attempt - 1))
                    attempt += 1

    async def _apply_once(self, envelope: Envelope) -> bool:
        """Applies the event unless this consumer already did; says whether it did."""
        async with self.db.transaction() as session:
            if not self.spec.defers(envelope.type) and not await self._claim(session, envelope):
                return False  # already applied: a redelivery or a duplicate publication
            await self.spec.dispatch(session, envelope)
            return True

    async def _fail(
        self,
        span: trace.Span,
        record: ConsumerRecord,
        headers: dict[str, str],
        exc: BaseException,
        attempts: int,
    ) -> None:
        # Not record_exception: its message and stack text may quote payload values.
        span.add_event(
            "exception",
            {"exception.type": type(exc).__name__, "exception.message": describe_failure(exc)},
        )
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        # The message text may quote payload values; keep logs free of personal data.
        log.error("event dead-lettered after %d attempts: %s", attempts, type(exc).__name__)
        await self._dead_letter(record, headers, describe_failure(exc), attempts)

    async def _dead_letter(
        self, record: ConsumerRecord, headers: dict[str, str], error: str, attempts: int
    ) -> None:
        dlq_headers = dict(headers)
        dlq_headers.update(
            {
                "dlq.error": error[:2000],
                "dlq.consumer": self.spec.name,
                "dlq.original.topic": record.topic,
                "dlq.original.partition": str(record.partition),
                "dlq.original.offset": str(record.offset),
                "dlq.attempts": str(attempts),
            }
        )
        await self.producer.send_and_wait(
            record.topic + DLQ_SUFFIX,
            value=record.value,
            key=record.key,
            headers=kafka_headers(dlq_headers),
        )
        self.dead_lettered += 1
        self._dead.add(1, {"consumer": self.spec.name, "messaging.destination.name": record.topic})

    def stop(self) -> None:
        self._stopping.set()

    async def close(self) -> None:
        await self.consumer.stop()
