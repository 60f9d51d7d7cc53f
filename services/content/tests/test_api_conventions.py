"""Issue 9 against real PostgreSQL and Kafka: targeting values ignore case, the taxonomy of
targeting values, one item of the feed, who may read the feed, cursor pages on every list,
and timestamps that always carry their offset."""

import uuid
from typing import Any

import httpx

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorLeft,
    AmbassadorProfile,
)
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.devstack.testkit import emit_event


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


def enrolled(who: str, **profile: Any) -> AmbassadorEnrolled:
    return AmbassadorEnrolled(
        ambassador_id=who,
        programme_id="p1",
        charter_version="1",
        login_subject=f"sub-{who}",
        profile=AmbassadorProfile(**profile),
    )


async def _post(c: httpx.AsyncClient, headers: dict[str, str], title: str, **extra: Any) -> str:
    body = {"family": "market", "format": "text", "title": title, **extra}
    r = await c.post("/v1/items", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _feed_ids(c: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    r = await c.get("/v1/feed", headers=headers)
    assert r.status_code == 200, r.text
    return {i["id"] for i in r.json()["items"]}


async def test_targeting_ignores_case_and_the_taxonomy_lists_what_exists(
    infra: Infra, content: RunningService
) -> None:
    t = tenant()
    c = content.client
    prefix = content.settings.topic_prefix
    writer = infra.auth(tenant=t, roles=["communicator"])
    await emit_event(infra, prefix, t, enrolled("e1", job_family="Marketing", site="Lyon"))
    await emit_event(
        infra, prefix, t, enrolled("e2", job_family="marketing", site="Paris", brand="Acme")
    )
    await emit_event(infra, prefix, t, enrolled("e3", brand="acme", languages=["fr", "de"]))

    async def taxonomy() -> dict[str, list[str]]:
        r = await c.get("/v1/taxonomy", headers=writer)
        assert r.status_code == 200, r.text
        values: dict[str, list[str]] = r.json()
        return values if values["languages"] else {}

    found = await eventually(taxonomy)
    # "Marketing" and "marketing" are one value (the first spelling, alphabetically, wins).
    assert found["job_families"] == ["Marketing"]
    assert found["brands"] == ["Acme"]
    assert found["sites"] == ["Lyon", "Paris"]
    assert found["languages"] == ["de", "fr"]
    assert found["programmes"] == ["p1"]
    assert found["countries"] == [] and found["entities"] == []
    amb = infra.auth(tenant=t, roles=["ambassador"], subject="sub-e1")
    assert (await c.get("/v1/taxonomy", headers=amb)).status_code == 403

    # The OpenAPI example's lower case reaches "Marketing"; a value is trimmed and keeps the
    # spelling it was given.
    marketing = await _post(c, writer, "For marketing", targeting={"job_families": [" marketing "]})
    r = await c.get(f"/v1/items/{marketing}", headers=writer)
    assert r.json()["targeting"]["job_families"] == ["marketing"]
    lyon = await _post(c, writer, "For Lyon", targeting={"sites": ["LYON", "lyon"]})
    assert (await c.get(f"/v1/items/{lyon}", headers=writer)).json()["targeting"]["sites"] == [
        "LYON"
    ]
    assert {marketing, lyon} <= await _feed_ids(c, amb)
    in_paris = infra.auth(tenant=t, roles=["ambassador"], subject="sub-e2")
    paris_ids = await _feed_ids(c, in_paris)
    assert marketing in paris_ids and lyon not in paris_ids


async def test_one_feed_item_and_who_may_read_the_feed(
    infra: Infra, content: RunningService
) -> None:
    t = tenant()
    c = content.client
    prefix = content.settings.topic_prefix
    writer = infra.auth(tenant=t, roles=["communicator"])
    manager = infra.auth(tenant=t, roles=["program_manager"])
    await c.put("/v1/settings", json={"disclosure_text": "#employee"}, headers=manager)
    captions = [{"network": "linkedin", "language": "fr", "text": "Bonjour"}]
    for_fr = await _post(c, writer, "Pour la France", targeting={"countries": ["fr"]})
    for_all = await _post(c, writer, "Pour tous", captions=captions)
    for_de = await _post(c, writer, "Für Deutschland", targeting={"countries": ["DE"]})
    elsewhere = await _post(c, infra.auth(tenant=tenant(), roles=["communicator"]), "Other")

    # Before enrolling (unknown here yet): what targets everyone, nothing targeted.
    newcomer = infra.auth(tenant=t, roles=["ambassador"], subject="sub-new")
    assert await _feed_ids(c, newcomer) == {for_all}
    r = await c.get(f"/v1/feed/{for_all}", headers=newcomer)
    assert r.status_code == 200, r.text
    one = r.json()
    assert one["title"] == "Pour tous" and one["disclosure"] == "#employee"
    assert [cap["text"] for cap in one["captions"]] == ["Bonjour"]
    assert (await c.get(f"/v1/feed/{for_fr}", headers=newcomer)).status_code == 404

    await emit_event(infra, prefix, t, enrolled("fr-1", country="FR"))
    me = infra.auth(tenant=t, roles=["ambassador"], subject="sub-fr-1")

    async def projected() -> bool:
        return (await c.get(f"/v1/feed/{for_fr}", headers=me)).status_code == 200

    assert await eventually(projected)
    # The same rule as the feed: targeting (case ignored), tenant, liveness.
    assert (await c.get(f"/v1/feed/{for_de}", headers=me)).status_code == 404
    assert (await c.get(f"/v1/feed/{elsewhere}", headers=me)).status_code == 404
    assert (await c.get(f"/v1/feed/{uuid.uuid4()}", headers=me)).status_code == 404
    assert (await c.post(f"/v1/items/{for_all}/retire", headers=writer)).status_code == 200
    assert (await c.get(f"/v1/feed/{for_all}", headers=me)).status_code == 404

    # After leaving: refused, the feed and its items alike (the token may still say
    # "ambassador"; the projection knows better).
    await emit_event(infra, prefix, t, AmbassadorLeft(ambassador_id="fr-1", reason="opt_out"))

    async def refused() -> bool:
        return (await c.get("/v1/feed", headers=me)).status_code == 403

    assert await eventually(refused)
    r = await c.get(f"/v1/feed/{for_fr}", headers=me)
    assert r.status_code == 403 and r.json()["type"].endswith("/not-an-active-ambassador")


async def _walk(
    c: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = await c.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append([i["id"] for i in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_every_list_pages_with_a_cursor(infra: Infra, content: RunningService) -> None:
    t = tenant()
    c = content.client
    writer = infra.auth(tenant=t, roles=["communicator"])
    amb = infra.auth(tenant=t, roles=["ambassador"], subject="sub-pager")
    items = [await _post(c, writer, f"Item {n}", submit="draft") for n in range(5)]
    # 5 items by 2: pages of 2, 2 and 1, newest first, each once.
    pages = await _walk(c, "/v1/items", writer, limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for p in pages for i in p] == list(reversed(items))

    subs = []
    for n in range(3):
        r = await c.post("/v1/submissions", json={"format": "text", "title": f"S{n}"}, headers=amb)
        subs.append(r.json()["id"])
    # The moderation queue is oldest first; the author's own list newest first.
    assert [i for p in await _walk(c, "/v1/submissions", writer, limit=2) for i in p] == subs
    mine = await _walk(c, "/v1/submissions/mine", amb, limit=2)
    assert [i for p in mine for i in p] == list(reversed(subs))

    campaigns = []
    for n in range(3):
        body = {"name": f"C{n}", "starts_at": "2030-01-01T00:00:00Z"}
        campaigns.append((await c.post("/v1/campaigns", json=body, headers=writer)).json()["id"])
    walked = await _walk(c, "/v1/campaigns", writer, limit=1)
    assert [i for p in walked for i in p] == list(reversed(campaigns))

    sources = []
    for n in range(3):
        body = {"name": f"F{n}", "url": f"https://news.example.org/{n}.atom", "active": False}
        sources.append((await c.post("/v1/sources", json=body, headers=writer)).json()["id"])
    assert [i for p in await _walk(c, "/v1/sources", writer, limit=2) for i in p] == sources

    r = await c.get("/v1/items", params={"cursor": "not-ours"}, headers=writer)
    assert r.status_code == 422 and r.json()["type"].endswith("/invalid-cursor")


async def test_timestamps_keep_their_offset_or_are_refused(
    infra: Infra, content: RunningService
) -> None:
    c = content.client
    writer = infra.auth(tenant=tenant(), roles=["communicator"])
    item = {"family": "market", "format": "text", "title": "When", "submit": "draft"}
    # Year 1 was stored and read back without its offset: now refused.
    r = await c.post(
        "/v1/items", json={**item, "publish_at": "0001-01-01T00:00:00Z"}, headers=writer
    )
    assert r.status_code == 422, r.text
    r = await c.post(
        "/v1/campaigns", json={"name": "Old", "starts_at": "0001-01-01T00:00:00Z"}, headers=writer
    )
    assert r.status_code == 422
    # An offset is kept as the same instant, answered in UTC with its "Z".
    r = await c.post(
        "/v1/items", json={**item, "publish_at": "2030-01-01T01:00:00+01:00"}, headers=writer
    )
    assert r.status_code == 201, r.text
    assert r.json()["publish_at"] == "2030-01-01T00:00:00Z"
    iid = r.json()["id"]
    r = await c.patch(
        f"/v1/items/{iid}", json={"expires_at": "9999-12-31T23:59:59+05:00"}, headers=writer
    )
    assert r.status_code == 422
    r = await c.get("/v1/kpis/mix", params={"since": "0001-01-01T00:00:00Z"}, headers=writer)
    assert r.status_code == 422
