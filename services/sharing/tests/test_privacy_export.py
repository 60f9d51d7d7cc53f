"""Issue 8 item 10: the sharing service's part of a data subject request. The person gets
their connections (without tokens), shares, reach, conversions and auto-share choices;
another ambassador is refused; another tenant's manager finds nothing; an erased person is
gone; lists are capped and say so; no token, sealed value or verifier is ever in it."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from resonance.common.events.catalogue import AmbassadorErased, Caption
from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.sharing.service import privacy
from resonance.sharing.store.share_views import Conversion
from resonance.sharing.store.tables import Connection, OAuthState

from .share_kit import connect, emit_at, enrol, publish

TENANT = "privacy"
SECRET_WORDS = ("token", "sealed", "secret", "password", "verifier", "fingerprint")


@pytest.fixture(scope="module")
async def svc(infra: Infra, sandbox_server: RunningSandbox) -> AsyncIterator[RunningService]:
    # Erasure revokes grants at the network: the social sandbox answers for it.
    async with running_service(
        infra,
        "sharing",
        **sharing_settings(sandbox_server.url, link_base_url="https://rsn.test/l"),
    ) as svc:
        yield svc


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


async def _person_with_history(
    infra: Infra, svc: RunningService
) -> tuple[str, dict[str, str], str]:
    """An ambassador with a connection, a scheduled share, an auto-share opt-in, a pending
    authorization and a conversion on their share; returns (id, headers, share id)."""
    ambassador_id, me = await enrol(infra, svc, TENANT, networks=["linkedin", "mastodon"])
    await connect(svc, TENANT, ambassador_id, "mastodon", audience_size=120)
    item = await publish(
        infra, svc, TENANT, captions=[Caption(network="mastodon", language="en", text="Proud")]
    )
    later = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    made = await svc.client.post(
        "/v1/shares",
        json={"content_id": item, "networks": ["mastodon"], "at": later.isoformat()},
        headers=me,
    )
    assert made.status_code == 201, made.text
    share_id = made.json()["shares"][0]["id"]
    assert (await svc.client.put("/v1/autoshare/linkedin", headers=me)).status_code == 200
    now = datetime.now(UTC)
    async with svc.runtime.db.transaction() as session:
        session.add(
            OAuthState(
                state_hash=f"h-{ambassador_id}",
                tenant=TENANT,
                ambassador_id=ambassador_id,
                network="linkedin",
                code_verifier_sealed="SEALED-VERIFIER",
                redirect_uri="https://rsn.test/cb",
                created_at=now,
                expires_at=now + timedelta(minutes=10),
            )
        )
        session.add(
            Conversion(
                tenant=TENANT,
                share_id=share_id,
                kind="application",
                external_ref=f"ATS-{ambassador_id}",
                occurred_at=now,
                recorded_at=now,
                reported_by="careers-site",
            )
        )
    return ambassador_id, me, share_id


async def test_export_covers_the_person_and_only_them(infra: Infra, svc: RunningService) -> None:
    ambassador_id, me, share_id = await _person_with_history(infra, svc)
    c = svc.client

    answer = await c.get("/v1/ambassadors/me/export", headers=me)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["ambassador_id"] == ambassador_id
    [connection] = data["connections"]
    assert (connection["network"], connection["status"]) == ("mastodon", "connected")
    assert connection["audience_size"] == 120 and connection["network_user_id"].startswith("user-")
    [share] = data["shares"]
    assert share["id"] == share_id and share["status"] == "scheduled"
    assert share["text"].startswith("Proud")
    assert [(a["network"], a["action"]) for a in data["autoshare_choices"]] == [
        ("linkedin", "granted")
    ]
    assert [a["network"] for a in data["pending_authorizations"]] == ["linkedin"]
    assert [(v["share_id"], v["kind"]) for v in data["conversions"]] == [(share_id, "application")]
    assert data["truncated"] == []
    # No secret, by name or by value; nor the integration's reference of the conversion.
    assert secret_keys(data) == []
    text = json.dumps(data)
    assert "SEALED-VERIFIER" not in text and f"ATS-{ambassador_id}" not in text
    async with svc.runtime.db.session() as session:
        sealed = (
            await session.execute(
                select(Connection).where(Connection.ambassador_id == ambassador_id)
            )
        ).scalar_one()
    assert sealed.access_token_sealed and sealed.access_token_sealed not in text

    by_id = await c.get(f"/v1/ambassadors/{ambassador_id}/export", headers=me)
    assert by_id.status_code == 200 and by_id.json()["shares"] == data["shares"]
    other_id, other = await enrol(infra, svc, TENANT, networks=["linkedin"])
    for target in (ambassador_id, "nobody"):
        refused = await c.get(f"/v1/ambassadors/{target}/export", headers=other)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/not-your-data")
    communicator = infra.auth(tenant=TENANT, roles=["communicator"])
    assert (
        await c.get(f"/v1/ambassadors/{other_id}/export", headers=communicator)
    ).status_code == 403

    pm = infra.auth(tenant=TENANT, roles=["program_manager"])
    assert (await c.get(f"/v1/ambassadors/{ambassador_id}/export", headers=pm)).json()[
        "connections"
    ] == data["connections"]
    # A NUL cannot be stored nor looked up: refused as invalid, not a server error.
    assert (await c.get("/v1/ambassadors/a%00b/export", headers=pm)).status_code == 422
    elsewhere = infra.auth(tenant="elsewhere", roles=["program_manager"])
    assert (
        await c.get(f"/v1/ambassadors/{ambassador_id}/export", headers=elsewhere)
    ).status_code == 404

    await emit_at(
        infra, svc.settings.topic_prefix, TENANT, AmbassadorErased(ambassador_id=ambassador_id)
    )

    async def gone() -> bool:
        answer = await c.get(f"/v1/ambassadors/{ambassador_id}/export", headers=pm)
        return answer.status_code == 404

    await eventually(gone, timeout=40)
    left = (await c.get("/v1/ambassadors/me/export", headers=me)).json()
    # The token no longer leads to the person: nothing of theirs comes back.
    assert left["ambassador_id"] != ambassador_id
    assert left["shares"] == [] and left["connections"] == [] and left["profile"] is None


async def test_lists_are_capped_and_say_so(
    infra: Infra, svc: RunningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, me = await enrol(infra, svc, TENANT, networks=["linkedin"])
    for _ in range(3):  # opt in, opt out, three times: six records of the choice
        await svc.client.put("/v1/autoshare/linkedin", headers=me)
        await svc.client.delete("/v1/autoshare/linkedin", headers=me)
    monkeypatch.setattr(privacy, "MAX_ROWS", 4)
    data = (await svc.client.get("/v1/ambassadors/me/export", headers=me)).json()
    # Six records, the newest four kept: revoked, granted, revoked, granted.
    assert [a["action"] for a in data["autoshare_choices"]] == [
        "revoked",
        "granted",
        "revoked",
        "granted",
    ]
    assert data["truncated"] == ["autoshare_choices"]
