"""Issue 8 (hostile input, trust boundaries) for the ambassadors service: bounded events,
the webhook's signature before any transaction, secrets never kept for idempotency, inert
CSV cells."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import text

from resonance.devstack.testing import Infra, RunningService, eventually, running_service

from .kit import CORE, ENT, PATCH, ambassador, provision, signed, webhook_secret

TENANT = "hard"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        yield svc


async def _enrolled(
    infra: Infra, svc: RunningService, tenant: str, user: dict[str, Any]
) -> tuple[str, dict[str, str], str]:
    """Provisions `user`, has them accept the invitation of a fresh programme; (id, their
    headers, programme id)."""
    hr = infra.auth(tenant=tenant, roles=["integration"])
    pm = infra.auth(tenant=tenant, roles=["program_manager"])
    prog = await svc.client.post(
        "/v1/programmes", json={"display_name": "Voices", "kind": "sharing_platform"}, headers=pm
    )
    assert prog.status_code == 201, prog.text
    person = await provision(svc, hr, user)
    me = ambassador(infra, tenant, user["userName"])

    async def invited() -> list:
        found = (await svc.client.get("/v1/ambassadors/me/invitations", headers=me)).json()
        return [i for i in found["items"] if i["status"] == "sent"]

    invitation = (await eventually(invited))[0]
    accepted = await svc.client.post(
        f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
        json={"charter_version": "1", "networks": ["linkedin"]},
        headers=me,
    )
    assert accepted.status_code == 201, accepted.text
    return person, me, prog.json()["id"]


async def test_hr_strings_copied_into_events_are_bounded(infra: Infra, svc: RunningService) -> None:
    """A 60,000-character department (and site) from SCIM, then a mover with more of the same:
    the `ambassador.enrolled` and `ambassador.updated` events carry at most 200 characters of
    each (MAX_LABEL_CHARS), so each record stays a few kB instead of 120 kB+."""
    huge = "D" * 60_000
    user = {
        "schemas": [CORE, ENT],
        "userName": "long@hard.example",
        "addresses": [{"type": "work", "locality": "S" * 60_000, "country": "FR"}],
        ENT: {"employeeNumber": "H-1", "department": huge, "division": "B" * 60_000},
    }
    person, _, _ = await _enrolled(infra, svc, "hard-bounds", user)
    hr = infra.auth(tenant="hard-bounds", roles=["integration"])
    moved = await svc.client.patch(
        f"/scim/v2/Users/{person}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": f"{ENT}:department", "value": "E" * 60_000}],
        },
        headers=hr,
    )
    assert moved.status_code == 200, moved.text
    # Read where the relay reads them (the outbox): what would be sent, record by record.
    mine = await _outbox_events(svc, person)
    assert {e["type"] for e in mine} >= {"ambassador.enrolled", "ambassador.updated"}
    with_profile = [e for e in mine if "profile" in e["data"]]
    assert len(with_profile) >= 2
    for event in with_profile:
        profile = event["data"]["profile"]
        assert profile["job_family"] in ("D" * 200, "E" * 200)
        assert profile["brand"] == "B" * 200 and profile["site"] == "S" * 200
        assert len(json.dumps(event)) < 4_000


async def _outbox_events(svc: RunningService, subject: str) -> list[dict[str, Any]]:
    async with svc.runtime.db.session() as session:
        payloads = (
            await session.execute(
                text("select payload from outbox where key = :k order by seq"), {"k": subject}
            )
        ).scalars()
        return [json.loads(p) for p in payloads]


async def test_a_400_digit_timestamp_is_a_bad_request(infra: Infra, svc: RunningService) -> None:
    """int("9" * 400) minus a float overflowed: 500 before. Now a malformed header, 400."""
    secret = await webhook_secret(svc, infra.auth(tenant=TENANT, roles=["admin"]))
    body, headers = signed(secret, {"change": "joiner", "employee_number": "T-1"})
    headers["X-Resonance-Timestamp"] = "9" * 400
    r = await svc.client.post(f"/v1/hr/webhooks/{TENANT}", content=body, headers=headers)
    assert r.status_code == 400, r.text
    assert r.json()["reason"] == "malformed"


async def test_webhook_signature_is_checked_before_any_transaction(
    infra: Infra, svc: RunningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counts the units of work the route opens: none for a refused signature, one for a good
    notice (before, the secret was read and the signature checked inside the transaction)."""
    secret = await webhook_secret(svc, infra.auth(tenant=TENANT, roles=["admin"]))
    runtime = svc.runtime
    opened: list[int] = []
    real = runtime.unit_of_work

    caller = asyncio.current_task()

    @asynccontextmanager
    async def counting() -> AsyncIterator[Any]:
        # The in-process client runs the route in this task; background jobs run in theirs.
        if asyncio.current_task() is caller:
            opened.append(1)
        async with real() as uow:
            yield uow

    monkeypatch.setattr(runtime, "unit_of_work", counting)
    body, headers = signed("w" * 40, {"change": "joiner", "employee_number": "T-2"})
    refused = await svc.client.post(f"/v1/hr/webhooks/{TENANT}", content=body, headers=headers)
    assert refused.status_code == 401 and opened == []
    body, headers = signed(secret, {"change": "joiner", "employee_number": "T-2"})
    accepted = await svc.client.post(f"/v1/hr/webhooks/{TENANT}", content=body, headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert opened == [1]


async def test_the_webhook_secret_is_never_kept_for_idempotent_replay(
    infra: Infra, svc: RunningService
) -> None:
    admin = {**infra.auth(tenant=TENANT, roles=["admin"]), "Idempotency-Key": "rotate-1"}
    first = await svc.client.put("/v1/hr/webhook-secret", json={}, headers=admin)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    secret = first.json()["secret"]
    async with svc.runtime.db.session() as session:
        stored = (
            await session.execute(
                text("select response_body from idempotency_keys where key = 'rotate-1'")
            )
        ).all()
    assert stored == []
    assert not any(secret in str(row) for row in stored)
    # The retry runs again (a fresh secret), rather than replaying the old one from storage.
    again = await svc.client.put("/v1/hr/webhook-secret", json={}, headers=admin)
    assert again.status_code == 200 and "idempotent-replayed" not in again.headers
    assert again.json()["secret"] != secret


async def test_consent_csv_cells_are_never_formulas(infra: Infra, svc: RunningService) -> None:
    """An opt-out reason is free text that lands in the consent CSV: a cell starting with = + -
    @ tab or CR is prefixed with a quote so a spreadsheet shows it instead of running it."""
    user = {"schemas": [CORE], "userName": "csv@hard.example"}
    _, me, programme = await _enrolled(infra, svc, "hard-csv", user)
    reason = '=HYPERLINK("http://evil.example","click")'
    left = await svc.client.post(
        f"/v1/ambassadors/me/programmes/{programme}/opt-out",
        json={"reason": reason},
        headers=me,
    )
    assert left.status_code == 200, left.text
    csv_text = (
        await svc.client.get("/v1/ambassadors/me/consents", params={"format": "csv"}, headers=me)
    ).text
    assert "'" + reason.replace('"', '""') in csv_text
    assert "\n" + "=" not in csv_text and ",=" not in csv_text
    assert json.dumps(reason) not in csv_text
