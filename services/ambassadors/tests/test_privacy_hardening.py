"""Issue 8 items 5 and 10 for the ambassadors service: erasure removes every personal field,
the export covers everything, late or replayed HR facts resurrect nobody, small groups are
never described by a sensitive attribute to communicators, staff actions are audited."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from resonance.common.events.catalogue import HrEmployee
from resonance.common.events.envelope import Envelope
from resonance.devstack import testkit
from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import emit_event

from .kit import CORE, ENT, ambassador, provision, user_by_number

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        yield svc


async def _row(svc: RunningService, sql: str, **params: Any) -> list[Any]:
    async with svc.runtime.db.session() as session:
        return list((await session.execute(text(sql), params)).mappings().all())


async def _enrol(svc: RunningService, me: dict[str, str]) -> str:
    async def sent() -> list:
        r = await svc.client.get("/v1/ambassadors/me/invitations", headers=me)
        return list(r.json()["items"])

    invitation = (await eventually(sent))[0]
    accepted = await svc.client.post(
        f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
        json={"charter_version": "1", "networks": ["linkedin"]},
        headers=me,
    )
    assert accepted.status_code == 201, accepted.text
    return str(invitation["programme_id"])


async def test_erasure_removes_every_personal_field(infra: Infra, svc: RunningService) -> None:
    tenant = "er-fields"
    hr = infra.auth(tenant=tenant, roles=["integration"])
    pm = infra.auth(tenant=tenant, roles=["program_manager"])
    await svc.client.post(
        "/v1/programmes", json={"display_name": "Voices", "kind": "sharing_platform"}, headers=pm
    )
    person = await provision(
        svc,
        hr,
        {
            "schemas": [CORE, ENT],
            "userName": "zoe@er.example",
            "displayName": "Zoé Secret",
            "preferredLanguage": "fr",
            "userType": "office",
            "addresses": [{"type": "work", "locality": "Lyon", "country": "FR"}],
            ENT: {
                "employeeNumber": "Z-1",
                "department": "Secret Ops",
                "division": "Acme Brand",
                "organization": "Acme FR",
            },
        },
    )
    group = await svc.client.post(
        "/scim/v2/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Lyon",
            "members": [{"value": person, "display": "Zoé Secret"}],
        },
        headers=hr,
    )
    assert group.status_code == 201, group.text
    zoe = {**ambassador(infra, tenant, "zoe@er.example"), "Idempotency-Key": "zoe-prefs"}
    prefs = await svc.client.patch(
        "/v1/ambassadors/me/preferences",
        json={
            "quiet_hours_start": "19:00",
            "quiet_hours_end": "08:00",
            "timezone": "Europe/Paris",
            "languages": ["fr", "en"],
            "working_days": [1, 2, 3],
            "age_band": "35_44",
        },
        headers=zoe,
    )
    assert prefs.status_code == 200, prefs.text
    programme = await _enrol(svc, ambassador(infra, tenant, "zoe@er.example"))
    left = await svc.client.post(
        f"/v1/ambassadors/me/programmes/{programme}/opt-out",
        json={"reason": "my manager Bob is difficult"},
        headers=ambassador(infra, tenant, "zoe@er.example"),
    )
    assert left.status_code == 200, left.text
    stored = await _row(svc, "select count(*) as n from idempotency_keys where key = 'zoe-prefs'")
    assert stored[0]["n"] == 1  # the replayable answer was kept, until the erasure

    erased = await svc.client.post(f"/v1/ambassadors/{person}/erasure", headers=pm)
    assert erased.status_code == 200, erased.text

    (row,) = await _row(svc, "select * from employees where id = :id", id=person)
    personal = [
        "department", "division", "organization", "brand", "entity", "job_family", "site",
        "country", "language", "worker_type", "age_band", "timezone", "quiet_hours_start",
        "quiet_hours_end", "hired_at", "leaves_at", "last_share_at", "display_name",
        "user_name", "employee_number",
    ]  # fmt: skip
    assert {name: row[name] for name in personal if row[name] is not None} == {}
    assert row["languages"] == [] and row["working_days"] == [] and row["scim"] == {}
    assert row["left_at"] == row["erased_at"]
    reasons = await _row(
        svc, "select reason from consent_records where employee_id = :id", id=person
    )
    assert [r["reason"] for r in reasons] == [None, None]  # granted, withdrawn: kept, no text
    groups = await _row(
        svc, "select resource::text as r from scim_groups where tenant = :t", t=tenant
    )
    assert person not in groups[0]["r"] and "Zoé" not in groups[0]["r"]
    assert (await _row(svc, "select count(*) as n from idempotency_keys where key = 'zoe-prefs'"))[
        0
    ]["n"] == 0


async def test_export_covers_groups_and_staff_actions_and_staff_actions_are_audited(
    infra: Infra, svc: RunningService
) -> None:
    tenant = "er-audit"
    hr = infra.auth(tenant=tenant, roles=["integration"])
    pm = infra.auth(tenant=tenant, roles=["program_manager"], subject="pm-1")
    admin = infra.auth(tenant=tenant, roles=["admin"], subject="admin-1")
    person = await provision(svc, hr, {"schemas": [CORE], "userName": "max@au.example"})
    await svc.client.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP], "displayName": "Team", "members": [{"value": person}]},
        headers=hr,
    )
    me = ambassador(infra, tenant, "max@au.example")
    assert (await svc.client.get("/v1/ambassadors/me", headers=me)).status_code == 200
    assert (await svc.client.get(f"/v1/ambassadors/{person}", headers=pm)).status_code == 200
    assert (await svc.client.get(f"/v1/ambassadors/{person}/export", headers=pm)).status_code == 200

    refused = await svc.client.get("/v1/audit/personal-data", headers=pm)
    assert refused.status_code == 403
    trail = await svc.client.get("/v1/audit/personal-data", params={"limit": 1}, headers=admin)
    assert trail.status_code == 200, trail.text
    first = trail.json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = await svc.client.get(
        "/v1/audit/personal-data",
        params={"limit": 10, "cursor": first["next_cursor"]},
        headers=admin,
    )
    entries = first["items"] + second.json()["items"]
    # The person reading their own record is not audited; the manager's read and export are.
    assert [(e["actor"], e["action"], e["ambassador_id"]) for e in entries] == [
        ("pm-1", "read", person),
        ("pm-1", "export", person),
    ]
    assert second.json()["next_cursor"] is None
    bad = await svc.client.get(
        "/v1/audit/personal-data", params={"cursor": "not-a-cursor"}, headers=admin
    )
    assert bad.status_code == 422

    exported = (await svc.client.get("/v1/ambassadors/me/export", headers=me)).json()
    assert [g["display_name"] for g in exported["groups"]] == ["Team"]
    assert [a["action"] for a in exported["staff_actions"]] == ["read", "export"]


async def test_preview_never_describes_a_small_age_group_to_communicators(
    infra: Infra, svc: RunningService
) -> None:
    """Three people aged 55+ (under the threshold of 5): a communicator gets neither names
    nor a count; a programme manager (who may see age bands) gets both. Nine aged 25-34: the
    communicator gets the count, still without names."""
    tenant = "kanon"
    hr = infra.auth(tenant=tenant, roles=["integration"])
    for i in range(12):
        band = "55_plus" if i < 3 else "25_34"
        await provision(svc, hr, {"schemas": [CORE], "userName": f"p{i}@k.example"})
        r = await svc.client.patch(
            "/v1/ambassadors/me/preferences",
            json={"age_band": band},
            headers=ambassador(infra, tenant, f"p{i}@k.example"),
        )
        assert r.status_code == 200, r.text
    communicator = infra.auth(tenant=tenant, roles=["communicator"])
    pm = infra.auth(tenant=tenant, roles=["program_manager"])
    old = {"audience": {"age_bands": ["55_plus"]}}
    small = (await svc.client.post("/v1/segments/preview", json=old, headers=communicator)).json()
    assert small == {"eligible": None, "sample": [], "disclosure": "suppressed"}
    staff = (await svc.client.post("/v1/segments/preview", json=old, headers=pm)).json()
    assert staff["eligible"] == 3 and len(staff["sample"]) == 3
    young = {"audience": {"age_bands": ["25_34"]}}
    large = (await svc.client.post("/v1/segments/preview", json=young, headers=communicator)).json()
    assert large == {"eligible": 9, "sample": [], "disclosure": "count_only"}
    # Without a sensitive rule nothing changes for communicators.
    everyone = (
        await svc.client.post("/v1/segments/preview", json={"audience": {}}, headers=communicator)
    ).json()
    assert everyone["eligible"] == 12 and everyone["disclosure"] == "full"


async def _emit_at(
    infra: Infra,
    svc: RunningService,
    monkeypatch: pytest.MonkeyPatch,
    tenant: str,
    event: HrEmployee,
    at: datetime,
) -> Envelope:
    """Publishes an HR fact whose envelope says it was stated at `at` (a late delivery or a
    replay from the topic's retention)."""
    original = testkit.new_envelope

    def dated(source: str, tenant: str, data: Any) -> Envelope:
        return original(source, tenant, data).model_copy(update={"time": at})

    monkeypatch.setattr(testkit, "new_envelope", dated)
    try:
        return await emit_event(infra, svc.settings.topic_prefix, tenant, event)
    finally:
        monkeypatch.setattr(testkit, "new_envelope", original)


async def _consumed(svc: RunningService, envelope: Envelope) -> None:
    async def seen() -> bool:
        rows = await _row(svc, "select 1 from inbox where event_id = :e", e=envelope.id)
        return bool(rows)

    await eventually(seen)


async def test_replayed_or_late_hr_facts_resurrect_nobody(
    infra: Infra, svc: RunningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = "replay"
    hr = infra.auth(tenant=tenant, roles=["integration"])
    pm = infra.auth(tenant=tenant, roles=["program_manager"])
    now = datetime.now(UTC)
    joiner = HrEmployee(change="joiner", employee_number="R-1", email="rita@r.example")
    first = await _emit_at(infra, svc, monkeypatch, tenant, joiner, now - timedelta(hours=2))
    await _consumed(svc, first)
    rita = await user_by_number(svc, hr, "R-1")
    assert rita is not None and rita["active"] is True

    # A leaver, then the joiner of two hours ago delivered late: she stays a leaver.
    leaver = HrEmployee(change="leaver", employee_number="R-1")
    await _consumed(svc, await _emit_at(infra, svc, monkeypatch, tenant, leaver, now))
    late = await _emit_at(infra, svc, monkeypatch, tenant, joiner, now - timedelta(hours=1))
    await _consumed(svc, late)
    assert (await user_by_number(svc, hr, "R-1"))["active"] is False  # type: ignore[index]

    # Erased; then the whole history replayed from the topic: nobody comes back.
    erased = await svc.client.post(f"/v1/ambassadors/{rita['id']}/erasure", headers=pm)
    assert erased.status_code == 200, erased.text
    replay = await _emit_at(infra, svc, monkeypatch, tenant, joiner, now - timedelta(hours=2))
    await _consumed(svc, replay)
    assert await user_by_number(svc, hr, "R-1") is None
    people = await _row(svc, "select count(*) as n from employees where tenant = :t", t=tenant)
    assert people[0]["n"] == 1  # the erased record only
    # A genuine rehire stated after the erasure is a new record.
    rehire = await _emit_at(
        infra, svc, monkeypatch, tenant, joiner, datetime.now(UTC) + timedelta(seconds=1)
    )
    await _consumed(svc, rehire)
    back = await user_by_number(svc, hr, "R-1")
    assert back is not None and back["id"] != rita["id"]
