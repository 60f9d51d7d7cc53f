"""The app factory every service uses: plumbing wired once, business routers plugged in."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, TypeVar

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.auth import JwtVerifier
from resonance.common.body_limit import BodyLimitMiddleware
from resonance.common.consumer import ConsumerSpec, EventConsumer
from resonance.common.db import Database
from resonance.common.errors import install_problem_handlers
from resonance.common.health import router as health_router
from resonance.common.idempotency import IdempotencyMiddleware
from resonance.common.kafka_clients import client_options
from resonance.common.logs import AccessLogMiddleware, configure_logging
from resonance.common.openapi import install_problem_contract
from resonance.common.outbox import Outbox, OutboxRelay, make_producer
from resonance.common.plumbing import PlumbingTables
from resonance.common.secrets_box import SecretBox
from resonance.common.settings import ServiceSettings
from resonance.common.supervisor import supervise
from resonance.common.telemetry import (
    make_meter_provider,
    make_tracer_provider,
    scrub_query_string,
)
from resonance.common.unit_of_work import Clock, UnitOfWork, utc_now

log = logging.getLogger(__name__)

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


@dataclass
class Runtime(Generic[SettingsT]):
    """Everything a request handler or worker of one service needs, built once per app."""

    settings: SettingsT
    db: Database
    tables: PlumbingTables
    outbox: Outbox
    verifier: JwtVerifier
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    producer: AIOKafkaProducer | None = None
    relay: OutboxRelay | None = None
    consumers: list[EventConsumer] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    jobs: list[asyncio.Task[None]] = field(default_factory=list)
    # Tests replace the clock to move time; everything that reads "now" goes through it.
    clock: Clock = utc_now
    # Whatever a service builds in its start hook (pools, HTTP clients) and needs later.
    extensions: dict[str, object] = field(default_factory=dict)

    def bind(self, session: AsyncSession) -> UnitOfWork[SettingsT]:
        """A unit of work over a transaction someone else opened (an event handler's)."""
        return UnitOfWork(session, self.outbox, self.settings, self.clock)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork[SettingsT]]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        async with self.db.transaction() as session:
            yield self.bind(session)

    @cached_property
    def secrets(self) -> SecretBox:
        """Raises SecretsUnavailable if the service has no key (only services that store
        secrets need one)."""
        return SecretBox(self.settings.secret_keys)

    async def kafka_reachable(self) -> bool:
        if self.producer is None:
            return False
        try:
            return bool(await asyncio.wait_for(self.producer.client.force_metadata_update(), 3))
        except Exception:
            return False


BackgroundJob = Callable[[Runtime[SettingsT]], Awaitable[None]]
Hook = Callable[[Runtime[SettingsT]], Awaitable[None]]
ConsumersFactory = Callable[[Runtime[SettingsT]], Sequence[ConsumerSpec]]


async def runtime_of(request: Request) -> Runtime[ServiceSettings]:
    # async so FastAPI calls it inline instead of hopping to its thread pool per request.
    # Services wrap this in their api/deps.py with their own settings type.
    runtime: Runtime[ServiceSettings] = request.app.state.runtime
    return runtime


