"""SCIM 2.0 service provider against real PostgreSQL and Kafka."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from resonance.devstack.testing import Infra, RunningService, running_service

from .kit import CORE, ENT, PATCH, SCIM_JSON, signed, webhook_secret


def user(name: str, number: str, department: str = "Sales", **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [CORE, ENT],
        "userName": f"{name}@acme.example",
        "externalId": f"ext-{number}",
        "active": True,
        "name": {"givenName": name.title(), "familyName": "Test"},
        "emails": [{"value": f"{name}@acme.example", "type": "work", "primary": True}],
        "preferredLanguage": "fr-FR",
        "addresses": [{"type": "work", "locality": "Lyon", "country": "FR"}],
        ENT: {"employeeNumber": number, "department": department, "division": "Acme Cloud"},
        **extra,
    }


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(infra, "ambassadors", onboarding_delay_s=3600) as svc:
        yield svc


@pytest.fixture(scope="module")
def hr(infra: Infra) -> dict[str, str]:
    return infra.auth(tenant="acme", roles=["integration"], subject="hr-connector")


async def test_create_patch_deactivate_lifecycle_entra_style(
    svc: RunningService, hr: dict[str, str]
) -> None:
    created = await svc.client.post("/scim/v2/Users", json=user("lea", "1001"), headers=hr)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM_JSON)
    body = created.json()
    user_id = body["id"]
    assert created.headers["location"].endswith(f"/scim/v2/Users/{user_id}")
    assert body[ENT]["department"] == "Sales"
    assert body["meta"]["resourceType"] == "User"
    assert "password" not in body

    # Entra looks users up by userName before touching them.
    found = await svc.client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "LEA@acme.example"'}, headers=hr
    )
    assert found.status_code == 200
    assert found.json()["totalResults"] == 1
    assert found.json()["Resources"][0]["id"] == user_id

    # A mover, the way Microsoft Entra sends it: capitalised op, URN-qualified path.
    moved = await svc.client.patch(
        f"/scim/v2/Users/{user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": f"{ENT}:department", "value": "Marketing"},
                {"op": "Add", "path": "displayName", "value": "Léa T."},
                {"op": "Replace", "path": "name.givenName", "value": "Léana"},
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "lea.t@acme.example",
                },
                {
                    "op": "Add",
                    "path": 'phoneNumbers[type eq "mobile"].value',
                    "value": "+33611111111",
                },
            ],
        },
        headers=hr,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()[ENT]["department"] == "Marketing"
    again = await svc.client.get(f"/scim/v2/Users/{user_id}", headers=hr)
    assert again.json()[ENT]["department"] == "Marketing"
    assert again.json()["displayName"] == "Léa T."
    assert again.json()["name"]["givenName"] == "Léana"
    assert [e["value"] for e in again.json()["emails"]] == ["lea.t@acme.example"]
    assert again.json()["phoneNumbers"][0]["value"] == "+33611111111"
    by_department = await svc.client.get(
        "/scim/v2/Users", params={"filter": f'{ENT}:department eq "Marketing"'}, headers=hr
    )
    assert [r["id"] for r in by_department.json()["Resources"]] == [user_id]

    # Deactivation with a string boolean, as Entra sends it.
    off = await svc.client.patch(
        f"/scim/v2/Users/{user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
        headers=hr,
    )
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    # A path-less Replace with a value object, also Entra's habit.
    on = await svc.client.patch(
        f"/scim/v2/Users/{user_id}",
        json={"schemas": [PATCH], "Operations": [{"op": "Replace", "value": {"active": "True"}}]},
        headers=hr,
    )
    assert on.status_code == 200, on.text
    assert on.json()["active"] is True

    deleted = await svc.client.delete(f"/scim/v2/Users/{user_id}", headers=hr)
    assert deleted.status_code == 204
    gone = await svc.client.get(f"/scim/v2/Users/{user_id}", headers=hr)
    assert gone.status_code == 404
    assert gone.json()["status"] == "404"


async def test_put_replaces_and_manager_string_is_accepted(
    svc: RunningService, hr: dict[str, str]
) -> None:
    created = await svc.client.post("/scim/v2/Users", json=user("max", "1002"), headers=hr)
    user_id = created.json()["id"]
    replacement = user("max", "1002", department="Finance")
    replacement[ENT]["manager"] = "boss-123"
    del replacement["addresses"]
    replaced = await svc.client.put(f"/scim/v2/Users/{user_id}", json=replacement, headers=hr)
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert body[ENT]["department"] == "Finance"
    assert body[ENT]["manager"]["value"] == "boss-123"
    assert "addresses" not in body


async def test_scim_errors_are_scim_bodies(svc: RunningService, hr: dict[str, str]) -> None:
    async def error(response: Any, status: int, scim_type: str | None = None) -> None:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith(SCIM_JSON)
        body = response.json()
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert body["status"] == str(status)
        if scim_type:
            assert body["scimType"] == scim_type

    await error(
        await svc.client.post(
            "/scim/v2/Users", content=b"{not json", headers={**hr, "content-type": SCIM_JSON}
        ),
        400,
        "invalidSyntax",
    )
    await error(await svc.client.post("/scim/v2/Users", json={"schemas": [CORE]}, headers=hr), 400)
    await error(
        await svc.client.post(
            "/scim/v2/Users",
            json={"schemas": [CORE], "userName": "x", "active": "maybe"},
            headers=hr,
        ),
        400,
        "invalidValue",
    )
    await error(
        await svc.client.get("/scim/v2/Users", params={"filter": "userName eq"}, headers=hr),
        400,
        "invalidFilter",
    )
    await error(
        await svc.client.get("/scim/v2/Users", params={"count": "many"}, headers=hr),
        400,
        "invalidValue",
    )
    await error(await svc.client.get("/scim/v2/Users/nope", headers=hr), 404)
    await svc.client.post("/scim/v2/Users", json=user("dup", "1003"), headers=hr)
    await error(
        await svc.client.post("/scim/v2/Users", json=user("dup", "1004"), headers=hr),
        409,
        "uniqueness",
    )
    await error(
        await svc.client.patch(
            "/scim/v2/Users/nope",
            json={"schemas": [PATCH], "Operations": [{"op": "jump", "path": "active"}]},
            headers=hr,
        ),
        400,
    )
    await error(await svc.client.get("/scim/v2/Users"), 401)
    await error(await svc.client.get("/scim/v2/Bulk", headers=hr), 404)
    await error(await svc.client.put("/scim/v2/Users", json={}, headers=hr), 405)
    await error(
        await svc.client.post(
            "/scim/v2/.search", json={"filter": 'userName eq "x" and'}, headers=hr
        ),
        400,
        "invalidFilter",
    )
    await error(
        await svc.client.post("/scim/v2/Users/.search", json={"count": "ten"}, headers=hr), 400
    )
    await error(
        await svc.client.post(
            "/scim/v2/Groups",
            json={
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Ghosts",
                "members": [{"value": "nobody"}],
            },
            headers=hr,
        ),
        400,
        "invalidValue",
    )


async def test_roles_and_tenants(infra: Infra, svc: RunningService, hr: dict[str, str]) -> None:
    communicator = infra.auth(tenant="acme", roles=["communicator"])
    denied = await svc.client.get("/scim/v2/Users", headers=communicator)
    assert denied.status_code == 403
    assert denied.json()["status"] == "403"

    created = await svc.client.post("/scim/v2/Users", json=user("iso", "1005"), headers=hr)
    user_id = created.json()["id"]
    globex = infra.auth(tenant="globex", roles=["integration"])
    assert (await svc.client.get(f"/scim/v2/Users/{user_id}", headers=globex)).status_code == 404
    listed = await svc.client.get("/scim/v2/Users", headers=globex)
    assert user_id not in [r["id"] for r in listed.json()["Resources"]]
    # The same userName may exist in another tenant.
    other = await svc.client.post("/scim/v2/Users", json=user("iso", "1005"), headers=globex)
    assert other.status_code == 201


async def test_filter_and_pagination(infra: Infra, svc: RunningService) -> None:
    hr = infra.auth(tenant="paged", roles=["integration"])
    ids = []
    for i in range(5):
        r = await svc.client.post("/scim/v2/Users", json=user(f"p{i}", f"20{i}"), headers=hr)
        ids.append(r.json()["id"])
    page = await svc.client.get("/scim/v2/Users", params={"startIndex": 2, "count": 2}, headers=hr)
    body = page.json()
    assert body["totalResults"] == 5
    assert body["startIndex"] == 2
    assert body["itemsPerPage"] == 2
    assert [r["id"] for r in body["Resources"]] == ids[1:3]
    beyond = await svc.client.get("/scim/v2/Users", params={"startIndex": 9}, headers=hr)
    assert beyond.json()["Resources"] == [] and beyond.json()["totalResults"] == 5
    zero = await svc.client.get("/scim/v2/Users", params={"count": 0}, headers=hr)
    assert zero.json()["itemsPerPage"] == 0 and zero.json()["totalResults"] == 5
    combined = await svc.client.get(
        "/scim/v2/Users",
        params={"filter": 'userName sw "p1" or externalId eq "ext-203"', "attributes": "userName"},
        headers=hr,
    )
    resources = combined.json()["Resources"]
    assert sorted(r["userName"] for r in resources) == ["p1@acme.example", "p3@acme.example"]
    assert all("emails" not in r for r in resources)
    searched = await svc.client.post(
        "/scim/v2/Users/.search",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName sw "p"',
            "startIndex": 2,
            "count": 2,
            "excludedAttributes": ["emails"],
        },
        headers=hr,
    )
    assert searched.status_code == 200, searched.text
    assert searched.json()["totalResults"] == 5
    assert [r["id"] for r in searched.json()["Resources"]] == ids[1:3]
    assert all("emails" not in r for r in searched.json()["Resources"])
    everything = await svc.client.post(
        "/scim/v2/.search", json={"filter": 'userName eq "p0@acme.example"'}, headers=hr
    )
    assert [r["id"] for r in everything.json()["Resources"]] == [ids[0]]
    by_number = await svc.client.get(
        "/scim/v2/Users", params={"filter": f'{ENT}:employeeNumber eq "204"'}, headers=hr
    )
    assert [r["id"] for r in by_number.json()["Resources"]] == [ids[4]]


async def test_discovery_endpoints(svc: RunningService, hr: dict[str, str]) -> None:
    config = await svc.client.get("/scim/v2/ServiceProviderConfig", headers=hr)
    assert config.status_code == 200
    assert config.json()["patch"]["supported"] is True
    assert config.json()["filter"]["supported"] is True
    assert config.json()["bulk"]["supported"] is False
    types = await svc.client.get("/scim/v2/ResourceTypes", headers=hr)
    assert {t["id"] for t in types.json()["Resources"]} == {"User", "Group"}
    user_type = await svc.client.get("/scim/v2/ResourceTypes/User", headers=hr)
    assert user_type.json()["schemaExtensions"][0]["schema"] == ENT
    schemas = await svc.client.get("/scim/v2/Schemas", headers=hr)
    assert ENT in {s["id"] for s in schemas.json()["Resources"]}
    ent = await svc.client.get(f"/scim/v2/Schemas/{ENT}", headers=hr)
    assert "employeeNumber" in {a["name"] for a in ent.json()["attributes"]}


async def test_groups(svc: RunningService, hr: dict[str, str]) -> None:
    member = (await svc.client.post("/scim/v2/Users", json=user("gm", "1006"), headers=hr)).json()
    created = await svc.client.post(
        "/scim/v2/Groups",
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Lyon"},
        headers=hr,
    )
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    added = await svc.client.patch(
        f"/scim/v2/Groups/{group_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "Add", "path": "members", "value": [{"value": member["id"]}]}],
        },
        headers=hr,
    )
    assert added.status_code == 200, added.text
    assert [m["value"] for m in added.json()["members"]] == [member["id"]]
    found = await svc.client.get(
        "/scim/v2/Groups", params={"filter": 'displayName eq "lyon"'}, headers=hr
    )
    assert found.json()["totalResults"] == 1
    removed = await svc.client.patch(
        f"/scim/v2/Groups/{group_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "Remove", "path": f'members[value eq "{member["id"]}"]'}],
        },
        headers=hr,
    )
    assert removed.status_code == 200, removed.text
    assert not removed.json().get("members")
    assert (await svc.client.delete(f"/scim/v2/Groups/{group_id}", headers=hr)).status_code == 204
    assert (await svc.client.get(f"/scim/v2/Groups/{group_id}", headers=hr)).status_code == 404


async def test_scim_adopts_someone_hr_already_announced(infra: Infra, svc: RunningService) -> None:
    """Door two (webhook) then door one (SCIM): one person, one record."""
    admin = infra.auth(tenant="doors", roles=["admin"])
    hr = infra.auth(tenant="doors", roles=["integration"])
    secret = await webhook_secret(svc, admin)
    body, headers = signed(
        secret,
        {"change": "joiner", "employee_number": "D-1", "given_name": "Dora", "age_band": "45_54"},
    )
    r = await svc.client.post("/v1/hr/webhooks/doors", content=body, headers=headers)
    known = r.json()["employee_id"]
    created = await svc.client.post("/scim/v2/Users", json=user("dora", "D-1"), headers=hr)
    assert created.status_code == 201, created.text
    assert created.json()["id"] == known
    # SCIM never carries an age band: what HR said stays.
    profile = await svc.client.get(f"/v1/ambassadors/{known}", headers=admin)
    assert profile.json()["age_band"] == "45_54" and profile.json()["email"] == "dora@acme.example"
    twice = await svc.client.post("/scim/v2/Users", json=user("dora", "D-1"), headers=hr)
    assert twice.status_code == 409


async def test_idempotency_key_replays_a_scim_create(
    svc: RunningService, hr: dict[str, str]
) -> None:
    headers = {**hr, "Idempotency-Key": "create-ida-1"}
    first = await svc.client.post("/scim/v2/Users", json=user("ida", "1100"), headers=headers)
    second = await svc.client.post("/scim/v2/Users", json=user("ida", "1100"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers.get("idempotent-replayed") == "true"


async def test_concurrent_creates_of_one_user_never_fail(
    svc: RunningService, hr: dict[str, str]
) -> None:
    import asyncio

    answers = await asyncio.gather(
        *[
            svc.client.post("/scim/v2/Users", json=user("race", "1200"), headers=hr)
            for _ in range(6)
        ]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and set(codes) <= {201, 409}, [
        (a.json().get("id"), a.json()["meta"]["version"], a.headers.get("idempotent-replayed"))
        for a in answers
        if a.status_code == 201
    ]
    assert all(a.headers["content-type"].startswith(SCIM_JSON) for a in answers)
