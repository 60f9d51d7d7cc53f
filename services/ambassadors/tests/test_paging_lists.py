"""Every /v1 list of the service pages the same way (docs/api.md, "Lists"): `limit` (default
50, at most 200) and `cursor` in, `{"items": [...], "next_cursor": ...}` out, a keyset on a
unique sort key. Over real PostgreSQL: each list is walked two rows at a time and must give
every row once, in the order of the whole list, and nothing of another tenant."""

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from resonance.devstack.testing import Infra, RunningService, eventually, running_service

from .kit import CORE, ENT, ambassador, provision

A, B, C = "pager", "pager-b", "pager-c"
PEOPLE = [f"p{n}" for n in range(5)]
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Listed:
    """One list as a caller of tenant A reads it, and what it must hold."""

    path: str
    headers: dict[str, str]
    key: str  # the field that tells the rows apart
    expected: set[str]  # every row the whole list holds, counted by hand below


@dataclass
class World:
    lists: dict[str, Listed]
    other_tenant: dict[str, set[str]]  # rows of tenant B, by list name
    other_pm: dict[str, str]
    registrations: list[dict[str, Any]]
    consent_actions: list[str]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _programme(svc: RunningService, pm: dict[str, str], name: str, **fields: Any) -> str:
    body = {"display_name": name, "kind": "sharing_platform", **fields}
    return str(_ok(await svc.client.post("/v1/programmes", json=body, headers=pm), 201)["id"])


async def _person(svc: RunningService, hr: dict[str, str], tenant: str, name: str) -> str:
    return await provision(
        svc,
        hr,
        {
            "schemas": [CORE, ENT],
            "userName": f"{name}@{tenant}.example",
            "addresses": [{"type": "work", "country": "FR"}],
            ENT: {"employeeNumber": name},
        },
    )


def _me(infra: Infra, tenant: str, name: str) -> dict[str, str]:
    return ambassador(infra, tenant, f"{name}@{tenant}.example")


async def _accept(svc: RunningService, me: dict[str, str], programme_id: str) -> str:
    """Accepts the person's invitation to this programme once it is sent; the enrolment id."""

    async def sent() -> dict[str, Any] | None:
        page = _ok(
            await svc.client.get(
                "/v1/ambassadors/me/invitations", params={"limit": 200}, headers=me
            )
        )
        return next(
            (
                i
                for i in page["items"]
                if i["programme_id"] == programme_id and i["status"] == "sent"
            ),
            None,
        )

    invitation = await eventually(sent)
    accepted = await svc.client.post(
        f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
        json={"charter_version": "1"},
        headers=me,
    )
    return str(_ok(accepted, 201)["id"])


