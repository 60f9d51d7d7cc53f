"""Data export, erasure on request and erasure after leaving — ambassador.erased on Kafka."""

from collections.abc import AsyncIterator

import pytest

from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import of_type, read_events

from .kit import CORE, ENT, ambassador, provision, provision_named

TENANT = "priv"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra,
        "ambassadors",
        onboarding_delay_s=0,
        invitation_poll_interval_s=0.1,
        erase_after_leaving_days=0,
        erasure_poll_interval_s=0.2,
    ) as svc:
        yield svc


async def test_export_then_erasure_on_request(infra: Infra, svc: RunningService) -> None:
    hr = infra.auth(tenant=TENANT, roles=["integration"])
    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    prog = (
        await svc.client.post(
            "/v1/programmes",
            json={"display_name": "Voices", "kind": "sharing_platform"},
            headers=pm,
        )
    ).json()
    user = {
        "schemas": [CORE, ENT],
        "userName": "eve@priv.example",
        "name": {"givenName": "Eve", "familyName": "Privacy"},
        "emails": [{"value": "eve@priv.example", "type": "work"}],
        ENT: {"employeeNumber": "E-1"},
    }
    person = await provision(svc, hr, user)
    eve = ambassador(infra, TENANT, "eve@priv.example")

    async def invited() -> list:
        r = await svc.client.get("/v1/ambassadors/me/invitations", headers=eve)
        return list(r.json()["items"])

    invitation = (await eventually(invited))[0]
    await svc.client.post(
        f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
        json={"charter_version": "1", "networks": ["linkedin"]},
        headers=eve,
    )
    await svc.client.patch(
        "/v1/ambassadors/me/preferences",
        json={"phone": "+33600000001", "age_band": "35_44"},
        headers=eve,
    )

    exported = await svc.client.get("/v1/ambassadors/me/export", headers=eve)
    assert exported.status_code == 200
    data = exported.json()
    assert data["employee"]["given_name"] == "Eve" and data["employee"]["phone"] == "+33600000001"
    assert [c["action"] for c in data["consents"]] == ["granted"]
    assert len(data["enrolments"]) == 1 and len(data["invitations"]) == 1
    stranger = ambassador(infra, TENANT, "mallory")
    assert (
        await svc.client.get(f"/v1/ambassadors/{person}/export", headers=stranger)
    ).status_code == 404

    erased = await svc.client.post("/v1/ambassadors/me/erasure", headers=eve)
    assert erased.status_code == 200, erased.text
    events = await read_events(
        infra,
        svc.settings.topic_prefix,
        "ambassador",
        of_type("ambassador.erased", ambassador_id=person),
    )
    types = [e.type for e in events if e.subject == person]
    assert types.index("ambassador.left") < types.index("ambassador.erased")
    assert next(e for e in events if e.type == "ambassador.erased").tenant == TENANT

    assert (await svc.client.get(f"/v1/ambassadors/{person}", headers=pm)).status_code == 404
    assert (await svc.client.get(f"/scim/v2/Users/{person}", headers=hr)).status_code == 404
    assert (
        await svc.client.get(
            "/scim/v2/Users", params={"filter": 'userName eq "eve@priv.example"'}, headers=hr
        )
    ).json()["totalResults"] == 0
    # The consent proof stays, pseudonymous, for the audit trail.
    audit = (
        await svc.client.get("/v1/consents", params={"programme_id": prog["id"]}, headers=pm)
    ).json()["items"]
    assert [c["action"] for c in audit] == ["granted", "withdrawn"]
    assert "Eve" not in str(audit) and "eve@" not in str(audit)
    # The identity provider may provision the same person again: a new record.
    again = await svc.client.post("/scim/v2/Users", json=user, headers=hr)
    assert again.status_code == 201 and again.json()["id"] != person


async def test_leavers_are_erased_after_the_retention_period(
    infra: Infra, svc: RunningService
) -> None:
    hr = infra.auth(tenant=TENANT, roles=["integration"])
    person = await provision_named(svc, hr, "gone@priv.example")
    stays = await provision_named(svc, hr, "stays@priv.example")
    off = await svc.client.patch(
        f"/scim/v2/Users/{person}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": False}],
        },
        headers=hr,
    )
    assert off.status_code == 200
    events = await read_events(
        infra,
        svc.settings.topic_prefix,
        "ambassador",
        of_type("ambassador.erased", ambassador_id=person),
    )
    assert not [e for e in events if e.type == "ambassador.erased" and e.subject == stays]
    assert (await svc.client.get(f"/scim/v2/Users/{stays}", headers=hr)).status_code == 200
