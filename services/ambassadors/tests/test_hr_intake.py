"""The signed HR webhook and the hr.employee topic feed the same employee records as SCIM."""

import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from resonance.common.events.catalogue import HrEmployee
from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import emit_event, read_events

from .kit import ENT, signed, user_by_number, webhook_secret


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=3600, invitation_poll_interval_s=0.2
    ) as svc:
        yield svc


async def test_signed_webhook_good_bad_replayed_and_stale(
    infra: Infra, svc: RunningService
) -> None:
    admin = infra.auth(tenant="hooks", roles=["admin"])
    hr = infra.auth(tenant="hooks", roles=["integration"])
    assert (await svc.client.get("/v1/hr/webhook-secret", headers=admin)).json()[
        "configured"
    ] is False
    forbidden = await svc.client.put(
        "/v1/hr/webhook-secret", json={}, headers=infra.auth(tenant="hooks", roles=["integration"])
    )
    assert forbidden.status_code == 403
    short = await svc.client.put("/v1/hr/webhook-secret", json={"secret": "short"}, headers=admin)
    assert short.status_code == 422
    made = await svc.client.put("/v1/hr/webhook-secret", json={}, headers=admin)
    assert made.status_code == 200
    secret = made.json()["secret"]
    assert len(secret) >= 32
    async with svc.runtime.db.session() as session:
        stored = (
            await session.execute(text("select sealed_secret from hr_webhook_secrets"))
        ).scalar_one()
    assert secret not in stored  # sealed at rest
    assert svc.runtime.secrets.open(stored) == secret

    joiner = {
        "delivery_id": "d-1",
        "change": "joiner",
        "employee_number": "W-1",
        "given_name": "Karim",
        "family_name": "Benali",
        "email": "karim@hooks.example",
        "department": "Logistics",
        "worker_type": "frontline",
        "age_band": "25_34",
    }
    body, headers = signed(secret, joiner)
    accepted = await svc.client.post("/v1/hr/webhooks/hooks", content=body, headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["outcome"] == "joiner"
    person = await user_by_number(svc, hr, "W-1")
    assert person is not None and person[ENT]["department"] == "Logistics"
    assert person["userType"] == "frontline"

    replayed = await svc.client.post("/v1/hr/webhooks/hooks", content=body, headers=headers)
    assert replayed.status_code == 409
    assert replayed.headers["content-type"].startswith("application/problem+json")

    tampered = body.replace(b"Logistics", b"Executive")
    bad = await svc.client.post("/v1/hr/webhooks/hooks", content=tampered, headers=headers)
    assert bad.status_code == 401
    assert bad.json()["reason"] == "bad_signature"

    stale_body, stale_headers = signed(
        secret, {**joiner, "delivery_id": "d-2"}, int(time.time()) - 3600
    )
    stale = await svc.client.post(
        "/v1/hr/webhooks/hooks", content=stale_body, headers=stale_headers
    )
    assert stale.status_code == 401
    assert stale.json()["reason"] == "stale"

    wrong_key_body, wrong_key_headers = signed("x" * 40, {**joiner, "delivery_id": "d-3"})
    wrong = await svc.client.post(
        "/v1/hr/webhooks/hooks", content=wrong_key_body, headers=wrong_key_headers
    )
    assert wrong.status_code == 401

    unsigned = await svc.client.post("/v1/hr/webhooks/hooks", json=joiner)
    assert unsigned.status_code == 401
    other_tenant = await svc.client.post("/v1/hr/webhooks/elsewhere", content=body, headers=headers)
    assert other_tenant.status_code == 401

    # Same delivery id under a fresh signature: still a replay.
    again_body, again_headers = signed(secret, {**joiner, "department": "Other"})
    assert (
        await svc.client.post("/v1/hr/webhooks/hooks", content=again_body, headers=again_headers)
    ).status_code == 409

    garbage_body, garbage_headers = signed(secret, {"change": "promotion"})
    garbage = await svc.client.post(
        "/v1/hr/webhooks/hooks", content=garbage_body, headers=garbage_headers
    )
    assert garbage.status_code == 422

    # Nothing of the rejected requests was applied.
    person = await user_by_number(svc, hr, "W-1")
    assert person is not None and person[ENT]["department"] == "Logistics"

    mover_body, mover_headers = signed(
        secret,
        {"delivery_id": "d-4", "change": "mover", "employee_number": "W-1", "department": "Sales"},
    )
    moved = await svc.client.post(
        "/v1/hr/webhooks/hooks", content=mover_body, headers=mover_headers
    )
    assert moved.json()["outcome"] == "mover"
    leaver_body, leaver_headers = signed(
        secret, {"delivery_id": "d-5", "change": "leaver", "employee_number": "W-1"}
    )
    left = await svc.client.post(
        "/v1/hr/webhooks/hooks", content=leaver_body, headers=leaver_headers
    )
    assert left.json()["outcome"] == "leaver"
    person = await user_by_number(svc, hr, "W-1")
    assert person is not None
    assert person["active"] is False
    assert person[ENT]["department"] == "Sales"
    assert person["name"]["givenName"] == "Karim"


async def test_kafka_intake_joiner_mover_leaver(infra: Infra, svc: RunningService) -> None:
    prefix = svc.settings.topic_prefix
    hr = infra.auth(tenant="topic", roles=["integration"])
    await emit_event(
        infra,
        prefix,
        "topic",
        HrEmployee(
            change="joiner",
            employee_number="K-1",
            given_name="Ines",
            email="ines@topic.example",
            department="R&D",
            country="DE",
            language="de_DE",
        ),
    )

    async def arrived() -> dict | None:
        return await user_by_number(svc, hr, "K-1")

    person = await eventually(arrived)
    assert person["userName"] == "ines@topic.example"
    assert person["preferredLanguage"] == "de"
    assert person["active"] is True

    await emit_event(infra, prefix, "topic", HrEmployee(change="leaver", employee_number="K-1"))

    async def left() -> bool:
        p = await user_by_number(svc, hr, "K-1")
        return p is not None and p["active"] is False

    assert await eventually(left)


async def test_leaver_announced_ahead_leaves_on_the_last_day(
    infra: Infra, svc: RunningService
) -> None:
    from datetime import UTC, datetime, timedelta

    prefix = svc.settings.topic_prefix
    hr = infra.auth(tenant="ahead", roles=["integration"])
    await emit_event(
        infra,
        prefix,
        "ahead",
        HrEmployee(change="joiner", employee_number="A-1", email="a@ahead.example"),
    )

    async def known() -> dict | None:
        return await user_by_number(svc, hr, "A-1")

    await eventually(known)
    last_day = datetime.now(UTC) + timedelta(seconds=3)
    await emit_event(
        infra,
        prefix,
        "ahead",
        HrEmployee(change="leaver", employee_number="A-1", effective_at=last_day, department="Ops"),
    )

    async def applied() -> dict | None:
        p = await user_by_number(svc, hr, "A-1")
        return p if p and p.get(ENT, {}).get("department") == "Ops" else None

    person = await eventually(applied)
    assert person["active"] is True  # still here until the last day
    assert datetime.now(UTC) < last_day

    async def gone() -> bool:
        p = await user_by_number(svc, hr, "A-1")
        return p is not None and p["active"] is False

    assert await eventually(gone, timeout=15)
    assert datetime.now(UTC) >= last_day


async def test_malformed_hr_fact_goes_to_the_dead_letter_topic(
    infra: Infra, svc: RunningService
) -> None:
    from aiokafka import AIOKafkaProducer

    from resonance.common.events.envelope import Envelope

    prefix = svc.settings.topic_prefix
    bad = Envelope(
        source="/test/hr-system",
        type="hr.employee",
        dataschema=HrEmployee.dataschema(),
        subject="X-1",
        tenant="dlq",
        data={"change": "promotion", "employee_number": "X-1"},
    )
    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    try:
        await producer.send_and_wait(prefix + "hr.employee", key=b"X-1", value=bad.to_bytes())
    finally:
        await producer.stop()
    dead = await read_events(
        infra, prefix, "hr.employee.dlq", lambda es: any(e.id == bad.id for e in es)
    )
    assert any(e.id == bad.id for e in dead)
    hr = infra.auth(tenant="dlq", roles=["integration"])
    assert await user_by_number(svc, hr, "X-1") is None


async def test_concurrent_notices_about_a_new_person_never_fail(
    infra: Infra, svc: RunningService
) -> None:
    import asyncio

    admin = infra.auth(tenant="racing", roles=["admin"])
    secret = await webhook_secret(svc, admin)
    sends = []
    for i in range(6):
        body, headers = signed(
            secret, {"delivery_id": f"r-{i}", "change": "joiner", "employee_number": "R-1"}
        )
        sends.append(svc.client.post("/v1/hr/webhooks/racing", content=body, headers=headers))
    answers = await asyncio.gather(*sends)
    codes = [a.status_code for a in answers]
    assert 202 in codes and set(codes) <= {202, 409}, [a.text for a in answers]
    hr = infra.auth(tenant="racing", roles=["integration"])
    listed = await svc.client.get("/scim/v2/Users", headers=hr)
    assert listed.json()["totalResults"] == 1
