"""The editorial workflow against real PostgreSQL and Kafka: transitions, refusals, roles,
approval per brand, scheduling, expiry, audit trail and the events on Kafka."""

import uuid
from datetime import UTC, datetime, timedelta

from resonance.common.events.catalogue import ContentPublished, ContentRetired
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.devstack.testkit import of_type, read_events

ITEM = {
    "family": "company",
    "category": "job_offer",
    "format": "link",
    "title": "We are hiring in Lyon",
    "url": "https://careers.example.com/lyon?utm_source=x",
    "language": "fr",
    "brand": "acme",
    "tags": ["Hiring"],
    "captions": [
        {"network": "linkedin", "language": "fr", "text": "Rejoignez-nous"},
        {"network": "linkedin", "language": "fr", "text": "On recrute !"},
        {"network": "x", "language": "fr", "text": "Lyon recrute"},
    ],
    "targeting": {"countries": ["FR"], "job_families": ["engineering", "sales"]},
}


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def test_review_approve_publish_with_audit_and_event(
    infra: Infra, content: RunningService
) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"], subject="chloe")
    manager = infra.auth(tenant=t, roles=["program_manager"], subject="paul")
    c = content.client

    r = await c.post("/v1/items", json={**ITEM, "submit": "draft"}, headers=writer)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["status"] == "draft"
    assert [(x["network"], x["variant"]) for x in item["captions"]] == [
        ("linkedin", 1),
        ("linkedin", 2),
        ("x", 1),
    ]
    assert item["canonical_url"] == "https://careers.example.com/lyon"
    iid = item["id"]

    # Refusals: approve a draft (409), a communicator approving (403), unknown item (404).
    r = await c.post(f"/v1/items/{iid}/approve", headers=manager)
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status_now"] == "draft"
    assert (await c.post(f"/v1/items/{iid}/submit", headers=writer)).json()["status"] == "in_review"
    r = await c.post(f"/v1/items/{iid}/approve", headers=writer)
    assert r.status_code == 403
    r = await c.post(f"/v1/items/{uuid.uuid4()}/approve", headers=manager)
    assert r.status_code == 404
    # Another tenant cannot see or act on it.
    other = infra.auth(tenant=tenant(), roles=["program_manager"])
    assert (await c.post(f"/v1/items/{iid}/approve", headers=other)).status_code == 404

    r = await c.post(f"/v1/items/{iid}/reject", json={"reason": "typo"}, headers=manager)
    assert r.json()["status"] == "draft"
    await c.post(f"/v1/items/{iid}/submit", headers=writer)
    r = await c.post(f"/v1/items/{iid}/approve", json={"comment": "ok"}, headers=manager)
    assert r.json()["status"] == "approved"
    r = await c.post(f"/v1/items/{iid}/publish", headers=writer)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published"
    # Published is final for edits and for a second publication.
    assert (
        await c.patch(f"/v1/items/{iid}", json={"title": "x"}, headers=writer)
    ).status_code == 409
    assert (await c.post(f"/v1/items/{iid}/publish", headers=writer)).status_code == 409

    audit = (await c.get(f"/v1/items/{iid}/audit", headers=manager)).json()["items"]
    assert [(a["action"], a["actor"], a["to_status"]) for a in audit] == [
        ("create", "chloe", "draft"),
        ("submit", "chloe", "in_review"),
        ("reject", "paul", "draft"),
        ("submit", "chloe", "in_review"),
        ("approve", "paul", "approved"),
        ("publish", "chloe", "published"),
    ]
    assert audit[2]["detail"] == {"reason": "typo"}

    events = await read_events(
        infra,
        content.settings.topic_prefix,
        ContentPublished.topic,
        of_type(ContentPublished.event_type, content_id=iid),
    )
    envelope = next(e for e in events if e.subject == iid)
    assert envelope.tenant == t
    assert envelope.type == "content.published"
    published = ContentPublished.model_validate(envelope.data)
    assert published.family == "company"
    assert published.category == "job_offer"
    assert published.targeting.countries == ["FR"]
    assert published.targeting.job_families == ["engineering", "sales"]
    assert len(published.captions) == 3
    assert published.tags == ["hiring"]


