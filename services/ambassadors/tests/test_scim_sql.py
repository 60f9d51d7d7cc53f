"""Issue 8 item 11: SCIM filters and segment rules run in SQL. Every filter's answer is checked
against the scim2-models evaluation of the same filter over all users (so SQL keeps SCIM's
semantics), and the service converts only the rows it answers with."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from scim2_models import ScimFilter

from resonance.ambassadors.domain.scim_mapping import ScimUser
from resonance.ambassadors.service import scim_search
from resonance.ambassadors.store import people
from resonance.devstack.testing import Infra, RunningService, running_service

from .kit import CORE, ENT, ambassador, provision

TENANT = "sqlf"
PEOPLE = [
    # userName, displayName, givenName, department, active
    ("Alice@ex.example", "Alice Martin", "Alice", "Sales", True),
    ("bob@ex.example", "Bob Stone", "Bob", "sales", True),
    ("carol@ex.example", None, "Carol", "Engineering", False),
    ("dave@other.example", "Dave", None, None, True),
    ("erin@ex.example", "Érin Ng", "Erin", "R&D", True),
]
FILTERS = [
    'userName eq "alice@ex.example"',
    'userName ne "alice@ex.example"',
    'userName co "EX.EX"',
    'userName sw "b"',
    'userName ew ".example"',
    "displayName pr",
    "not (displayName pr)",
    'displayName gt "B"',
    'displayName ge "Bob Stone"',
    'displayName lt "Bob"',
    'displayName le "Alice Martin"',
    'name.givenName eq "carol"',
    f'{ENT}:department eq "SALES"',
    f'{ENT}:department ne "sales"',
    'active eq true and userName sw "a"',
    'active eq false or displayName eq "dave"',
    'not (userName co "other") and not (active eq false)',
    f'({ENT}:department pr or name.givenName sw "D") and active eq true',
    'meta.created gt "2000-01-01T00:00:00Z"',
]


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(infra, "ambassadors", onboarding_delay_s=3600) as svc:
        hr = infra.auth(tenant=TENANT, roles=["integration"])
        for user_name, display, given, department, active in PEOPLE:
            user: dict[str, Any] = {"schemas": [CORE, ENT], "userName": user_name}
            if display:
                user["displayName"] = display
            if given:
                user["name"] = {"givenName": given}
            if department:
                user[ENT] = {"department": department}
            if not active:
                user["active"] = False
            await provision(svc, hr, user)
        yield svc


@pytest.mark.parametrize("expression", FILTERS)
async def test_filters_answer_as_scim_defines_from_sql(
    infra: Infra, svc: RunningService, monkeypatch: pytest.MonkeyPatch, expression: str
) -> None:
    hr = infra.auth(tenant=TENANT, roles=["integration"])
    everyone = (await svc.client.get("/scim/v2/Users", params={"count": 100}, headers=hr)).json()
    assert everyone["totalResults"] == len(PEOPLE)
    compiled = ScimFilter[ScimUser](expression)
    expected = sorted(
        r["id"] for r in everyone["Resources"] if compiled.match(ScimUser.model_validate(r))
    )

    converted: list[str] = []
    real = scim_search.user_resource

    def counting(row: Any, base: str) -> Any:
        converted.append(row.id)
        return real(row, base)

    monkeypatch.setattr(scim_search, "user_resource", counting)
    r = await svc.client.get("/scim/v2/Users", params={"filter": expression}, headers=hr)
    assert r.status_code == 200, r.text
    assert sorted(u["id"] for u in r.json()["Resources"]) == expected
    assert r.json()["totalResults"] == len(expected)
    # Only the answered rows were loaded and converted, not every employee.
    assert sorted(converted) == expected


async def test_filtered_pages_are_counted_by_the_database(
    infra: Infra, svc: RunningService
) -> None:
    """4 users end in ".example" and are active... 5 end in it: pages of 2 from index 2."""
    hr = infra.auth(tenant=TENANT, roles=["integration"])
    r = await svc.client.get(
        "/scim/v2/Users",
        params={"filter": 'userName ew ".example"', "startIndex": 2, "count": 2},
        headers=hr,
    )
    body = r.json()
    assert body["totalResults"] == 5 and body["startIndex"] == 2
    assert len(body["Resources"]) == 2


async def test_segment_rules_run_in_sql(
    infra: Infra, svc: RunningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview never loads the tenant's employees into Python (current_employees was the
    query that did); its count is the hand count: Alice, Bob, Erin set "fr" as a language,
    Bob and Erin trailing blanks and capitals included, Carol left (inactive) → 3."""
    for user_name, language in (
        ("Alice@ex.example", "fr"),
        ("bob@ex.example", " FR "),
        ("erin@ex.example", "Fr"),
        ("dave@other.example", "de"),
    ):
        r = await svc.client.patch(
            "/v1/ambassadors/me/preferences",
            json={"languages": [language.strip().lower()]},
            headers=ambassador(infra, TENANT, user_name),
        )
        assert r.status_code == 200, r.text

    async def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("loaded every employee")

    monkeypatch.setattr(people, "current_employees", refuse)
    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    found = await svc.client.post(
        "/v1/segments/preview", json={"audience": {"languages": [" FR"]}}, headers=pm
    )
    assert found.status_code == 200, found.text
    assert found.json()["eligible"] == 3