def create_service_app(
    *,
    settings: SettingsT,
    tables: PlumbingTables,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    consumers: ConsumersFactory[SettingsT] | None = None,
    background_jobs: Sequence[BackgroundJob[SettingsT]] = (),
    on_start: Sequence[Hook[SettingsT]] = (),
    on_stop: Sequence[Hook[SettingsT]] = (),
    openapi_tags: list[dict[str, str]] | None = None,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> FastAPI:
    """Builds a service's app: plumbing (auth, problems, idempotency, outbox relay, consumers,
    housekeeping, telemetry) wired once, the service's own routers and workers plugged in.

    `on_start` hooks run before serving, `on_stop` hooks after, in reverse order; `consumers`
    gets the runtime, so handlers reach the outbox, settings and clock without late binding."""
    if settings.configure_logging:
        configure_logging(settings.log_level)
    own_providers = tracer_provider is None and meter_provider is None
    tracer_provider = tracer_provider or make_tracer_provider(
        settings.service_name, settings.otel_exporter, settings.otel_endpoint
    )
    meter_provider = meter_provider or make_meter_provider(
        settings.service_name, settings.otel_exporter, settings.otel_endpoint
    )
    db = Database(
        settings.database_url,
        settings.database_pool_size,
        statement_timeout_s=settings.database_statement_timeout_s,
        idle_in_transaction_timeout_s=settings.database_idle_in_transaction_timeout_s,
    )
    runtime: Runtime[SettingsT] = Runtime(
        settings=settings,
        db=db,
        tables=tables,
        outbox=Outbox(
            tables.outbox,
            source=f"/resonance/{settings.service_name}",
            topic_prefix=settings.topic_prefix,
            max_event_bytes=settings.max_event_bytes,
        ),
        verifier=JwtVerifier.from_settings(settings),
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
    )
    SQLAlchemyInstrumentor().instrument(
        engine=db.engine.sync_engine, tracer_provider=tracer_provider
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            for hook in on_start:
                await hook(runtime)
            specs = list(consumers(runtime)) if consumers is not None else []
            await _start_messaging(runtime, specs, background_jobs)
            yield
        finally:
            await _stop_messaging(runtime)
            # Stop hooks must tolerate a start hook that never ran (start-up failed early).
            for hook in reversed(on_stop):
                try:
                    await hook(runtime)
                except Exception:
                    log.exception("stop hook %s failed", getattr(hook, "__name__", hook))
            await db.dispose()
            await runtime.verifier.close()
            if own_providers:  # flush the last spans and metrics, then stop exporting
                await asyncio.to_thread(tracer_provider.shutdown)
                await asyncio.to_thread(meter_provider.shutdown)

    # Swagger UI and ReDoc served from the package: docs work offline, behind a strict proxy.
    app = FastAPIOffline(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=openapi_tags,
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    install_problem_contract(app)
    # Added innermost first: the access log sees everything, CORS answers preflights before
    # authentication, the body limit applies before idempotency buffers a body.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "traceparent"],
            expose_headers=["Location", "Retry-After", "Idempotent-Replayed"],
            max_age=600,
        )
    app.add_middleware(AccessLogMiddleware, service=settings.service_name)
    app.include_router(health_router)
    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        excluded_urls="healthz,readyz",
        server_request_hook=scrub_query_string,
    )
    return app


async def _start_messaging(
    runtime: Runtime[SettingsT],
    consumers: Sequence[ConsumerSpec],
    jobs: Sequence[BackgroundJob[SettingsT]],
) -> None:
    s = runtime.settings
    try:
        await asyncio.wait_for(_connect_kafka(runtime, consumers), s.kafka_connect_timeout_s)
    except Exception as exc:
        # Serve anyway: writes wait in the outbox, /readyz says not ready, and the relay and
        # consumers start as soon as the broker answers.
        log.warning(
            "Kafka unreachable at start-up (%s); retrying in the background", type(exc).__name__
        )
        await _disconnect_kafka(runtime)
        runtime.jobs.append(asyncio.create_task(_connect_kafka_later(runtime, consumers)))
    if not s.run_background_workers:
        return
    runtime.jobs.append(
        asyncio.create_task(supervise("housekeeping", lambda: _housekeeping(runtime)))
    )
    for job in jobs:
        runtime.jobs.append(asyncio.create_task(supervise(job.__name__, _bound(job, runtime))))


def _bound(
    job: BackgroundJob[SettingsT], runtime: Runtime[SettingsT]
) -> Callable[[], Awaitable[None]]:
    return lambda: job(runtime)


async def _connect_kafka(runtime: Runtime[SettingsT], consumers: Sequence[ConsumerSpec]) -> None:
    s = runtime.settings
    security = client_options(s)
    runtime.producer = make_producer(
        s.kafka_bootstrap_servers, f"{s.service_name}-producer", **security
    )
    await runtime.producer.start()
    if not s.run_background_workers:
        return
    runtime.relay = OutboxRelay(
        runtime.db,
        runtime.tables.outbox,
        runtime.producer,
        tracer_provider=runtime.tracer_provider,
        meter_provider=runtime.meter_provider,
        batch_size=s.relay_batch_size,
        poll_interval_s=s.relay_poll_interval_s,
        wake=runtime.outbox.committed,
    )
    runtime.tasks.append(asyncio.create_task(supervise("outbox relay", runtime.relay.run)))
    for spec in consumers:
        consumer = EventConsumer(
            spec,
            runtime.db,
            runtime.tables.inbox,
            s.kafka_bootstrap_servers,
            runtime.producer,
            topic_prefix=s.topic_prefix,
            group_prefix=s.consumer_group_prefix,
            max_attempts=s.consumer_max_attempts,
            retry_backoff_s=s.consumer_retry_backoff_s,
            tracer_provider=runtime.tracer_provider,
            meter_provider=runtime.meter_provider,
            kafka_options=security,
        )
        runtime.consumers.append(consumer)
        await consumer.start()
        runtime.tasks.append(asyncio.create_task(supervise(f"consumer {spec.name}", consumer.run)))


async def _connect_kafka_later(
    runtime: Runtime[SettingsT], consumers: Sequence[ConsumerSpec]
) -> None:
    delay = 1.0
    while True:
        await asyncio.sleep(delay)
        try:
            await asyncio.wait_for(
                _connect_kafka(runtime, consumers), runtime.settings.kafka_connect_timeout_s
            )
            log.info("Kafka reachable: relay and consumers started")
            return
        except asyncio.CancelledError:
            await _disconnect_kafka(runtime)
            raise
        except Exception as exc:
            log.warning("Kafka still unreachable (%s)", type(exc).__name__)
            await _disconnect_kafka(runtime)
            delay = min(delay * 2, 30)


async def _stop_messaging(runtime: Runtime[SettingsT]) -> None:
    for job in runtime.jobs:
        job.cancel()
    for job in runtime.jobs:
        with suppress(asyncio.CancelledError, Exception):
            await job
    runtime.jobs.clear()
    await _disconnect_kafka(runtime)


async def _disconnect_kafka(runtime: Runtime[SettingsT]) -> None:
    """Stops the relay, the consumers and the producer, whatever state they reached."""
    if runtime.relay is not None:
        runtime.relay.stop()
    for consumer in runtime.consumers:
        consumer.stop()
    # Give workers a moment to finish the event in hand and commit its offset.
    if runtime.tasks:
        _, pending = await asyncio.wait(runtime.tasks, timeout=5)
        for task in pending:
            task.cancel()
        for task in pending:
            with suppress(asyncio.CancelledError, Exception):
                await task
    for consumer in runtime.consumers:
        with suppress(Exception):
            await consumer.close()
    if runtime.producer is not None:
        with suppress(Exception):
            await runtime.producer.stop()
    runtime.tasks.clear()
    runtime.consumers.clear()
    runtime.relay = None
    runtime.producer = None


def _purge(table: str, column: str, keep: str) -> str:
    # ctid = ANY(ARRAY(...)): PostgreSQL's way to DELETE ... LIMIT, found by a TID scan.
    return (
        f"DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} "  # noqa: S608
        f"WHERE {column} < now() - interval '{keep}' LIMIT :batch))"
    )


# Plumbing rows nobody needs any more, found through the index on their date.
RETENTION = {
    "outbox": _purge("outbox", "sent_at", "7 days"),
    "idempotency_keys": _purge("idempotency_keys", "created_at", "1 day"),
    "inbox": _purge("inbox", "processed_at", "30 days"),
}
HOUSEKEEPING_BATCH = 5000


async def purge_expired(db: Database, batch_size: int = HOUSEKEEPING_BATCH) -> dict[str, int]:
    """Deletes expired plumbing rows, at most `batch_size` per statement and transaction, so
    a large backlog never holds locks or bloats one transaction (each batch finds its rows
    through the index on the date). Returns how many rows went from each table."""
    purged: dict[str, int] = {}
    for table, statement in RETENTION.items():
        purged[table] = 0
        while True:
            async with db.transaction() as session:
                result = await session.execute(text(statement), {"batch": batch_size})
            deleted = int(getattr(result, "rowcount", 0) or 0)
            purged[table] += deleted
            if deleted < batch_size:
                break
    return purged


async def _housekeeping(runtime: Runtime[SettingsT]) -> None:
    """Drops plumbing rows nobody needs any more, once an hour."""
    while True:
        await purge_expired(runtime.db)
        await asyncio.sleep(3600)