async def test_edit_after_approval_needs_approval_again(
    infra: Infra, content: RunningService
) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"])
    manager = infra.auth(tenant=t, roles=["program_manager"])
    c = content.client
    iid = (await c.post("/v1/items", json={**ITEM, "submit": "review"}, headers=writer)).json()[
        "id"
    ]
    await c.post(f"/v1/items/{iid}/approve", headers=manager)
    r = await c.patch(
        f"/v1/items/{iid}", json={"title": "New title", "pinned": True}, headers=writer
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft"
    assert r.json()["pinned"] is True
    r = await c.patch(f"/v1/items/{iid}", json={"category": "white_paper"}, headers=writer)
    assert r.status_code == 422
    assert (await c.get(f"/v1/items/{iid}", headers=writer)).json()["category"] == "job_offer"


async def test_approval_required_per_brand(infra: Infra, content: RunningService) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"])
    manager = infra.auth(tenant=t, roles=["program_manager"])
    c = content.client
    r = await c.put(
        "/v1/settings", json={"approval_required_brands": ["acme-bank"]}, headers=writer
    )
    assert r.status_code == 403
    r = await c.put(
        "/v1/settings", json={"approval_required_brands": ["acme-bank"]}, headers=manager
    )
    assert r.status_code == 200, r.text

    r = await c.post("/v1/items", json={**ITEM, "brand": "acme-bank"}, headers=writer)
    assert r.status_code == 409, r.text
    assert "requires approval" in r.json()["detail"]
    # Nothing was stored by the refused request.
    listed = (await c.get("/v1/items", headers=writer)).json()["items"]
    assert listed == []
    r = await c.post("/v1/items", json={**ITEM, "brand": "acme-retail"}, headers=writer)
    assert r.json()["status"] == "published"
    # A programme manager's own publication is their approval, and the audit says so.
    r = await c.post("/v1/items", json={**ITEM, "brand": "acme-bank"}, headers=manager)
    assert r.json()["status"] == "published"
    audit = (await c.get(f"/v1/items/{r.json()['id']}/audit", headers=manager)).json()["items"]
    assert audit[-1]["detail"] == {"implicit_approval": True}


async def test_scheduled_publication_and_expiry_emit_events(
    infra: Infra, content: RunningService
) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"])
    c = content.client
    now = datetime.now(UTC)
    later = {
        **ITEM,
        "publish_at": (now + timedelta(seconds=1.5)).isoformat(),
        "expires_at": (now + timedelta(seconds=4)).isoformat(),
    }
    r = await c.post("/v1/items", json=later, headers=writer)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "scheduled"
    iid = r.json()["id"]

    async def status() -> str:
        return str((await c.get(f"/v1/items/{iid}", headers=writer)).json()["status"])

    assert await eventually(lambda: _is(status, "published"), timeout=10)
    assert await eventually(lambda: _is(status, "expired"), timeout=10)
    # A past window is refused, and a withdrawn live item is announced too.
    past = {**ITEM, "expires_at": (now - timedelta(seconds=1)).isoformat()}
    assert (await c.post("/v1/items", json=past, headers=writer)).status_code == 422
    live = (await c.post("/v1/items", json=ITEM, headers=writer)).json()["id"]
    r = await c.post(f"/v1/items/{live}/retire", headers=writer)
    assert r.json()["status"] == "retired"
    assert (await c.post(f"/v1/items/{live}/retire", headers=writer)).status_code == 409

    events = await read_events(
        infra,
        content.settings.topic_prefix,
        ContentRetired.topic,
        lambda es: {e.subject for e in es if e.type == "content.retired"} >= {iid, live},
    )
    reasons = {
        e.subject: ContentRetired.model_validate(e.data).reason
        for e in events
        if e.type == "content.retired"
    }
    assert reasons[iid] == "expired"
    assert reasons[live] == "withdrawn"
    types = [e.type for e in events if e.subject == iid]
    assert types == ["content.published", "content.retired"]


async def _is(check, wanted: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(await check() == wanted)


async def test_caption_limits_and_blocked_terms(infra: Infra, content: RunningService) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"])
    manager = infra.auth(tenant=t, roles=["program_manager"])
    c = content.client

    def with_caption(network: str, text: str) -> dict[str, object]:
        return {**ITEM, "captions": [{"network": network, "language": "ja", "text": text}]}

    assert (
        await c.post("/v1/items", json=with_caption("x", "a" * 280), headers=writer)
    ).status_code == 201
    r = await c.post("/v1/items", json=with_caption("x", "a" * 281), headers=writer)
    assert r.status_code == 422
    assert r.json()["limit"] == 280
    # X weighs CJK characters double: 141 of them are 282.
    r = await c.post("/v1/items", json=with_caption("x", "日" * 141), headers=writer)
    assert r.status_code == 422
    assert r.json()["length"] == 282
    assert (
        await c.post("/v1/items", json=with_caption("linkedin", "日" * 141), headers=writer)
    ).status_code == 201

    await c.put(
        "/v1/settings",
        json={"blocked_terms": ["guaranteed returns"], "disclosure_text": "#employee"},
        headers=manager,
    )
    r = await c.post(
        "/v1/items",
        json=with_caption("linkedin", "Our fund: GUARANTEED   returns!"),
        headers=writer,
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["term"] == "guaranteed returns"
    assert "guaranteed returns" in r.json()["detail"]
    # The disclosure counts against the limit: 270 + " #employee" > 280.
    r = await c.post("/v1/items", json=with_caption("x", "a" * 271), headers=writer)
    assert r.status_code == 422


async def test_bad_input_is_4xx(infra: Infra, content: RunningService) -> None:
    writer = infra.auth(tenant=tenant(), roles=["communicator"])
    c = content.client
    cases = [
        {**ITEM, "family": "gossip"},
        {**ITEM, "category": "white_paper"},
        {**ITEM, "url": "not a url"},
        {**ITEM, "format": "video", "url": None},
        {**ITEM, "captions": [{"network": "myspace", "language": "fr", "text": "x"}]},
        {**ITEM, "publish_at": "2026-01-02T00:00:00Z", "expires_at": "2026-01-01T00:00:00Z"},
        {**ITEM, "publish_at": "2026-01-02T00:00:00"},
        {**ITEM, "campaign_id": str(uuid.uuid4())},
        {**ITEM, "title": "nul\u0000byte"},
        {**ITEM, "targeting": {"countries": ["F\u0000R"]}},
    ]
    for case in cases:
        r = await c.post("/v1/items", json=case, headers=writer)
        assert r.status_code == 422, (case, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert (await c.get("/v1/items/not-a-uuid", headers=writer)).status_code == 422
    assert (await c.get("/v1/items", headers=writer)).json()["items"] == []
    amb = infra.auth(roles=["ambassador"])
    assert (await c.get("/v1/feed", params={"q": "a\x00b"}, headers=amb)).status_code == 422
    assert (
        await c.get("/v1/feed", params={"q": '"unbalanced & | !'}, headers=amb)
    ).status_code == 200
    assert (await c.get("/v1/items", headers=infra.auth(roles=["ambassador"]))).status_code == 403
