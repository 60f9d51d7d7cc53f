"""Helpers of the shares, links, projections and auto-share tests: other services' events as
they would arrive, and an ambassador's connected account (a row, as the OAuth flow leaves it;
the flow itself is tested with the connections)."""

import uuid
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorProfile,
    Caption,
    ContentPublished,
    Targeting,
)
from resonance.common.events.envelope import Envelope, EventData, new_envelope
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.sharing.store.share_views import AmbassadorView, ContentView
from resonance.sharing.store.tables import Connection, Share


def new_id() -> str:
    return str(uuid.uuid4())


async def emit_at(
    infra: Infra, prefix: str, tenant: str, data: EventData, at: datetime | None = None
) -> Envelope:
    """Publishes an event as its producer would, optionally stamped with another time (an
    old event replayed late)."""
    envelope = new_envelope("/tests", tenant, data)
    if at is not None:
        envelope.time = at
    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    try:
        await producer.send_and_wait(
            prefix + data.topic, key=envelope.subject.encode(), value=envelope.to_bytes()
        )
    finally:
        await producer.stop()
    return envelope


def ambassador(infra: Infra, tenant: str, subject: str) -> dict[str, str]:
    return infra.auth(tenant=tenant, roles=["ambassador"], subject=subject)


async def enrol(
    infra: Infra,
    svc: RunningService,
    tenant: str,
    *,
    networks: list[str],
    timezone: str = "Europe/Paris",
    country: str = "FR",
    working_days: list[int] | None = None,
    at: datetime | None = None,
) -> tuple[str, dict[str, str]]:
    """An enrolled ambassador (projected), with their login headers."""
    ambassador_id, subject = new_id(), f"login-{uuid.uuid4().hex[:8]}"
    await emit_at(
        infra,
        svc.settings.topic_prefix,
        tenant,
        AmbassadorEnrolled(
            ambassador_id=ambassador_id,
            programme_id="prog-1",
            charter_version="1",
            networks=networks,
            profile=AmbassadorProfile(
                country=country,
                languages=["en"],
                timezone=timezone,
                working_days=working_days or [1, 2, 3, 4, 5, 6, 7],
            ),
            login_subject=subject,
        ),
        at,
    )
    await wait_person(svc, tenant, ambassador_id)
    return ambassador_id, ambassador(infra, tenant, subject)


async def person(svc: RunningService, tenant: str, ambassador_id: str) -> AmbassadorView | None:
    async with svc.runtime.db.session() as session:
        return (
            await session.execute(
                select(AmbassadorView).where(
                    AmbassadorView.tenant == tenant, AmbassadorView.ambassador_id == ambassador_id
                )
            )
        ).scalar_one_or_none()


async def wait_person(svc: RunningService, tenant: str, ambassador_id: str) -> AmbassadorView:
    async def found() -> AmbassadorView | None:
        return await person(svc, tenant, ambassador_id)

    result: AmbassadorView = await eventually(found)
    return result


async def content(svc: RunningService, tenant: str, content_id: str) -> ContentView | None:
    async with svc.runtime.db.session() as session:
        return (
            await session.execute(
                select(ContentView).where(
                    ContentView.tenant == tenant, ContentView.content_id == content_id
                )
            )
        ).scalar_one_or_none()


async def publish(
    infra: Infra,
    svc: RunningService,
    tenant: str,
    *,
    url: str = "https://example.com/news/launch",
    captions: list[Caption] | None = None,
    targeting: Targeting | None = None,
    campaign_id: str | None = None,
    disclosure: str | None = "#employee",
    **fields: Any,
) -> str:
    """A published item (projected)."""
    content_id = new_id()
    await emit_at(
        infra,
        svc.settings.topic_prefix,
        tenant,
        ContentPublished(
            content_id=content_id,
            family="company",
            format="link",
            title="Our launch",
            url=url,
            language="en",
            captions=captions or [Caption(network="other", language="en", text="Have a look!")],
            targeting=targeting or Targeting(),
            campaign_id=campaign_id,
            disclosure=disclosure,
            **fields,
        ),
    )

    async def projected() -> ContentView | None:
        return await content(svc, tenant, content_id)

    await eventually(projected)
    return content_id


async def connect(
    svc: RunningService,
    tenant: str,
    ambassador_id: str,
    network: str,
    *,
    audience_size: int | None = None,
    status: str = "connected",
) -> str:
    connection = Connection(
        tenant=tenant,
        ambassador_id=ambassador_id,
        network=network,
        network_user_id=f"user-{uuid.uuid4().hex[:6]}",
        audience_size=audience_size,
        access_token_sealed=svc.runtime.secrets.seal("token-not-used-here"),
        status=status,
    )
    async with svc.runtime.db.transaction() as session:
        session.add(connection)
    return connection.id


async def share_row(svc: RunningService, share_id: str) -> Share:
    async with svc.runtime.db.session() as session:
        row = (await session.execute(select(Share).where(Share.id == share_id))).scalar_one()
        return row


async def connection(svc: RunningService, connection_id: str) -> Connection:
    async with svc.runtime.db.session() as session:
        row = (
            await session.execute(select(Connection).where(Connection.id == connection_id))
        ).scalar_one()
        return row