async def _build(infra: Infra, svc: RunningService) -> World:
    pm, comms = (infra.auth(tenant=A, roles=[r]) for r in ("program_manager", "communicator"))
    hr = infra.auth(tenant=A, roles=["integration"])
    pm_b, hr_b = (infra.auth(tenant=B, roles=[r]) for r in ("program_manager", "integration"))

    # Five programmes everyone may join, and a VIP one (by nomination only) for cohorts.
    programmes = [await _programme(svc, pm, f"P{n}") for n in range(5)]
    vip = await _programme(svc, pm, "VIP", kind="vip_cohort")
    # Then five people: each is invited, as a joiner, to the five open programmes.
    people = [await _person(svc, hr, A, name) for name in PEOPLE]

    # p0 joins P0, P1, P2 and leaves P2; p1 joins P0. Consents: p0 has 3 grants and 1
    # withdrawal; the tenant 5 records.
    p0, p1 = _me(infra, A, "p0"), _me(infra, A, "p1")
    enrolments = [await _accept(svc, p0, programmes[n]) for n in range(3)]
    _ok(await svc.client.post(f"/v1/ambassadors/me/programmes/{programmes[2]}/opt-out", headers=p0))
    await _accept(svc, p1, programmes[0])

    # Five cohorts, two starting on the same day (the id breaks the tie), one planned cohort
    # gathering the five nominations (planned: nobody is invited yet).
    cohorts = []
    for n, starts in enumerate(
        ["2027-01-01", "2026-01-01", "2027-01-01", "2028-01-01", "2026-06-01"]
    ):
        cohort = {
            "name": f"C{n}",
            "starts_on": starts,
            "ends_on": "2029-12-31",
            "status": "planned",
        }
        made = await svc.client.post(f"/v1/programmes/{vip}/cohorts", json=cohort, headers=pm)
        cohorts.append(_ok(made, 201)["id"])
    nominations = []
    for person in people:
        made = await svc.client.post(
            f"/v1/cohorts/{cohorts[0]}/nominations", json={"ambassador_id": person}, headers=comms
        )
        nominations.append(_ok(made, 201)["id"])

    # Five activities, two at the same time; the first has 2 seats for 5 people.
    activities = []
    for n, at in enumerate(["2030-03-01", "2030-01-01", "2030-03-01", "2030-02-01", "2031-01-01"]):
        body: dict[str, Any] = {
            "title": f"A{n}",
            "kind": "workshop",
            "mode": "online",
            "starts_at": f"{at}T09:00:00Z",
            "seats": 2,
        }
        made = await svc.client.post("/v1/activities", json=body, headers=comms)
        activities.append(_ok(made, 201)["id"])
    registrations = []
    for name in PEOPLE:
        made = await svc.client.put(
            f"/v1/activities/{activities[0]}/registrations/me", headers=_me(infra, A, name)
        )
        registrations.append(_ok(made))

    # Tenant B: the same names, its own rows.
    b_programmes = {await _programme(svc, pm_b, f"P{n}") for n in range(2)}
    b_person = await _person(svc, hr_b, B, "p0")
    await _accept(svc, _me(infra, B, "p0"), min(b_programmes))
    b_activity = await svc.client.post(
        "/v1/activities",
        json={
            "title": "B",
            "kind": "event",
            "mode": "online",
            "starts_at": "2030-01-01T09:00:00Z",
            "seats": 1,
        },
        headers=pm_b,
    )
    b_consents = _ok(await svc.client.get("/v1/consents", headers=pm_b))

    lists = {
        "programmes": Listed("/v1/programmes", pm, "id", {*programmes, vip}),
        "activities": Listed("/v1/activities", pm, "id", set(activities)),
        "registrations": Listed(
            f"/v1/activities/{activities[0]}/registrations",
            comms,
            "id",
            {r["id"] for r in registrations},
        ),
        "cohorts": Listed(f"/v1/programmes/{vip}/cohorts", pm, "id", set(cohorts)),
        "nominations": Listed(
            f"/v1/cohorts/{cohorts[0]}/nominations", comms, "id", set(nominations)
        ),
        # Staff see the scheduled invitations too: one per open programme.
        "invitations": Listed(
            f"/v1/ambassadors/{people[1]}/invitations", pm, "programme_id", set(programmes)
        ),
        "enrolments": Listed(f"/v1/ambassadors/{people[0]}/enrolments", pm, "id", set(enrolments)),
        "consents": Listed(
            f"/v1/ambassadors/{people[0]}/consents", pm, "programme_id", set(programmes[:3])
        ),
        "tenant consents": Listed("/v1/consents", pm, "ambassador_id", {people[0], people[1]}),
        "segment members": Listed(
            f"/v1/programmes/{programmes[0]}/segments/eligible", pm, "ambassador_id", set(people)
        ),
    }
    other = {
        "programmes": b_programmes,
        "activities": {_ok(b_activity, 201)["id"]},
        "invitations": b_programmes,
        "tenant consents": {c["ambassador_id"] for c in b_consents["items"]},
        "segment members": {b_person},
    }
    return World(lists, other, pm_b, registrations, ["granted", "granted", "granted", "withdrawn"])


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        yield svc


@pytest.fixture(scope="module")
async def world(infra: Infra, svc: RunningService) -> World:
    return await _build(infra, svc)


