"""Issue 9 for the ambassadors API: invitations that say what they are for (and scheduled ones
visible to staff), SCIM OPTIONS and required request fields, timezone-aware timestamps."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from resonance.devstack.testing import Infra, RunningService, running_service

from .kit import CORE, ENT, provision

TENANT = "contract"
ONBOARDING_DELAY_S = 3600


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra,
        "ambassadors",
        onboarding_delay_s=ONBOARDING_DELAY_S,
        invitation_poll_interval_s=0.2,
    ) as svc:
        yield svc


async def test_a_scheduled_joiner_invitation_is_visible_to_staff_with_its_send_time(
    infra: Infra, svc: RunningService
) -> None:
    """The demo joiner of `make run`: provisioned by SCIM, invited after the onboarding delay.
    The programme manager sees the invitation now, scheduled, with the time it goes and what
    it is for; the person does not see it before it is sent."""
    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    hr = infra.auth(tenant=TENANT, roles=["integration"])
    made = await svc.client.post(
        "/v1/programmes",
        json={"display_name": "Voices", "kind": "sharing_platform", "charter_version": "2026-03"},
        headers=pm,
    )
    assert made.status_code == 201, made.text
    before = datetime.now().astimezone()
    person = await provision(
        svc, hr, {"schemas": [CORE, ENT], "userName": "joiner@c.example", ENT: {}}
    )
    seen = await svc.client.get(f"/v1/ambassadors/{person}/invitations", headers=pm)
    assert seen.status_code == 200, seen.text
    (invitation,) = seen.json()["items"]
    assert invitation["status"] == "scheduled"
    assert invitation["programme_name"] == "Voices"
    assert invitation["programme_kind"] == "sharing_platform"
    assert invitation["charter_version"] == "2026-03"
    send_at = datetime.fromisoformat(invitation["send_at"])
    # One onboarding delay after provisioning (give or take the test's own seconds).
    expected = before + timedelta(seconds=ONBOARDING_DELAY_S)
    assert abs((send_at - expected).total_seconds()) < 60
    mine = await svc.client.get(
        "/v1/ambassadors/me/invitations",
        headers=infra.auth(tenant=TENANT, roles=["ambassador"], subject="joiner@c.example"),
    )
    assert mine.status_code == 200
    assert mine.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/scim/v2/Users", {"GET", "POST", "OPTIONS"}),
        ("/scim/v2/Users/abc", {"GET", "PUT", "PATCH", "DELETE", "OPTIONS"}),
        ("/scim/v2/Groups/abc", {"GET", "PUT", "PATCH", "DELETE", "OPTIONS"}),
        ("/scim/v2/ServiceProviderConfig", {"GET", "OPTIONS"}),
    ],
)
async def test_scim_options_lists_every_supported_method(
    svc: RunningService, path: str, methods: set[str]
) -> None:
    """Before: 405 with `Allow` naming one method."""
    r = await svc.client.options(path)
    assert r.status_code == 204, r.text
    assert {m.strip() for m in r.headers["allow"].split(",")} == methods


async def test_scim_request_schemas_mark_required_fields(svc: RunningService) -> None:
    paths = svc.app.openapi()["paths"]

    def required(path: str, method: str) -> set[str]:
        content = paths[path][method]["requestBody"]["content"]
        return set(content["application/scim+json"]["schema"]["required"])

    assert {"userName", "schemas"} <= required("/scim/v2/Users", "post")
    assert {"userName"} <= required("/scim/v2/Users/{user_id}", "put")
    assert {"Operations"} <= required("/scim/v2/Users/{user_id}", "patch")
    assert {"displayName"} <= required("/scim/v2/Groups", "post")
    assert {"displayName"} <= required("/scim/v2/Groups/{group_id}", "put")
    assert {"Operations"} <= required("/scim/v2/Groups/{group_id}", "patch")


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
async def test_activity_times_keep_their_offset_or_are_refused(
    infra: Infra, svc: RunningService, starts_at: str
) -> None:
    """Before: 0001-01-01T00:00:00Z was stored and read back as `0001-01-01T00:00:00` (the
    driver's -infinity, naive). Every answered timestamp must carry an offset."""
    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    r = await svc.client.post(
        "/v1/activities",
        json={
            "title": "Old times",
            "kind": "event",
            "mode": "online",
            "starts_at": starts_at,
            "seats": 3,
        },
        headers=pm,
    )
    if r.status_code == 422:
        return
    assert r.status_code == 201, r.text
    listed = await svc.client.get("/v1/activities", params={"include_past": "true"}, headers=pm)
    for activity in listed.json()["items"]:
        assert datetime.fromisoformat(activity["starts_at"]).tzinfo is not None
