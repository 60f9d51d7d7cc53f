"""Who is calling: a token carries the identity provider's subject, the ambassador.* events
and share.made carry the ambassadors service's id; the projection links the two."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorProfile,
    AmbassadorUpdated,
    ShareMade,
)
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.devstack.testkit import emit_event


async def _scalar(content: RunningService, sql: str, **params: Any) -> Any:
    async with content.runtime.db.session() as s:
        return (await s.execute(text(sql), params)).scalar_one_or_none()


async def test_token_subject_resolves_to_the_projected_ambassador(
    infra: Infra, content: RunningService
) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    prefix = content.settings.topic_prefix
    c = content.client
    writer = infra.auth(tenant=t, roles=["communicator"])

    async def post(title: str, **extra: Any) -> str:
        body = {"family": "market", "format": "text", "title": title, **extra}
        r = await c.post("/v1/items", json=body, headers=writer)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    for_france = await post("Pour la France", targeting={"countries": ["FR"]})
    for_germany = await post("Für Deutschland", targeting={"countries": ["DE"]})
    already_shared = await post("Already shared")
    everyone = await post("For everyone")

    # Submitted before the person reached this service's projection: kept under the subject.
    me = infra.auth(tenant=t, roles=["ambassador"], subject="sub-abc")
    early = await c.post("/v1/submissions", json={"format": "text", "title": "Early"}, headers=me)
    assert early.status_code == 201 and early.json()["ambassador_id"] == "sub-abc"

    await emit_event(
        infra,
        prefix,
        t,
        AmbassadorEnrolled(
            ambassador_id="emp-1",
            programme_id="prog-1",
            charter_version="1",
            login_subject="sub-abc",
            profile=AmbassadorProfile(country="FR"),
        ),
    )
    share = ShareMade(
        share_id=str(uuid.uuid4()),
        ambassador_id="emp-1",
        content_id=already_shared,
        network="linkedin",
        shared_at=datetime.now(UTC),
    )
    await emit_event(infra, prefix, t, share)

    async def projected() -> bool:
        return bool(
            await _scalar(
                content,
                "select count(*) = 1 from shares where tenant = :t and ambassador_id = 'emp-1'",
                t=t,
            )
        ) and (
            await _scalar(
                content,
                "select login_subject from ambassadors where tenant = :t and ambassador_id='emp-1'",
                t=t,
            )
            == "sub-abc"
        )

    assert await eventually(projected)

    r = await c.get("/v1/feed", headers=me)
    assert r.status_code == 200, r.text
    ids = {i["id"] for i in r.json()["items"]}
    assert for_france in ids and everyone in ids
    assert for_germany not in ids  # targeted by emp-1's country, not as an unknown caller
    assert already_shared not in ids  # emp-1's share.made applies to this token

    r = await c.post("/v1/submissions", json={"format": "text", "title": "Later"}, headers=me)
    assert r.status_code == 201 and r.json()["ambassador_id"] == "emp-1"
    mine = (await c.get("/v1/submissions/mine", headers=me)).json()["items"]
    # The early one moved to emp-1 when the link became known.
    assert {(s["title"], s["ambassador_id"]) for s in mine} == {
        ("Early", "emp-1"),
        ("Later", "emp-1"),
    }
    assert (
        await _scalar(
            content,
            "select count(*) from submissions where tenant = :t and ambassador_id = 'emp-1'",
            t=t,
        )
        == 2
    )

    # Another person's token sees neither emp-1's submissions nor their targeting.
    other = infra.auth(tenant=t, roles=["ambassador"], subject="sub-other")
    assert (await c.get("/v1/submissions/mine", headers=other)).json()["items"] == []
    other_ids = {i["id"] for i in (await c.get("/v1/feed", headers=other)).json()["items"]}
    assert for_france not in other_ids and already_shared in other_ids

    # Erasure purges the profile with its login subject: the token is a stranger again.
    await emit_event(infra, prefix, t, AmbassadorErased(ambassador_id="emp-1"))

    async def erased() -> bool:
        return (
            await _scalar(
                content,
                "select count(*) from ambassadors where tenant = :t and login_subject = 'sub-abc'",
                t=t,
            )
            == 0
            and (await c.get("/v1/submissions/mine", headers=me)).json()["items"] == []
        )

    assert await eventually(erased)


async def test_login_subject_from_an_update_and_kept_when_absent(
    infra: Infra, content: RunningService
) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    prefix = content.settings.topic_prefix
    c = content.client
    writer = infra.auth(tenant=t, roles=["communicator"])
    r = await c.post(
        "/v1/items",
        json={
            "family": "market",
            "format": "text",
            "title": "DE",
            "targeting": {"countries": ["DE"]},
        },
        headers=writer,
    )
    for_germany = r.json()["id"]
    await emit_event(
        infra,
        prefix,
        t,
        AmbassadorEnrolled(
            ambassador_id="emp-2",
            programme_id="prog-1",
            charter_version="1",
            profile=AmbassadorProfile(country="DE"),
        ),
    )
    await emit_event(
        infra,
        prefix,
        t,
        AmbassadorUpdated(
            ambassador_id="emp-2", profile=AmbassadorProfile(country="DE"), login_subject="sub-def"
        ),
    )
    # A later update from a producer that does not send the subject keeps the link.
    await emit_event(
        infra,
        prefix,
        t,
        AmbassadorUpdated(
            ambassador_id="emp-2", profile=AmbassadorProfile(country="DE", languages=["de"])
        ),
    )

    async def last_update_applied() -> bool:
        return (
            await _scalar(
                content,
                "select login_subject from ambassadors "
                "where tenant = :t and ambassador_id = 'emp-2' and languages = '{de}'",
                t=t,
            )
            == "sub-def"
        )

    assert await eventually(last_update_applied)
    me = infra.auth(tenant=t, roles=["ambassador"], subject="sub-def")
    r = await c.get("/v1/feed", headers=me)
    assert for_germany in {i["id"] for i in r.json()["items"]}
    r = await c.post("/v1/submissions", json={"format": "text", "title": "Mine"}, headers=me)
    assert r.json()["ambassador_id"] == "emp-2"
    # Once a person has a login subject, a token whose subject merely equals their id is
    # not them: it gets no targeted content.
    lookalike = infra.auth(tenant=t, roles=["ambassador"], subject="emp-2")
    r = await c.get("/v1/feed", headers=lookalike)
    assert for_germany not in {i["id"] for i in r.json()["items"]}