async def _walk(
    svc: RunningService, path: str, headers: dict[str, str], limit: int
) -> list[list[dict[str, Any]]]:
    """Every page of a list, following next_cursor until it is null."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while len(pages) < 50:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = _ok(await svc.client.get(path, params=params, headers=headers))
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the list never ended")


def _ident(row: dict[str, Any]) -> str:
    """A row's own id (a segment member is a person: their id)."""
    return str(row["id"] if "id" in row else row["ambassador_id"])


def _sizes(total: int, limit: int) -> list[int]:
    """Page sizes of `total` rows by `limit`: full pages, then the rest (none if exact)."""
    full, rest = divmod(total, limit)
    return [limit] * full + ([rest] if rest else [])


LISTS = [
    "programmes",
    "activities",
    "registrations",
    "cohorts",
    "nominations",
    "invitations",
    "enrolments",
    "consents",
    "tenant consents",
    "segment members",
]


def test_sizes_of_pages() -> None:
    # 5 rows by 2: 2, 2, 1; 4 by 2: 2, 2 (the last full page says null, no empty page).
    assert _sizes(5, 2) == [2, 2, 1] and _sizes(4, 2) == [2, 2] and _sizes(1, 2) == [1]


@pytest.mark.parametrize("name", LISTS)
async def test_two_at_a_time_gives_every_row_once_in_order(
    world: World, svc: RunningService, name: str
) -> None:
    listed = world.lists[name]
    whole = _ok(await svc.client.get(listed.path, params={"limit": 200}, headers=listed.headers))
    assert whole["next_cursor"] is None  # everything fits one page of 200
    pages = await _walk(svc, listed.path, listed.headers, limit=2)
    rows = [row for page in pages for row in page]
    # No gap, no overlap: the pages, end to end, are the whole list in its order.
    assert [_ident(r) for r in rows] == [_ident(r) for r in whole["items"]]
    assert len({_ident(r) for r in rows}) == len(rows)
    assert [len(p) for p in pages] == _sizes(len(rows), 2)
    assert {row[listed.key] for row in rows} == listed.expected
    assert not {row[listed.key] for row in rows} & world.other_tenant.get(name, set())


