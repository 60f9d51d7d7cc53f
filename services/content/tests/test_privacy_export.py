"""Issue 8 item 10: the content service's part of a data subject request. The person gets
what this service holds about them (projected profile, submissions, shares), another
ambassador is refused, another tenant's manager finds nothing, an erased person has nothing
left, lists are capped and say so, and nothing secret is ever in it."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorProfile,
    ShareMade,
)
from resonance.content.service import privacy
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.devstack.testkit import emit_event

SECRET_WORDS = ("token", "sealed", "secret", "password")


def secret_keys(value: Any, path: str = "") -> list[str]:
    """Every key anywhere in the export that names a secret."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if any(word in key.lower() for word in SECRET_WORDS):
                found.append(f"{path}.{key}")
            found += secret_keys(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += secret_keys(inner, f"{path}[{i}]")
    return found


async def _enrolled(infra: Infra, content: RunningService, tenant: str) -> str:
    """emp-1, known to this tenant's projection under login subject sub-1, sharing one item."""
    prefix = content.settings.topic_prefix
    writer = infra.auth(tenant=tenant, roles=["communicator"])
    item = await content.client.post(
        "/v1/items", json={"family": "market", "format": "text", "title": "News"}, headers=writer
    )
    assert item.status_code == 201, item.text
    await emit_event(
        infra,
        prefix,
        tenant,
        AmbassadorEnrolled(
            ambassador_id="emp-1",
            programme_id="prog-1",
            charter_version="1",
            login_subject="sub-1",
            profile=AmbassadorProfile(country="FR", site="Lyon"),
        ),
    )
    share = ShareMade(
        share_id=str(uuid.uuid4()),
        ambassador_id="emp-1",
        content_id=item.json()["id"],
        network="linkedin",
        shared_at=datetime.now(UTC),
    )
    await emit_event(infra, prefix, tenant, share)
    me = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-1")

    async def projected() -> bool:
        r = await content.client.get("/v1/ambassadors/me/export", headers=me)
        return r.status_code == 200 and len(r.json()["shares"]) == 1

    await eventually(projected)
    return str(item.json()["id"])


async def test_export_covers_the_person_and_only_them(
    infra: Infra, content: RunningService
) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    c = content.client
    shared = await _enrolled(infra, content, t)
    me = infra.auth(tenant=t, roles=["ambassador"], subject="sub-1")
    posted = await c.post(
        "/v1/submissions", json={"format": "text", "title": "Our plant", "note": "n"}, headers=me
    )
    assert posted.status_code == 201, posted.text

    mine = await c.get("/v1/ambassadors/me/export", headers=me)
    assert mine.status_code == 200, mine.text
    data = mine.json()
    assert data["ambassador_id"] == "emp-1"
    assert data["profile"]["country"] == "FR" and data["profile"]["login_subject"] == "sub-1"
    assert [(s["title"], s["note"]) for s in data["submissions"]] == [("Our plant", "n")]
    assert [s["content_id"] for s in data["shares"]] == [shared]
    assert data["truncated"] == []
    assert secret_keys(data) == []
    # Their own id works as `me` does.
    by_id = await c.get("/v1/ambassadors/emp-1/export", headers=me)
    assert by_id.status_code == 200 and by_id.json()["submissions"] == data["submissions"]

    # Another ambassador may not read it, whether the id exists or not.
    other = infra.auth(tenant=t, roles=["ambassador"], subject="sub-2")
    for target in ("emp-1", "emp-unknown"):
        refused = await c.get(f"/v1/ambassadors/{target}/export", headers=other)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/not-your-data")
    # A communicator is no programme manager.
    communicator = infra.auth(tenant=t, roles=["communicator"])
    assert (await c.get("/v1/ambassadors/emp-1/export", headers=communicator)).status_code == 403

    pm = infra.auth(tenant=t, roles=["program_manager"])
    assert (await c.get("/v1/ambassadors/emp-1/export", headers=pm)).json()["shares"] == data[
        "shares"
    ]
    # A NUL cannot be stored nor looked up: refused as invalid, not a server error.
    assert (await c.get("/v1/ambassadors/a%00b/export", headers=pm)).status_code == 422
    elsewhere = infra.auth(tenant=f"{t}-x", roles=["program_manager"])
    assert (await c.get("/v1/ambassadors/emp-1/export", headers=elsewhere)).status_code == 404
    assert (await c.get("/v1/ambassadors/me/export")).status_code == 401

    # After erasure this service holds nothing about them.
    await emit_event(
        infra, content.settings.topic_prefix, t, AmbassadorErased(ambassador_id="emp-1")
    )

    async def gone() -> bool:
        return (await c.get("/v1/ambassadors/emp-1/export", headers=pm)).status_code == 404

    await eventually(gone)
    left = (await c.get("/v1/ambassadors/me/export", headers=me)).json()
    # The token is a stranger now: its own (empty) record, nothing of emp-1.
    assert left["ambassador_id"] == "sub-1" and left["profile"] is None
    assert left["submissions"] == [] and left["shares"] == []


async def test_lists_are_capped_and_say_so(
    infra: Infra, content: RunningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    await _enrolled(infra, content, t)
    me = infra.auth(tenant=t, roles=["ambassador"], subject="sub-1")
    for title in ("first", "second", "third"):
        r = await content.client.post(
            "/v1/submissions", json={"format": "text", "title": title}, headers=me
        )
        assert r.status_code == 201
    monkeypatch.setattr(privacy, "MAX_ROWS", 2)
    data = (await content.client.get("/v1/ambassadors/me/export", headers=me)).json()
    # Three submissions, two kept (the newest), one share (under the cap).
    assert [s["title"] for s in data["submissions"]] == ["third", "second"]
    assert len(data["shares"]) == 1
    assert data["truncated"] == ["submissions"]
