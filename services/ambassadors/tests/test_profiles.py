"""Preferences and the right to disconnect through the API."""

from collections.abc import AsyncIterator

import pytest

from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import of_type, read_events

from .kit import CORE, ENT, ambassador, provision

TENANT = "prefs"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        yield svc


async def test_quiet_hours_and_frontline_channels(infra: Infra, svc: RunningService) -> None:
    hr = infra.auth(tenant=TENANT, roles=["integration"])
    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    prog = (
        await svc.client.post(
            "/v1/programmes",
            json={"display_name": "Voices", "kind": "sharing_platform"},
            headers=pm,
        )
    ).json()
    masterclass = (
        await svc.client.post(
            "/v1/programmes",
            json={
                "display_name": "Masterclass",
                "kind": "training_workshop",
                "audience": {"social_media_maturities": ["beginner"]},
            },
            headers=pm,
        )
    ).json()
    # A frontline worker: no corporate email at all.
    person = await provision(
        svc,
        hr,
        {
            "schemas": [CORE, ENT],
            "userName": "nadia",
            "userType": "Frontline",
            ENT: {"employeeNumber": "F1"},
        },
    )
    nadia = ambassador(infra, TENANT, "nadia")

    no_email = await svc.client.patch(
        "/v1/ambassadors/me/preferences", json={"channels": ["email"]}, headers=nadia
    )
    assert no_email.status_code == 422 and no_email.json()["title"] == "Unreachable channel"
    bad_tz = await svc.client.patch(
        "/v1/ambassadors/me/preferences", json={"timezone": "Mars/Olympus"}, headers=nadia
    )
    assert bad_tz.status_code == 422
    birth = await svc.client.patch(
        "/v1/ambassadors/me/preferences", json={"birth_date": "1990-01-01"}, headers=nadia
    )
    assert birth.status_code == 422  # an age band, never a birth date
    half = await svc.client.patch(
        "/v1/ambassadors/me/preferences", json={"quiet_hours_start": "19:00"}, headers=nadia
    )
    assert half.status_code == 422
    # Nothing of the refused requests was stored.
    assert (await svc.client.get("/v1/ambassadors/me", headers=nadia)).json()["channels"] == []

    async def invited() -> list:
        r = await svc.client.get("/v1/ambassadors/me/invitations", headers=nadia)
        return list(r.json()["items"])

    invitations = await eventually(invited)
    await svc.client.post(
        f"/v1/ambassadors/me/invitations/{invitations[0]['id']}/accept",
        json={"charter_version": "1"},
        headers=nadia,
    )

    ok = await svc.client.patch(
        "/v1/ambassadors/me/preferences",
        json={
            "channels": ["sms", "email"],
            "phone": "+33612345678",
            "personal_email": "nadia@example.org",
            "timezone": "Europe/Paris",
            "quiet_hours_start": "19:00",
            "quiet_hours_end": "08:30",
            "working_days": [5, 1, 2, 3, 4],
            "digest_frequency": "monthly",
            "age_band": "25_34",
            "social_media_maturity": "beginner",
            "languages": ["fr", "ar"],
        },
        headers=nadia,
    )
    assert ok.status_code == 200, ok.text
    profile = ok.json()
    assert profile["working_days"] == [1, 2, 3, 4, 5] and profile["age_band"] == "25_34"
    assert profile["worker_type"] == "frontline"

    # Tuesday 21:00 in Paris → Wednesday 08:30 Paris.
    nudge = await svc.client.get(
        f"/v1/ambassadors/{person}/next-nudge",
        params={"at": "2026-05-05T21:00:00+02:00"},
        headers=pm,
    )
    assert nudge.status_code == 200
    assert nudge.json()["next_allowed_nudge_at"] == "2026-05-06T06:30:00Z"
    # Saturday noon → Monday 08:30.
    weekend = await svc.client.get(
        f"/v1/ambassadors/{person}/next-nudge",
        params={"at": "2026-05-09T12:00:00+02:00"},
        headers=nadia,
    )
    assert weekend.json()["next_allowed_nudge_at"] == "2026-05-11T06:30:00Z"
    naive = await svc.client.get(
        f"/v1/ambassadors/{person}/next-nudge", params={"at": "2026-05-09T12:00:00"}, headers=pm
    )
    assert naive.status_code == 422

    events = await read_events(
        infra,
        svc.settings.topic_prefix,
        "ambassador",
        lambda es: any(
            e.type == "ambassador.updated" and e.data["profile"]["quiet_hours_start"] == "19:00"
            for e in es
        ),
    )
    updated = [e for e in events if e.type == "ambassador.updated"][-1]
    assert updated.data["profile"]["timezone"] == "Europe/Paris"
    assert updated.data["profile"]["working_days"] == [1, 2, 3, 4, 5]
    assert updated.data["next_allowed_nudge_at"] is not None
    assert "phone" not in updated.data["profile"] and "+33612345678" not in str(updated.data)
    assert prog["id"] in updated.data["profile"]["programmes"]

    # Declaring a maturity level opened the masterclass audience: an invitation, no enrolment.
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "ambassador",
        of_type(
            "ambassador.invited",
            ambassador_id=person,
            programme_id=masterclass["id"],
            reason="audience_match",
        ),
    )
    other = ambassador(infra, TENANT, "someone-else")
    assert (await svc.client.get(f"/v1/ambassadors/{person}", headers=other)).status_code == 404
    assert (await svc.client.get("/v1/ambassadors/me", headers=other)).status_code == 404
