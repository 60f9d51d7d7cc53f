"""Issue 8 item 10: the metrics service's part of a data subject request.

Bob enrols, connects X, shares twice (10 points a share: 20 earned, the first-share badge),
redeems a reward costing 10, chooses a contact address and hides from public boards. His
export holds all of it and never the unsubscribe token; another ambassador is refused,
another tenant's manager finds nothing, and after his erasure nothing is found under his id.
"""

import json
from typing import Any

import pytest
from sqlalchemy import text

from resonance.common.events.catalogue import AmbassadorErased, ConnectionConnected
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.metrics.devtools.sample_facts import at, enrolment, share
from resonance.metrics.service import privacy

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


async def _bob(
    infra: Infra, metrics: RunningService, send: Any, tenant: str, processed: Any
) -> dict[str, str]:
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    bob = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-bob")
    # Enrolments travel on another topic than shares: wait for both, or points may be
    # applied to a person not yet known.
    enrolled = await send(
        tenant, enrolment("bob", site="lyon", timezone="Europe/Paris"), time=at(1)
    )
    sent = enrolled + await send(
        tenant,
        ConnectionConnected(
            connection_id="cx-bob",
            ambassador_id="bob",
            network="x",
            audience_size=100,
            connected_at=at(2),
        ),
        share("bob", 1, at(4, 11)),
        share("bob", 2, at(5)),
    )
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    reward = (
        await metrics.client.post(
            "/v1/rewards", json={"title": "Cap", "cost": 10, "stock": 3}, headers=manager
        )
    ).json()["id"]
    redeemed = await metrics.client.post("/v1/redemptions", json={"reward_id": reward}, headers=bob)
    assert redeemed.status_code == 201, redeemed.text
    await metrics.client.put(
        "/v1/me/contact", json={"email": "bob@home.example", "suggestions": True}, headers=bob
    )
    await metrics.client.put("/v1/me/privacy", json={"hidden": True}, headers=bob)
    return bob


async def test_export_covers_the_person_and_only_them(
    infra: Infra, metrics: RunningService, send: Any, tenant: str, processed: Any
) -> None:
    bob = await _bob(infra, metrics, send, tenant, processed)
    c = metrics.client

    answer = await c.get("/v1/ambassadors/me/export", headers=bob)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["ambassador_id"] == "bob"
    assert data["profile"]["site"] == "lyon" and data["profile"]["login_subject"] == "sub-bob"
    assert data["preferences"]["hidden"] is True
    assert data["preferences"]["email"] == "bob@home.example"
    assert [(x["network"], x["audience_size"]) for x in data["connections"]] == [("x", 100)]
    assert sorted(s["share_id"] for s in data["shares"]) == ["s-bob-1", "s-bob-2"]
    # Two shares at 10 points each; the reward's 10 points are held or spent, not earned.
    assert sum(e["amount"] for e in data["points_ledger"] if e["amount"] > 0) == 20
    assert data["balance"]["earned"] == 20
    assert data["balance"]["held"] + data["balance"]["spent"] == 10
    assert len(data["badges"]) == 1
    assert [(r["reward_title"], r["cost"]) for r in data["redemptions"]] == [("Cap", 10)]
    assert data["truncated"] == []

    # Never the unsubscribe token (it unsubscribes without signing in), by name or value.
    assert secret_keys(data) == []
    async with metrics.runtime.db.session() as session:
        token = (
            await session.execute(
                text(
                    "SELECT unsubscribe_token FROM ambassador_prefs "
                    "WHERE tenant = :t AND ambassador_id = 'bob'"
                ),
                {"t": tenant},
            )
        ).scalar_one()
    assert token is None or token not in json.dumps(data)

    by_id = await c.get("/v1/ambassadors/bob/export", headers=bob)
    assert by_id.status_code == 200 and by_id.json()["badges"] == data["badges"]
    ann = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-ann")
    for target in ("bob", "nobody"):
        refused = await c.get(f"/v1/ambassadors/{target}/export", headers=ann)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/not-your-data")
    communicator = infra.auth(tenant=tenant, roles=["communicator"])
    assert (await c.get("/v1/ambassadors/bob/export", headers=communicator)).status_code == 403

    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    staff = await c.get("/v1/ambassadors/bob/export", headers=manager)
    assert staff.status_code == 200 and staff.json()["points_ledger"] == data["points_ledger"]
    # A NUL cannot be stored nor looked up: refused as invalid, not a server error.
    assert (await c.get("/v1/ambassadors/a%00b/export", headers=manager)).status_code == 422
    elsewhere = infra.auth(tenant=f"{tenant}-x", roles=["program_manager"])
    assert (await c.get("/v1/ambassadors/bob/export", headers=elsewhere)).status_code == 404

    [erasure] = await send(tenant, AmbassadorErased(ambassador_id="bob"))
    await eventually(lambda: processed(erasure.id), timeout=30)
    assert (await c.get("/v1/ambassadors/bob/export", headers=manager)).status_code == 404
    left = (await c.get("/v1/ambassadors/me/export", headers=bob)).json()
    assert left["profile"] is None and left["points_ledger"] == [] and left["shares"] == []
    assert left["preferences"] is None and left["badges"] == []


async def test_lists_are_capped_and_say_so(
    infra: Infra,
    metrics: RunningService,
    send: Any,
    tenant: str,
    processed: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await send(tenant, enrolment("cat"), time=at(1))
    sent = await send(tenant, *(share("cat", n, at(3 + n)) for n in range(1, 4)))
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    monkeypatch.setattr(privacy, "MAX_ROWS", 2)
    cat = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-cat")
    data = (await metrics.client.get("/v1/ambassadors/me/export", headers=cat)).json()
    # Three shares on three days: the two newest kept; one badge (under the cap) not cut.
    assert [s["share_id"] for s in data["shares"]] == ["s-cat-3", "s-cat-2"]
    assert "shares" in data["truncated"] and "badges" not in data["truncated"]
