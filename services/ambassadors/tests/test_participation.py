"""Programmes, invitations (never enrolment), consent and withdrawal, over real PG + Kafka."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import of_type, read_events

from .kit import CORE, ENT, PATCH, ambassador, provision, signed, webhook_secret

TENANT = "parti"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        yield svc


@pytest.fixture(scope="module")
def pm(infra: Infra) -> dict[str, str]:
    return infra.auth(tenant=TENANT, roles=["program_manager"])


@pytest.fixture(scope="module")
def hr(infra: Infra) -> dict[str, str]:
    return infra.auth(tenant=TENANT, roles=["integration"])


async def employee(
    svc: RunningService, hr: dict[str, str], name: str, department: str = "Sales"
) -> str:
    """A French employee of `department`, signing in as name@parti.example."""
    return await provision(
        svc,
        hr,
        {
            "schemas": [CORE, ENT],
            "userName": f"{name}@{TENANT}.example",
            "emails": [{"value": f"{name}@{TENANT}.example", "type": "work"}],
            "addresses": [{"type": "work", "country": "FR"}],
            ENT: {"employeeNumber": name, "department": department},
        },
    )


def me(infra: Infra, name: str) -> dict[str, str]:
    return ambassador(infra, TENANT, f"{name}@{TENANT}.example")


async def programme(svc: RunningService, pm: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "display_name": "Digital Leaders",
        "kind": "sharing_platform",
        "charter_version": "v1",
        **fields,
    }
    r = await svc.client.post("/v1/programmes", json=body, headers=pm)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def sent_invitation(
    svc: RunningService, headers: dict[str, str], programme_id: str
) -> dict[str, Any]:
    async def sent() -> dict[str, Any] | None:
        r = await svc.client.get("/v1/ambassadors/me/invitations", headers=headers)
        assert r.status_code == 200, r.text
        return next(
            (
                i
                for i in r.json()["items"]
                if i["programme_id"] == programme_id and i["status"] == "sent"
            ),
            None,
        )

    return dict(await eventually(sent))


async def test_joiner_is_invited_never_enrolled(
    infra: Infra, svc: RunningService, pm: dict[str, str], hr: dict[str, str]
) -> None:
    prog = await programme(svc, pm, audience={"countries": ["FR"]})
    later = await programme(
        svc, pm, display_name="Coaching", kind="individual_coaching", onboarding_delay_hours=1
    )
    elsewhere = await programme(svc, pm, display_name="US only", audience={"countries": ["US"]})
    person = await employee(svc, hr, "joe")
    events = await read_events(
        infra,
        svc.settings.topic_prefix,
        "ambassador",
        of_type(
            "ambassador.invited", ambassador_id=person, programme_id=prog["id"], reason="joiner"
        ),
    )
    assert not [e for e in events if e.type == "ambassador.enrolled"]
    invitations = (
        await svc.client.get("/v1/ambassadors/me/invitations", headers=me(infra, "joe"))
    ).json()["items"]
    # The coaching programme's onboarding delay has not passed; the US one does not match.
    assert {i["programme_id"] for i in invitations} == {prog["id"]}
    assert later["id"] not in {i["programme_id"] for i in invitations}
    assert elsewhere["id"] not in {i["programme_id"] for i in invitations}
    enrolments = await svc.client.get("/v1/ambassadors/me/enrolments", headers=me(infra, "joe"))
    assert enrolments.json() == {"items": [], "next_cursor": None}


async def test_consent_then_withdrawal(
    infra: Infra, svc: RunningService, pm: dict[str, str], hr: dict[str, str]
) -> None:
    prog = await programme(svc, pm, display_name="Influencers", charter_version="2026-01")
    person = await employee(svc, hr, "ann")
    ann = me(infra, "ann")
    invitation = await sent_invitation(svc, ann, prog["id"])
    url = f"/v1/ambassadors/{person}/invitations/{invitation['id']}/accept"

    by_manager = await svc.client.post(url, json={"charter_version": "2026-01"}, headers=pm)
    assert by_manager.status_code == 403  # nobody says yes on someone's behalf
    old_charter = await svc.client.post(url, json={"charter_version": "2025-01"}, headers=ann)
    assert old_charter.status_code == 409
    assert old_charter.json()["current_charter_version"] == "2026-01"
    bad = await svc.client.post(
        url, json={"charter_version": "2026-01", "networks": ["myspace"]}, headers=ann
    )
    assert bad.status_code == 422

    accepted = await svc.client.post(
        url, json={"charter_version": "2026-01", "networks": ["linkedin", "x"]}, headers=ann
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "active"
    twice = await svc.client.post(url, json={"charter_version": "2026-01"}, headers=ann)
    assert twice.status_code == 409
    prefix = svc.settings.topic_prefix
    events = await read_events(
        infra, prefix, "ambassador", of_type("ambassador.enrolled", ambassador_id=person)
    )
    enrolled = next(e for e in events if e.type == "ambassador.enrolled" and e.subject == person)
    assert enrolled.data["charter_version"] == "2026-01"
    assert enrolled.data["networks"] == ["linkedin", "x"]
    assert enrolled.data["profile"]["programmes"] == [prog["id"]]
    assert enrolled.data["profile"]["country"] == "FR"

    admin = infra.auth(tenant=TENANT, roles=["admin"])
    linked = await svc.client.put(
        f"/v1/ambassadors/{person}/login-subject", json={"subject": "sub-ann"}, headers=admin
    )
    assert linked.status_code == 200
    await read_events(
        infra,
        prefix,
        "ambassador",
        of_type("ambassador.updated", ambassador_id=person, login_subject="sub-ann"),
    )
    out = await svc.client.post(
        f"/v1/ambassadors/me/programmes/{prog['id']}/opt-out",
        json={"reason": "too busy"},
        headers=ann,
    )
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "left"
    await read_events(
        infra,
        prefix,
        "ambassador",
        of_type("ambassador.left", ambassador_id=person, reason="opt_out", programme_id=prog["id"]),
    )
    history = (await svc.client.get("/v1/ambassadors/me/consents", headers=ann)).json()["items"]
    assert [(c["action"], c["charter_version"]) for c in history] == [
        ("granted", "2026-01"),
        ("withdrawn", "2026-01"),
    ]
    assert history[0]["networks"] == ["linkedin", "x"] and history[1]["reason"] == "too busy"
    exported = await svc.client.get(
        "/v1/ambassadors/me/consents", params={"format": "csv"}, headers=ann
    )
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.count("\n") == 3 and "withdrawn" in exported.text
    audit = await svc.client.get("/v1/consents", params={"programme_id": prog["id"]}, headers=pm)
    assert [c["ambassador_id"] for c in audit.json()["items"]] == [person, person]

    # Nobody is asked again by a machine after saying no.
    again = await svc.client.post(f"/v1/programmes/{prog['id']}/invite-audience", headers=pm)
    assert again.status_code == 200
    invitations = (await svc.client.get("/v1/ambassadors/me/invitations", headers=ann)).json()[
        "items"
    ]
    assert [i["status"] for i in invitations if i["programme_id"] == prog["id"]] == ["accepted"]
    not_enrolled = await svc.client.post(
        f"/v1/ambassadors/me/programmes/{prog['id']}/opt-out", headers=ann
    )
    assert not_enrolled.status_code == 404


async def test_decline_capacity_and_others_cannot_answer(
    infra: Infra, svc: RunningService, pm: dict[str, str], hr: dict[str, str]
) -> None:
    prog = await programme(
        svc, pm, display_name="Small", capacity=1, audience={"job_families": ["Legal"]}
    )
    first = await employee(svc, hr, "lou", department="Legal")
    second = await employee(svc, hr, "liz", department="Legal")
    third = await employee(svc, hr, "lee", department="Legal")
    inv1 = await sent_invitation(svc, me(infra, "lou"), prog["id"])
    inv2 = await sent_invitation(svc, me(infra, "liz"), prog["id"])
    inv3 = await sent_invitation(svc, me(infra, "lee"), prog["id"])
    # Someone else's invitation is invisible, even with its id.
    peek = await svc.client.post(
        f"/v1/ambassadors/{second}/invitations/{inv2['id']}/accept",
        json={"charter_version": "v1"},
        headers=me(infra, "lou"),
    )
    assert peek.status_code == 404
    ok = await svc.client.post(
        f"/v1/ambassadors/{first}/invitations/{inv1['id']}/accept",
        json={"charter_version": "v1"},
        headers=me(infra, "lou"),
    )
    assert ok.status_code == 201
    full = await svc.client.post(
        f"/v1/ambassadors/{second}/invitations/{inv2['id']}/accept",
        json={"charter_version": "v1"},
        headers=me(infra, "liz"),
    )
    assert full.status_code == 409 and full.json()["title"] == "Programme full"
    declined = await svc.client.post(
        f"/v1/ambassadors/{third}/invitations/{inv3['id']}/decline",
        json={"reason": "no"},
        headers=me(infra, "lee"),
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"


async def test_leaver_ends_participation_and_mover_is_invited(
    infra: Infra, svc: RunningService, pm: dict[str, str], hr: dict[str, str]
) -> None:
    prog = await programme(
        svc, pm, display_name="Sales voices", audience={"job_families": ["Sales"]}
    )
    marketing = await programme(
        svc, pm, display_name="Marketing voices", audience={"job_families": ["Marketing"]}
    )
    person = await employee(svc, hr, "sam")
    sam = me(infra, "sam")
    invitation = await sent_invitation(svc, sam, prog["id"])
    r = await svc.client.post(
        f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
        json={"charter_version": "v1"},
        headers=sam,
    )
    assert r.status_code == 201

    moved = await svc.client.patch(
        f"/scim/v2/Users/{person}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "Replace", "path": f"{ENT}:department", "value": "Marketing"}],
        },
        headers=hr,
    )
    assert moved.status_code == 200
    prefix = svc.settings.topic_prefix
    await read_events(
        infra,
        prefix,
        "ambassador",
        of_type(
            "ambassador.invited",
            ambassador_id=person,
            programme_id=marketing["id"],
            reason="audience_match",
        ),
    )
    events = await read_events(
        infra, prefix, "ambassador", of_type("ambassador.updated", ambassador_id=person)
    )
    updated = next(e for e in events if e.type == "ambassador.updated" and e.subject == person)
    assert updated.data["profile"]["job_family"] == "Marketing"
    assert updated.data["next_allowed_nudge_at"] is not None

    off = await svc.client.patch(
        f"/scim/v2/Users/{person}",
        json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": "False"}}]},
        headers=hr,
    )
    assert off.status_code == 200
    await read_events(
        infra,
        prefix,
        "ambassador",
        of_type(
            "ambassador.left", ambassador_id=person, reason="deactivated", programme_id=prog["id"]
        ),
    )
    enrolments = (await svc.client.get(f"/v1/ambassadors/{person}/enrolments", headers=pm)).json()[
        "items"
    ]
    assert [e["status"] for e in enrolments] == ["left"]
    invitations = (
        await svc.client.get(f"/v1/ambassadors/{person}/invitations", headers=pm)
    ).json()["items"]
    assert {i["status"] for i in invitations if i["programme_id"] == marketing["id"]} == {
        "cancelled"
    }


async def test_programme_validation_and_tenancy(
    infra: Infra, svc: RunningService, pm: dict[str, str]
) -> None:
    bad = await svc.client.post(
        "/v1/programmes",
        json={"display_name": "", "kind": "party", "audience": {"planets": ["Mars"]}},
        headers=pm,
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    prog = await programme(svc, pm, display_name="Ambassadors")
    renamed = await svc.client.patch(
        f"/v1/programmes/{prog['id']}", json={"display_name": "Influencers"}, headers=pm
    )
    assert renamed.json()["display_name"] == "Influencers"
    other = infra.auth(tenant="other", roles=["program_manager"])
    assert (await svc.client.get(f"/v1/programmes/{prog['id']}", headers=other)).status_code == 404
    vip = await programme(svc, pm, display_name="VIP", kind="vip_cohort")
    nomination_only = await svc.client.post(
        f"/v1/programmes/{vip['id']}/invite-audience", headers=pm
    )
    assert nomination_only.status_code == 409
    communicator = infra.auth(tenant=TENANT, roles=["communicator"])
    assert (
        await svc.client.post(
            "/v1/programmes", json={"display_name": "x", "kind": "vip_cohort"}, headers=communicator
        )
    ).status_code == 403
    await asyncio.sleep(0)


async def test_joiner_announced_before_first_day_is_invited_after_it(
    infra: Infra, svc: RunningService, pm: dict[str, str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from resonance.ambassadors.store.tables import Invitation

    await programme(svc, pm, display_name="Early birds")
    admin = infra.auth(tenant=TENANT, roles=["admin"])
    secret = await webhook_secret(svc, admin)
    first_day = (datetime.now(UTC) + timedelta(days=14)).replace(microsecond=0, tzinfo=None)
    body, headers = signed(
        secret,
        {"change": "joiner", "employee_number": "future-1", "hired_at": first_day.isoformat()},
    )
    r = await svc.client.post(f"/v1/hr/webhooks/{TENANT}", content=body, headers=headers)
    assert r.status_code == 202, r.text
    async with svc.runtime.db.session() as session:
        rows = (
            (
                await session.execute(
                    select(Invitation).where(Invitation.employee_id == r.json()["employee_id"])
                )
            )
            .scalars()
            .all()
        )
    assert rows and all(i.status == "scheduled" for i in rows)
    assert min(i.not_before for i in rows) >= first_day.replace(tzinfo=UTC)

    other = await employee(svc, infra.auth(tenant=TENANT, roles=["integration"]), "linky")
    joes_name = await svc.client.put(
        f"/v1/ambassadors/{other}/login-subject",
        json={"subject": "joe@parti.example"},
        headers=admin,
    )
    assert joes_name.status_code == 409  # Joe's userName: it would let Linky act as Joe
    linked = await svc.client.put(
        f"/v1/ambassadors/{other}/login-subject", json={"subject": "sub-linky"}, headers=admin
    )
    assert linked.status_code == 200
    as_linky = infra.auth(tenant=TENANT, roles=["ambassador"], subject="sub-linky")
    assert (await svc.client.get("/v1/ambassadors/me", headers=as_linky)).json()["id"] == other
    joe = (await svc.client.get("/v1/ambassadors/me", headers=me(infra, "joe"))).json()["id"]
    clash = await svc.client.put(
        f"/v1/ambassadors/{joe}/login-subject", json={"subject": "sub-linky"}, headers=admin
    )
    assert clash.status_code == 409
