"""Issue 8, item 10 (plumbing part): database errors are logged without their SQL
parameters, dead letters carry no payload values in `dlq.error`, and a SCIM filter on an
e-mail address appears in no span of the ambassadors service."""

import asyncio
import logging

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec, EventConsumer
from resonance.common.db import Database
from resonance.common.errors import install_problem_handlers
from resonance.common.events import Envelope, new_envelope
from resonance.common.events.catalogue import ContentPublished
from resonance.common.logs import JsonFormatter
from resonance.devstack.testing import Infra, eventually, running_service
from resonance.metrics.store.tables import plumbing

EMAIL = "jane.doe@example.com"


async def test_database_errors_are_logged_without_parameters(
    infra: Infra, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(infra.new_database("metrics"))
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/people")
    async def people() -> None:
        async with db.session() as session:
            # A fault of ours (no such table), with a personal value bound to the statement.
            await session.execute(
                text("select * from no_such_people where email = :e"), {"e": EMAIL}
            )

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="resonance.common.errors"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.get("/people")
    assert r.status_code == 500
    [record] = [r for r in caplog.records if r.name == "resonance.common.errors"]
    line = JsonFormatter().format(record)
    assert "no_such_people" in line  # the statement is there to debug with...
    assert EMAIL not in line  # ...its values are not
    await db.dispose()


async def test_a_data_error_does_not_quote_the_value(infra: Infra) -> None:
    """asyncpg quotes a refused argument in its message ("invalid input for query argument
    $1: 'jane...'"): neither the exception text nor the SQLAlchemy span may keep it."""
    db = Database(infra.new_database("metrics"))
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = SQLAlchemyInstrumentor()
    # A process-wide singleton that a service app of an earlier test may hold: start afresh.
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    instrumentor.instrument(engine=db.engine.sync_engine, tracer_provider=provider)
    try:
        with pytest.raises(DBAPIError) as refused:
            async with db.session() as session:
                await session.execute(text("select cast(:e as integer)"), {"e": EMAIL})
    finally:
        instrumentor.uninstrument()
    assert "invalid input for query argument $1: <value>" in str(refused.value)
    assert EMAIL not in str(refused.value) and EMAIL not in str(refused.value.orig)
    [span] = [s for s in exporter.get_finished_spans() if "cast" in str(s.attributes)]
    assert span.status.description and "<value>" in span.status.description
    assert EMAIL not in repr((dict(span.attributes or {}), span.status.description))
    await db.dispose()


async def test_every_connection_has_statement_and_idle_timeouts(infra: Infra) -> None:
    db = Database(infra.new_database("metrics"))
    async with db.session() as session:
        # The defaults: 30 s per statement, 60 s idle inside a transaction.
        assert (await session.execute(text("show statement_timeout"))).scalar() == "30s"
        idle = await session.execute(text("show idle_in_transaction_session_timeout"))
        assert idle.scalar() == "1min"
    await db.dispose()
    quick = Database(infra.new_database("metrics"), statement_timeout_s=0.2)
    async with quick.session() as session:
        with pytest.raises(Exception, match="statement timeout"):
            await session.execute(text("select pg_sleep(2)"))
    await quick.dispose()


async def test_dead_letters_carry_no_payload_values(infra: Infra) -> None:
    prefix = infra.new_prefix()
    db = Database(infra.new_database("metrics"))

    async def apply(session: AsyncSession, event: ContentPublished, envelope: Envelope) -> None:
        # A handler bug whose message quotes the payload, as exception messages often do.
        raise KeyError(event.title)

    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    topic = prefix + "content"
    poison = ContentPublished(content_id="c-1", family="market", format="text", title=EMAIL)
    await producer.send_and_wait(topic, new_envelope("/t", "acme", poison).to_bytes(), key=b"k")
    # Not an envelope at all, with an e-mail address in it: Pydantic's error quotes input.
    await producer.send_and_wait(topic, f'{{"email": "{EMAIL}"}}'.encode(), key=b"k")
    consumer = EventConsumer(
        ConsumerSpec("test.privacy", {ContentPublished: apply}),
        db,
        plumbing.inbox,
        infra.kafka.bootstrap_servers,
        producer,
        topic_prefix=prefix,
        max_attempts=1,
        retry_backoff_s=0.01,
        kafka_options=infra.kafka.client_options(),
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())

    async def both_dead() -> bool:
        return consumer.dead_lettered == 2

    await eventually(both_dead, timeout=30)
    consumer.stop()
    await task
    await consumer.close()

    reader = AIOKafkaConsumer(topic + ".dlq", auto_offset_reset="earliest", **infra.kafka_options())
    await reader.start()
    try:
        batches = await reader.getmany(timeout_ms=10_000, max_records=10)
        records = [r for rs in batches.values() for r in rs]
    finally:
        await reader.stop()
    errors = [dict(r.headers)["dlq.error"].decode() for r in records]
    assert len(errors) == 2
    assert all(EMAIL not in e for e in errors), errors
    assert errors[0] == "KeyError: <value>"  # the type and the message's shape survive
    assert errors[1].startswith("unparseable event: ValidationError: ")
    await producer.stop()
    await db.dispose()


async def test_a_scim_filter_appears_in_no_span(infra: Infra) -> None:
    exporter = InMemorySpanExporter()
    async with running_service(infra, "ambassadors") as svc:
        svc.runtime.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        r = await svc.client.get(
            "/scim/v2/Users",
            params={"filter": f'userName eq "{EMAIL}"'},
            headers=infra.auth(roles=["integration"]),
        )
        assert r.status_code == 200, r.text
    spans = exporter.get_finished_spans()
    assert any(s.attributes and s.attributes.get("http.target") == "/scim/v2/Users" for s in spans)
    for span in spans:
        seen = repr(
            (
                span.name,
                dict(span.attributes or {}),
                [dict(e.attributes or {}) for e in span.events],
                span.status.description,
            )
        )
        assert "jane.doe" not in seen, seen
