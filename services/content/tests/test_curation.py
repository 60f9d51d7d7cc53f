"""Submissions and moderation, campaigns, link previews with the SSRF guard, feed sources
ingested from a local feed server, and the mix KPI."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from resonance.common.events.catalogue import (
    CampaignLaunched,
    ContentPublished,
    SubmissionApproved,
)
from resonance.content.devtools.sample_feed import app as sample_app
from resonance.devstack.testing import Infra, RunningService, ThreadedServer, eventually
from resonance.devstack.testkit import of_type, read_events


@pytest.fixture(scope="module")
def news() -> Iterator[ThreadedServer]:
    server = ThreadedServer(sample_app).start()
    yield server
    server.stop()


@pytest.fixture
def private_links(content: RunningService) -> Iterator[None]:
    """The operator lets fetches reach loopback (where the sample news server runs), as the
    local stack does; a tenant cannot (issue 8 item 6)."""
    settings = content.settings
    assert not settings.allow_private_links
    settings.allow_private_links = True
    yield
    settings.allow_private_links = False


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def test_moderation_approve_edited_and_reject_with_reason(
    infra: Infra, content: RunningService
) -> None:
    t = tenant()
    amb = infra.auth(tenant=t, roles=["ambassador"], subject="amb-1")
    mod = infra.auth(tenant=t, roles=["communicator"], subject="mod")
    c = content.client
    await c.put(
        "/v1/settings",
        json={"blocked_terms": ["confidential"]},
        headers=infra.auth(tenant=t, roles=["program_manager"]),
    )
    r = await c.post(
        "/v1/submissions",
        json={"format": "text", "title": "A CONFIDENTIAL roadmap"},
        headers=amb,
    )
    assert r.status_code == 422
    assert r.json()["term"] == "confidential"

    good = {"format": "link", "title": "Our robotics fair", "url": "https://blog.example.net/fair"}
    first = (await c.post("/v1/submissions", json=good, headers=amb)).json()
    second = (await c.post("/v1/submissions", json={**good, "title": "Second"}, headers=amb)).json()
    assert first["status"] == "pending"
    assert (await c.get("/v1/submissions", headers=amb)).status_code == 403
    queue = (await c.get("/v1/submissions", headers=mod)).json()["items"]
    assert [s["id"] for s in queue] == [first["id"], second["id"]]

    r = await c.post(
        f"/v1/submissions/{first['id']}/approve",
        json={
            "title": "Our team at the robotics fair",
            "captions": [{"network": "linkedin", "language": "en", "text": "Proud!"}],
        },
        headers=mod,
    )
    assert r.status_code == 200, r.text
    item = r.json()
    assert item["status"] == "published"
    assert item["family"] == "submission"
    assert item["title"] == "Our team at the robotics fair"
    assert item["submitted_by"] == "amb-1"
    r = await c.post(f"/v1/submissions/{first['id']}/reject", json={"reason": "x"}, headers=mod)
    assert r.status_code == 409

    r = await c.post(
        f"/v1/submissions/{second['id']}/reject",
        json={"reason": "Please remove the customer's logo"},
        headers=mod,
    )
    assert r.json()["status"] == "rejected"
    mine = {s["id"]: s for s in (await c.get("/v1/submissions/mine", headers=amb)).json()["items"]}
    assert mine[second["id"]]["reason"] == "Please remove the customer's logo"
    assert mine[first["id"]]["status"] == "approved"
    assert mine[first["id"]]["content_id"] == item["id"]
    # The approved submission is in the author's colleagues' feeds.
    colleague = infra.auth(tenant=t, roles=["ambassador"], subject="amb-2")
    feed = (await c.get("/v1/feed", headers=colleague)).json()["items"]
    assert [i["id"] for i in feed] == [item["id"]]

    prefix = content.settings.topic_prefix
    events = await read_events(
        infra,
        prefix,
        SubmissionApproved.topic,
        of_type(SubmissionApproved.event_type, submission_id=first["id"]),
    )
    approved = SubmissionApproved.model_validate(
        next(e for e in events if e.subject == first["id"]).data
    )
    assert approved.content_id == item["id"]
    assert approved.ambassador_id == "amb-1"
    published = await read_events(
        infra,
        prefix,
        ContentPublished.topic,
        of_type(ContentPublished.event_type, content_id=item["id"]),
    )
    data = ContentPublished.model_validate(
        next(e for e in published if e.subject == item["id"]).data
    )
    assert data.family == "submission"
    assert data.submitted_by == "amb-1"


async def test_campaign_launch_publishes_and_emits(infra: Infra, content: RunningService) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"])
    manager = infra.auth(tenant=t, roles=["program_manager"])
    c = content.client
    now = datetime.now(UTC)
    r = await c.post(
        "/v1/campaigns",
        json={
            "name": "Tech fair",
            "brand": "acme",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=7)).isoformat(),
            "goal_metric": "shares",
            "goal_value": 500,
            "exclusive": True,
            "mirror_post_urls": ["https://www.linkedin.com/feed/update/urn:li:activity:1"],
            "targeting": {"countries": ["FR"]},
        },
        headers=writer,
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    body = {"family": "company", "format": "text", "title": "Fair", "campaign_id": cid}
    iid = (await c.post("/v1/items", json={**body, "submit": "review"}, headers=writer)).json()
    assert iid["targeting"]["countries"] == ["FR"]  # inherited from the campaign
    await c.post(f"/v1/items/{iid['id']}/approve", headers=manager)
    r = await c.post(f"/v1/campaigns/{cid}/launch", headers=writer)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "launched"
    assert r.json()["content_ids"] == [iid["id"]]
    assert (await c.get(f"/v1/items/{iid['id']}", headers=writer)).json()["status"] == "published"
    assert (await c.post(f"/v1/campaigns/{cid}/launch", headers=writer)).status_code == 409
    bad = {"name": "x", "starts_at": now.isoformat(), "ends_at": (now - timedelta(1)).isoformat()}
    assert (await c.post("/v1/campaigns", json=bad, headers=writer)).status_code == 422

    events = await read_events(
        infra,
        content.settings.topic_prefix,
        CampaignLaunched.topic,
        of_type(CampaignLaunched.event_type, campaign_id=cid),
    )
    launched = CampaignLaunched.model_validate(next(e for e in events if e.subject == cid).data)
    assert launched.content_ids == [iid["id"]]
    assert launched.exclusive
    assert launched.goal_value == 500
    assert launched.targeting.countries == ["FR"]


async def test_ssrf_guard_and_preview(
    infra: Infra, content: RunningService, news: ThreadedServer
) -> None:
    c = content.client
    guarded = infra.auth(tenant=tenant(), roles=["communicator"])
    details = set()
    for url in (
        f"{news.url}/articles/iot-trends",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://localhost:1/",
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1 (issue 8 item 12)
        "http://no-such-host.invalid/",
    ):
        r = await c.post("/v1/previews", json={"url": url}, headers=guarded)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["title"] == "Link refused", url
        details.add(r.json()["detail"])
    # One message whatever the cause: no oracle on internal names or ports (issue 8 item 6).
    assert len(details) == 1, details
    r = await c.post("/v1/previews", json={"url": "file:///etc/passwd"}, headers=guarded)
    assert r.status_code == 422
    # Creating an item with a preview of a private link is refused too, and nothing is stored.
    item = {
        "family": "market",
        "title": "x",
        "url": f"{news.url}/articles/iot-trends",
        "fetch_preview": True,
    }
    assert (await c.post("/v1/items", json=item, headers=guarded)).status_code == 422
    assert (await c.get("/v1/items", headers=guarded)).json()["items"] == []

    t = tenant()
    local = infra.auth(tenant=t, roles=["program_manager"])
    # A programme manager cannot open private addresses (the field is no setting of theirs).
    r = await c.put("/v1/settings", json={"allow_private_links": True}, headers=local)
    assert r.status_code == 200 and r.json()["private_links_allowed"] is False
    r = await c.post("/v1/previews", json={"url": f"{news.url}/articles/a"}, headers=local)
    assert r.status_code == 422 and r.json()["title"] == "Link refused"

    # The operator can (the local stack does, for its sample feed on loopback).
    content.settings.allow_private_links = True
    try:
        await _previews_on_loopback(c, local, news, item)
    finally:
        content.settings.allow_private_links = False


async def _previews_on_loopback(
    c: httpx.AsyncClient, local: dict[str, str], news: ThreadedServer, item: dict[str, object]
) -> None:
    r = await c.post(
        "/v1/previews", json={"url": f"{news.url}/articles/iot-trends?utm_source=x"}, headers=local
    )
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["title"] == "Five trends in industrial IoT"
    assert preview["canonical_url"] == f"{news.url}/articles/iot-trends"
    assert preview["image_url"] == f"{news.url}/images/iot-trends.png"
    r = await c.post("/v1/previews", json={"url": f"{news.url}/articles/nope"}, headers=local)
    assert r.status_code == 422
    assert r.json()["title"] == "Link unreadable"
    r = await c.post("/v1/items", json=item, headers=local)
    assert r.status_code == 201, r.text
    assert r.json()["preview_description"].startswith("Sensors")


async def test_feed_source_ingestion_dedups(
    infra: Infra, content: RunningService, news: ThreadedServer, private_links: None
) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"])
    c = content.client
    source = {
        "name": "Sample news",
        "url": f"{news.url}/feed.atom",
        "category": "industry_news",
        "language": "en",
        "active": False,
    }
    r = await c.post("/v1/sources", json={**source, "auto_approve": True}, headers=writer)
    assert r.status_code == 403
    sid = (await c.post("/v1/sources", json=source, headers=writer)).json()["id"]
    r = await c.post(f"/v1/sources/{sid}/poll", headers=writer)
    assert r.json() == {"created": 3, "duplicates": 1, "error": None}
    r = await c.post(f"/v1/sources/{sid}/poll", headers=writer)
    assert r.json() == {"created": 0, "duplicates": 4, "error": None}
    drafts = (await c.get("/v1/items", params={"status": "draft"}, headers=writer)).json()["items"]
    assert sorted(i["title"] for i in drafts) == [
        "AI in human resources, beyond the hype",
        "Five trends in industrial IoT",
        "Green logistics: what changes in 2027",
    ]
    assert all(i["family"] == "market" and i["preview_title"] for i in drafts)

    # An auto-approved source, polled by the background job, publishes straight away.
    t2 = tenant()
    manager2 = infra.auth(tenant=t2, roles=["program_manager"])
    r = await c.post(
        "/v1/sources", json={**source, "active": True, "auto_approve": True}, headers=manager2
    )
    assert r.status_code == 201

    async def published() -> int:
        r = await c.get("/v1/items", params={"status": "published"}, headers=manager2)
        return len(r.json()["items"])

    assert await eventually(published) == 3

    # Without the private-link permission the source is refused and the error recorded.
    content.settings.allow_private_links = False
    t3 = tenant()
    guarded = infra.auth(tenant=t3, roles=["communicator"])
    sid3 = (await c.post("/v1/sources", json=source, headers=guarded)).json()["id"]
    r = await c.post(f"/v1/sources/{sid3}/poll", headers=guarded)
    assert r.json()["created"] == 0
    assert "private" in r.json()["error"]


async def test_mix_kpi(infra: Infra, content: RunningService) -> None:
    t = tenant()
    writer = infra.auth(tenant=t, roles=["communicator"])
    c = content.client
    for family, n in (("company", 1), ("market", 3)):
        for _ in range(n):
            body = {"family": family, "format": "text", "title": "x", "brand": "acme"}
            assert (await c.post("/v1/items", json=body, headers=writer)).status_code == 201
    await c.post(
        "/v1/items",
        json={"family": "market", "format": "text", "title": "d", "submit": "draft"},
        headers=writer,
    )
    mix = (await c.get("/v1/kpis/mix", headers=writer)).json()
    assert (mix["company"], mix["market"]) == (1, 3)
    assert mix["company_share"] == 0.25
    assert mix["target_company_share"] == 0.2
    assert mix["on_target"] is True
    other = (await c.get("/v1/kpis/mix", params={"brand": "globex"}, headers=writer)).json()
    assert (other["company"], other["market"]) == (0, 0)
    r = await c.get(
        "/v1/kpis/mix",
        params={"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        headers=writer,
    )
    assert r.status_code == 422
