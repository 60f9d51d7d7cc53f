"""The posting worker: its own process, its own consumer group on `share.request`.

Why not the common ConsumerSpec runner: that runner applies a poll in one transaction and its
handlers must keep every effect inside it, while posting needs the opposite (an attempt
committed BEFORE the network call, no transaction open during it) and wants many shares in
flight at once. Here the share rows are the source of truth and the event only wakes a
worker: each record is handled by `posting.post_share` (own short transactions, idempotent by
the share's state), up to `worker_concurrency` at a time, and offsets are committed once a
poll is handled. A crash before the commit redelivers the poll; the share states make that
harmless. A record that fails unexpectedly is logged and left to the scheduler's sweep.

The scheduler loop (`schedule_due_shares`) runs in the same process: every
`scheduler_interval_s` it hands out due shares and re-hands stale ones (SKIP LOCKED, so any
number of worker processes cooperate).
"""

import asyncio
import logging
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import ValidationError

from resonance.common.events.catalogue import DLQ_SUFFIX, ShareRequested
from resonance.common.events.envelope import Envelope
from resonance.common.kafka_clients import client_options
from resonance.common.service import Runtime
from resonance.common.telemetry import context_from_headers, decode_kafka_headers
from resonance.sharing.service import dispatch
from resonance.sharing.service.networks import networks_of
from resonance.sharing.service.pacer import Pacer
from resonance.sharing.service.posting import post_share
from resonance.sharing.settings import SharingSettings

log = logging.getLogger(__name__)

Rt: TypeAlias = Runtime[SharingSettings]


def _share_ids(
    records: Iterable[ConsumerRecord], dead: list[ConsumerRecord]
) -> list[tuple[str, dict[str, str]]]:
    """The share ids requested in a poll, each once, in order, with the record's headers (the
    trace context of the request that made the share); unreadable records to `dead`."""
    ids: dict[str, dict[str, str]] = {}
    for record in records:
        try:
            envelope = Envelope.from_bytes(record.value or b"")
            if envelope.type != ShareRequested.event_type:
                continue
            share_id = ShareRequested.model_validate(envelope.data).share_id
            ids.setdefault(share_id, decode_kafka_headers(record.headers))
        except (ValueError, ValidationError):
            dead.append(record)
    return list(ids.items())


async def _dead_letter(runtime: Rt, records: list[ConsumerRecord]) -> None:
    if runtime.producer is None:
        log.error("%d unreadable share requests dropped (no producer)", len(records))
        return
    for record in records:
        await runtime.producer.send_and_wait(
            record.topic + DLQ_SUFFIX,
            value=record.value,
            key=record.key,
            headers=[("dlq.error", b"unreadable share.requested"), *(record.headers or [])],
        )


def _consumer_span(
    tracer: trace.Tracer, topic: str, group: str, headers: dict[str, str]
) -> AbstractContextManager[trace.Span]:
    return tracer.start_as_current_span(
        f"{topic} process",
        context=context_from_headers(headers),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.consumer.group.name": group,
        },
    )


async def run_posting_worker(runtime: Rt) -> None:
    """Background job of the worker process: consume share.request and post."""
    s = runtime.settings
    networks = networks_of(runtime)
    pacer = Pacer()
    limit = asyncio.Semaphore(max(1, s.worker_concurrency))
    group = s.consumer_group_prefix + s.worker_group
    consumer = AIOKafkaConsumer(
        s.topic_prefix + ShareRequested.topic,
        bootstrap_servers=s.kafka_bootstrap_servers,
        group_id=group,
        client_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=max(1, s.worker_concurrency * 4),
        **client_options(s),
    )

    tracer = runtime.tracer_provider.get_tracer(__name__)

    async def handle(share_id: str, headers: dict[str, str]) -> None:
        topic = s.topic_prefix + ShareRequested.topic
        # Continue the trace of the request that made the share, as the common consumer
        # runner does: the network call and the share.made event join it.
        async with limit:
            with _consumer_span(tracer, topic, group, headers):
                try:
                    result = await post_share(runtime, networks, pacer, share_id)
                    log.debug("share %s: %s", share_id, result)
                except Exception:
                    # The share stays handed out; the scheduler's sweep hands it out again.
                    log.exception("posting share %s failed unexpectedly", share_id)

    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(
                timeout_ms=200, max_records=max(1, s.worker_concurrency * 4)
            )
            if not batches:
                continue
            dead: list[ConsumerRecord] = []
            ids = _share_ids((r for records in batches.values() for r in records), dead)
            await asyncio.gather(*(handle(i, headers) for i, headers in ids))
            if dead:
                await _dead_letter(runtime, dead)
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in batches.items()})
    finally:
        await consumer.stop()


async def schedule_due_shares(runtime: Rt) -> None:
    """Background job of the worker process: due and stale shares → share.requested."""
    s = runtime.settings
    if not s.run_scheduler:
        return
    loop = asyncio.get_running_loop()
    last_sweep = float("-inf")
    while True:
        async with runtime.unit_of_work() as uow:
            handed = await dispatch.dispatch_due(uow)
        if loop.time() - last_sweep >= s.scheduler_sweep_interval_s:
            last_sweep = loop.time()
            async with runtime.unit_of_work() as uow:
                handed += await dispatch.requeue_stale(uow)
        # A full batch means more are due: go again at once.
        if handed < s.scheduler_batch_size:
            await asyncio.sleep(s.scheduler_interval_s)