async def test_orders_are_the_documented_ones(world: World, svc: RunningService) -> None:
    async def rows(name: str) -> list[dict[str, Any]]:
        listed = world.lists[name]
        return [r for page in await _walk(svc, listed.path, listed.headers, 2) for r in page]

    programmes = await rows("programmes")
    assert [p["display_name"] for p in programmes] == ["P0", "P1", "P2", "P3", "P4", "VIP"]
    starts = [a["starts_at"] for a in await rows("activities")]
    assert starts == sorted(starts)
    cohorts = await rows("cohorts")
    assert [c["starts_on"] for c in cohorts] == [
        "2026-01-01",
        "2026-06-01",
        "2027-01-01",
        "2027-01-01",
        "2028-01-01",
    ]
    tied = [c["id"] for c in cohorts if c["starts_on"] == "2027-01-01"]
    assert tied == sorted(tied)  # the id breaks the tie
    # 2 seats for 5: the two first registered hold them, the three others wait in order,
    # their positions counted over the whole waiting list on whatever page they fall.
    registrations = await rows("registrations")
    assert [(r["status"], r["waitlist_position"]) for r in registrations] == [
        ("registered", None),
        ("registered", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
        ("waitlisted", 3),
    ]
    assert [r["id"] for r in registrations] == [r["id"] for r in world.registrations]
    assert [c["action"] for c in await rows("consents")] == world.consent_actions


@pytest.mark.parametrize("name", LISTS)
async def test_a_cursor_we_did_not_give_is_a_problem(
    world: World, svc: RunningService, name: str
) -> None:
    listed = world.lists[name]
    first = _ok(await svc.client.get(listed.path, params={"limit": 1}, headers=listed.headers))
    given = first["next_cursor"]
    assert given  # every list here has more than one row
    key = json.loads(base64.urlsafe_b64decode(given + "=" * (-len(given) % 4)))

    def forged(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    tampered = [
        "not a cursor",
        given[:-4],  # cut short: no longer JSON
        forged(key[:-1]),  # a part missing
        forged([*key, "x"]),  # a part too many
        forged([None] * len(key)),  # parts of the wrong kind
        forged({"after": key}),  # not a list at all
    ]
    for cursor in tampered:
        r = await svc.client.get(listed.path, params={"cursor": cursor}, headers=listed.headers)
        assert r.status_code == 422, (cursor, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["type"].endswith("/invalid-cursor")


async def test_time_keys_the_database_cannot_hold_are_refused(
    world: World, svc: RunningService
) -> None:
    listed = world.lists["programmes"]

    def forged(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    for at in ("2026-01-01T00:00:00", "0001-01-01T00:00:00+05:00", "yesterday"):
        r = await svc.client.get(
            listed.path, params={"cursor": forged([at, "x"])}, headers=listed.headers
        )
        assert r.status_code == 422, (at, r.text)
    r = await svc.client.get(
        listed.path,
        params={"cursor": forged(["2026-01-01T00:00:00Z", "a\x00b"])},
        headers=listed.headers,
    )
    assert r.status_code == 422


@pytest.mark.parametrize("name", LISTS)
async def test_limit_is_bounded(world: World, svc: RunningService, name: str) -> None:
    listed = world.lists[name]
    for limit in (0, 201):
        r = await svc.client.get(listed.path, params={"limit": limit}, headers=listed.headers)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith(PROBLEM)
        assert [e["location"] for e in r.json()["errors"]] == [["query", "limit"]]
    # Without a limit: the default page of 50 holds every row of these short lists.
    body = _ok(await svc.client.get(listed.path, headers=listed.headers))
    assert body["next_cursor"] is None and {r[listed.key] for r in body["items"]} == listed.expected


@pytest.mark.parametrize("name", ["programmes", "activities", "tenant consents", "invitations"])
async def test_another_tenant_sees_only_its_own_rows(
    world: World, svc: RunningService, name: str
) -> None:
    listed = world.lists[name]
    path = listed.path
    if name == "invitations":  # tenant B's p0, by their own id
        (b_person,) = world.other_tenant["segment members"]
        path = f"/v1/ambassadors/{b_person}/invitations"
    # Even handed a cursor of tenant A, tenant B walks only its own rows.
    a_cursor = (
        _ok(await svc.client.get(listed.path, params={"limit": 1}, headers=listed.headers))
    )["next_cursor"]
    seen: set[str] = set()
    for cursor in (None, a_cursor):
        params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        body = _ok(await svc.client.get(path, params=params, headers=world.other_pm))
        seen |= {r[listed.key] for r in body["items"]}
    assert seen <= world.other_tenant[name] and not seen & listed.expected
    assert seen  # tenant B has rows of its own here


@pytest.mark.parametrize(
    "name", ["registrations", "cohorts", "nominations", "enrolments", "consents", "segment members"]
)
async def test_another_tenants_list_is_not_found(
    world: World, svc: RunningService, name: str
) -> None:
    r = await svc.client.get(world.lists[name].path, headers=world.other_pm)
    assert r.status_code == 404, r.text


async def test_pages_hold_still_while_rows_are_added(infra: Infra, svc: RunningService) -> None:
    pm = infra.auth(tenant=C, roles=["program_manager"])
    first = [await _programme(svc, pm, f"S{n}") for n in range(3)]
    page = _ok(await svc.client.get("/v1/programmes", params={"limit": 2}, headers=pm))
    assert [p["id"] for p in page["items"]] == first[:2]
    # A programme created between two pages: the next page continues after the second row.
    added = await _programme(svc, pm, "S3")
    rest = _ok(
        await svc.client.get(
            "/v1/programmes", params={"limit": 2, "cursor": page["next_cursor"]}, headers=pm
        )
    )
    assert [p["id"] for p in rest["items"]] == [first[2], added]
    assert rest["next_cursor"] is None


async def test_the_consent_csv_is_the_whole_history(world: World, svc: RunningService) -> None:
    listed = world.lists["consents"]
    r = await svc.client.get(
        listed.path, params={"format": "csv", "limit": 1}, headers=listed.headers
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    # A header line and the 4 records, each ending with a line break, whatever `limit` says.
    assert r.text.count("\n") == 1 + len(world.consent_actions)
