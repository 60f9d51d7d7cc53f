"""VIP cohort renewal with nominations, and activities with seats and a waiting list."""

from collections.abc import AsyncIterator

import pytest

from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import of_type, read_events

from .kit import ambassador, provision_named

TENANT = "vip"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        yield svc


async def person(svc: RunningService, infra: Infra, name: str) -> str:
    return await provision_named(svc, infra.auth(tenant=TENANT, roles=["integration"]), name)


def me(infra: Infra, name: str) -> dict[str, str]:
    return ambassador(infra, TENANT, name)


async def test_vip_cohort_renewal(infra: Infra, svc: RunningService) -> None:
    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    comms = infra.auth(tenant=TENANT, roles=["communicator"])
    vip = (
        await svc.client.post(
            "/v1/programmes", json={"display_name": "VIP", "kind": "vip_cohort"}, headers=pm
        )
    ).json()
    alice, bruno = await person(svc, infra, "alice"), await person(svc, infra, "bruno")
    c2026 = (
        await svc.client.post(
            f"/v1/programmes/{vip['id']}/cohorts",
            json={"name": "VIP 2026", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
            headers=pm,
        )
    ).json()
    bad_dates = await svc.client.post(
        f"/v1/programmes/{vip['id']}/cohorts",
        json={"name": "x", "starts_on": "2026-02-01", "ends_on": "2026-01-01"},
        headers=pm,
    )
    assert bad_dates.status_code == 422
    # VIP cohorts are by nomination only: no joiner invitation.
    nominated = await svc.client.post(
        f"/v1/cohorts/{c2026['id']}/nominations", json={"ambassador_id": alice}, headers=comms
    )
    assert nominated.status_code == 201, nominated.text
    twice = await svc.client.post(
        f"/v1/cohorts/{c2026['id']}/nominations", json={"ambassador_id": alice}, headers=comms
    )
    assert twice.status_code == 409
    prefix = svc.settings.topic_prefix
    await read_events(
        infra,
        prefix,
        "ambassador",
        of_type(
            "ambassador.invited", ambassador_id=alice, cohort_id=c2026["id"], reason="nomination"
        ),
    )
    invitation = (
        await svc.client.get("/v1/ambassadors/me/invitations", headers=me(infra, "alice"))
    ).json()["items"][0]
    accepted = await svc.client.post(
        f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
        json={"charter_version": "1"},
        headers=me(infra, "alice"),
    )
    assert accepted.status_code == 201 and accepted.json()["cohort_id"] == c2026["id"]

    c2027 = (
        await svc.client.post(
            f"/v1/programmes/{vip['id']}/cohorts",
            json={
                "name": "VIP 2027",
                "starts_on": "2027-01-01",
                "ends_on": "2027-12-31",
                "status": "planned",
            },
            headers=pm,
        )
    ).json()
    for who in (alice, bruno):
        r = await svc.client.post(
            f"/v1/cohorts/{c2027['id']}/nominations", json={"ambassador_id": who}, headers=comms
        )
        assert (
            r.status_code == 201 and r.json()["invitation_id"] is None
        )  # planned: not invited yet
    assert (
        await svc.client.get("/v1/ambassadors/me/invitations", headers=me(infra, "bruno"))
    ).json()["items"] == []

    renewed = await svc.client.post(
        f"/v1/cohorts/{c2026['id']}/renew", json={"next_cohort_id": c2027["id"]}, headers=pm
    )
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["left"] == 1 and renewed.json()["invited"] == 2
    assert (
        renewed.json()["closed"]["status"] == "closed"
        and renewed.json()["opened"]["status"] == "open"
    )
    await read_events(
        infra,
        prefix,
        "ambassador",
        of_type("ambassador.left", ambassador_id=alice, reason="cohort_closed"),
    )
    for who in (alice, bruno):
        await read_events(
            infra,
            prefix,
            "ambassador",
            of_type(
                "ambassador.invited",
                ambassador_id=who,
                cohort_id=c2027["id"],
                reason="cohort_renewal",
            ),
        )
    late = await svc.client.post(
        f"/v1/cohorts/{c2026['id']}/nominations", json={"ambassador_id": bruno}, headers=comms
    )
    assert late.status_code == 409
    again = await svc.client.post(
        f"/v1/cohorts/{c2026['id']}/renew", json={"next_cohort_id": c2027["id"]}, headers=pm
    )
    assert again.status_code == 409
    listed = (await svc.client.get(f"/v1/programmes/{vip['id']}/cohorts", headers=comms)).json()[
        "items"
    ]
    assert [c["status"] for c in listed] == ["closed", "open"]
    assert listed[1]["previous_cohort_id"] == c2026["id"]


async def test_activity_seats_waitlist_and_attendance(infra: Infra, svc: RunningService) -> None:
    comms = infra.auth(tenant=TENANT, roles=["communicator"])
    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    names = ["wa", "wb", "wc"]
    ids = [await person(svc, infra, n) for n in names]
    created = await svc.client.post(
        "/v1/activities",
        json={
            "title": "Writing workshop",
            "kind": "workshop",
            "mode": "online",
            "starts_at": "2030-06-04T09:30:00+02:00",
            "seats": 1,
        },
        headers=comms,
    )
    assert created.status_code == 201, created.text
    activity = created.json()["id"]
    places = []
    for n in names:
        r = await svc.client.put(
            f"/v1/activities/{activity}/registrations/me", headers=me(infra, n)
        )
        assert r.status_code == 200, r.text
        places.append((r.json()["status"], r.json()["waitlist_position"]))
    assert places == [("registered", None), ("waitlisted", 1), ("waitlisted", 2)]
    repeat = await svc.client.put(
        f"/v1/activities/{activity}/registrations/me", headers=me(infra, "wb")
    )
    assert repeat.json()["waitlist_position"] == 1  # idempotent, keeps its place

    cancelled = await svc.client.delete(
        f"/v1/activities/{activity}/registrations/me", headers=me(infra, "wa")
    )
    assert cancelled.json()["status"] == "cancelled"
    registrations = {
        r["ambassador_id"]: r
        for r in (
            await svc.client.get(f"/v1/activities/{activity}/registrations", headers=comms)
        ).json()["items"]
    }
    assert registrations[ids[1]]["status"] == "registered"
    assert registrations[ids[2]]["waitlist_position"] == 1
    assert ids[0] not in registrations
    counts = (await svc.client.get(f"/v1/activities/{activity}", headers=me(infra, "wc"))).json()
    assert (counts["registered"], counts["waitlisted"]) == (1, 1)

    attended = await svc.client.put(
        f"/v1/activities/{activity}/attendance/{ids[1]}", json={"attended": True}, headers=comms
    )
    assert attended.status_code == 200 and attended.json()["attended"] is True
    waiting = await svc.client.put(
        f"/v1/activities/{activity}/attendance/{ids[2]}", json={"attended": True}, headers=comms
    )
    assert waiting.status_code == 404

    vip = (
        await svc.client.post(
            "/v1/programmes", json={"display_name": "Club", "kind": "vip_cohort"}, headers=pm
        )
    ).json()
    reserved = (
        await svc.client.post(
            "/v1/activities",
            json={
                "programme_id": vip["id"],
                "title": "Dinner",
                "kind": "event",
                "mode": "in_person",
                "starts_at": "2030-06-04T19:30:00+02:00",
                "seats": 10,
            },
            headers=comms,
        )
    ).json()
    outsider = await svc.client.put(
        f"/v1/activities/{reserved['id']}/registrations/me", headers=me(infra, "wc")
    )
    assert outsider.status_code == 403
    naive = await svc.client.post(
        "/v1/activities",
        json={
            "title": "x",
            "kind": "event",
            "mode": "online",
            "starts_at": "2030-06-04T19:30:00",
            "seats": 1,
        },
        headers=comms,
    )
    assert naive.status_code == 422
    assert await eventually(lambda: _listed(svc, comms, activity))


async def _listed(svc: RunningService, headers: dict[str, str], activity: str) -> bool:
    r = await svc.client.get("/v1/activities", headers=headers)
    return activity in [a["id"] for a in r.json()["items"]]
