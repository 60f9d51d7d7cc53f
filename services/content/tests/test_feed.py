"""The ambassador feed: targeting from the projection built over Kafka, window, already
shared, order, cursor pagination, filters, full-text search, leaving and erasure."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorLeft,
    AmbassadorProfile,
    AmbassadorUpdated,
    ShareMade,
)
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.devstack.testkit import emit_event, read_events


def item(title: str, **extra: Any) -> dict[str, Any]:
    return {"family": "market", "format": "text", "title": title, **extra}


async def test_feed_targeting_window_shares_order_and_search(
    infra: Infra, content: RunningService
) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    prefix = content.settings.topic_prefix
    writer = infra.auth(tenant=t, roles=["communicator"])
    c = content.client
    for ambassador_id, profile in (
        ("amb-fr", AmbassadorProfile(country="FR", job_family="engineering", languages=["fr"])),
        ("amb-de", AmbassadorProfile(country="DE", job_family="sales", languages=["de", "en"])),
    ):
        enrolled = AmbassadorEnrolled(
            ambassador_id=ambassador_id, programme_id="prog-1", charter_version="1", profile=profile
        )
        await emit_event(infra, prefix, t, enrolled)

    async def projected() -> int:
        async with content.runtime.db.session() as s:
            r = await s.execute(
                text("select count(*) from ambassadors where tenant = :t"), {"t": t}
            )
            return int(r.scalar_one())

    assert await eventually(lambda: _eq(projected, 2))

    async def post(body: dict[str, Any]) -> str:
        r = await c.post("/v1/items", json=body, headers=writer)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    everyone = await post(item("For everyone", language="en"))
    fr_only = await post(item("Pour la France", targeting={"countries": ["FR"]}))
    any_of = await post(item("FR or DE", targeting={"countries": ["FR", "DE"]}))
    all_of = await post(
        item("FR and sales", targeting={"countries": ["FR"], "job_families": ["sales"]})
    )
    by_language = await post(item("German speakers", targeting={"languages": ["de", "it"]}))
    pinned = await post(item("Pinned one", pinned=True))
    must = await post(item("Must read", must_read=True))
    later = await post(
        item("Not yet", publish_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    )
    shared_one = await post(item("Already shared"))
    french = await post(
        item("Les chevaux courent", body="Analyse des marchés financiers", language="fr")
    )
    draft = await post(item("A draft", submit="draft"))
    campaign = (
        await c.post(
            "/v1/campaigns",
            json={"name": "Energy week", "starts_at": datetime.now(UTC).isoformat()},
            headers=writer,
        )
    ).json()["id"]
    tagged = await post(
        item(
            "Energy week",
            format="link",
            url="https://example.org/energy",
            tags=["energy"],
            campaign_id=campaign,
            targeting={"countries": ["DE"]},
        )
    )

    share = ShareMade(
        share_id=str(uuid.uuid4()),
        ambassador_id="amb-fr",
        content_id=shared_one,
        network="linkedin",
        shared_at=datetime.now(UTC),
    )
    await emit_event(infra, prefix, t, share)

    async def fr_feed() -> list[str]:
        r = await c.get(
            "/v1/feed", headers=infra.auth(tenant=t, roles=["ambassador"], subject="amb-fr")
        )
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    # The share arrives over Kafka; then the item leaves amb-fr's feed.
    assert await eventually(lambda: _without(fr_feed, shared_one))
    feed = await fr_feed()
    assert feed[:2] == [pinned, must]
    assert set(feed) == {pinned, must, everyone, fr_only, any_of, french}
    assert feed[2:] == [french, any_of, fr_only, everyone]  # newest first
    for hidden in (all_of, by_language, later, shared_one, draft):
        assert hidden not in feed

    de = infra.auth(tenant=t, roles=["ambassador"], subject="amb-de")
    r = await c.get("/v1/feed", headers=de)
    de_feed = {i["id"] for i in r.json()["items"]}
    assert de_feed == {pinned, must, everyone, any_of, by_language, shared_one, french, tagged}

    # Cursor pagination walks the same order without repeats.
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await c.get("/v1/feed", params=params, headers=de)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [i["id"] for i in r.json()["items"]]
    assert (await c.get("/v1/feed", params={"cursor": "garbage"}, headers=de)).status_code == 422

    # Filters and language-aware search (French stemming: "cheval" finds "chevaux").
    r = await c.get("/v1/feed", params={"q": "cheval marché"}, headers=de)
    assert [i["id"] for i in r.json()["items"]] == [french]
    r = await c.get("/v1/feed", params={"language": "en"}, headers=de)
    assert [i["id"] for i in r.json()["items"]] == [everyone]
    r = await c.get("/v1/feed", params={"family": "company"}, headers=de)
    assert r.json()["items"] == []
    r = await c.get("/v1/feed", params={"tag": "Energy"}, headers=de)
    assert [i["id"] for i in r.json()["items"]] == [tagged]
    r = await c.get("/v1/feed", params={"campaign_id": campaign}, headers=de)
    assert [i["id"] for i in r.json()["items"]] == [tagged]
    r = await c.get("/v1/feed", params={"format": "link"}, headers=de)
    assert [i["id"] for i in r.json()["items"]] == [tagged]

    # Another tenant's ambassador sees none of it.
    stranger = infra.auth(tenant="elsewhere", roles=["ambassador"], subject="amb-fr")
    assert (await c.get("/v1/feed", headers=stranger)).json()["items"] == []
    # Staff tokens are not ambassadors.
    assert (await c.get("/v1/feed", headers=writer)).status_code == 403

    # A profile update re-targets; leaving closes the feed; erasure purges what we hold.
    await emit_event(
        infra,
        prefix,
        t,
        AmbassadorUpdated(
            ambassador_id="amb-de", profile=AmbassadorProfile(country="FR", job_family="sales")
        ),
    )

    async def de_sees_all_of() -> bool:
        r = await c.get("/v1/feed", headers=de)
        return all_of in {i["id"] for i in r.json()["items"]}

    assert await eventually(de_sees_all_of)
    await emit_event(infra, prefix, t, AmbassadorLeft(ambassador_id="amb-de", reason="opt_out"))

    async def de_closed() -> bool:
        return (await c.get("/v1/feed", headers=de)).status_code == 403

    assert await eventually(de_closed)
    fr = infra.auth(tenant=t, roles=["ambassador"], subject="amb-fr")
    r = await c.post("/v1/submissions", json={"format": "text", "title": "Mine"}, headers=fr)
    assert r.status_code == 201
    await emit_event(infra, prefix, t, AmbassadorErased(ambassador_id="amb-fr"))

    async def fr_gone() -> bool:
        async with content.runtime.db.session() as s:
            n = await s.execute(
                text(
                    "select (select count(*) from ambassadors where tenant=:t and ambassador_id='amb-fr')"
                    " + (select count(*) from shares where tenant=:t and ambassador_id='amb-fr')"
                    " + (select count(*) from submissions where tenant=:t and ambassador_id='amb-fr')"
                ),
                {"t": t},
            )
            return int(n.scalar_one()) == 0

    assert await eventually(fr_gone)


async def _eq(check, wanted: object) -> bool:  # type: ignore[no-untyped-def]
    return bool(await check() == wanted)


async def _without(check, unwanted: str) -> bool:  # type: ignore[no-untyped-def]
    return unwanted not in await check()


async def test_bad_event_goes_to_the_dead_letter_topic(
    infra: Infra, content: RunningService
) -> None:
    """A payload that does not match the catalogue is dead-lettered at once, not retried."""
    from aiokafka import AIOKafkaProducer

    from resonance.common.events.envelope import Envelope

    bad = Envelope(
        source="/tests",
        type="ambassador.enrolled",
        dataschema="urn:resonance:event:ambassador.enrolled:v1",
        subject="amb-x",
        tenant="acme",
        data={"ambassador_id": "amb-x", "profile": {"worker_type": "astronaut"}},
    )
    producer = AIOKafkaProducer(**infra.kafka_options())
    await producer.start()
    try:
        prefix = content.settings.topic_prefix
        await producer.send_and_wait(prefix + "ambassador", key=b"amb-x", value=bad.to_bytes())
    finally:
        await producer.stop()
    events = await read_events(
        infra, prefix, "ambassador.dlq", lambda es: any(e.id == bad.id for e in es)
    )
    assert any(e.id == bad.id for e in events)


async def test_idempotency_key_on_item_creation(infra: Infra, content: RunningService) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    writer = {
        **infra.auth(tenant=t, roles=["communicator"], subject="chloe"),
        "Idempotency-Key": "create-1",
    }
    body = item("Once only")
    first = await content.client.post("/v1/items", json=body, headers=writer)
    again = await content.client.post("/v1/items", json=body, headers=writer)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    listed = await content.client.get("/v1/items", headers=writer)
    assert len(listed.json()["items"]) == 1


async def test_feed_drops_an_item_when_its_window_ends(
    infra: Infra, content: RunningService
) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    writer = infra.auth(tenant=t, roles=["communicator"])
    reader = infra.auth(tenant=t, roles=["ambassador"], subject="amb-1")
    ends = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    r = await content.client.post(
        "/v1/items", json=item("Short-lived", expires_at=ends), headers=writer
    )
    short = r.json()["id"]

    async def ids() -> list[str]:
        r = await content.client.get("/v1/feed", headers=reader)
        return [i["id"] for i in r.json()["items"]]

    assert await ids() == [short]
    assert await eventually(lambda: _without(ids, short), timeout=10)
    assert await eventually(lambda: _eq_status(content, writer, short, "expired"), timeout=10)


async def _eq_status(
    content: RunningService, headers: dict[str, str], iid: str, wanted: str
) -> bool:
    r = await content.client.get(f"/v1/items/{iid}", headers=headers)
    return bool(r.json()["status"] == wanted)


async def test_feed_survives_its_database_connections_being_killed(
    infra: Infra, content: RunningService
) -> None:
    """The feed's own pool has no ping on checkout: a dead connection is replaced, not a 500."""
    from resonance.content.store.reader import APPLICATION_NAME

    t = f"t-{uuid.uuid4().hex[:8]}"
    me = infra.auth(tenant=t, roles=["ambassador"], subject="amb-x")
    assert (await content.client.get("/v1/feed", headers=me)).status_code == 200
    async with content.runtime.db.session() as s:
        killed = (
            await s.execute(
                text(
                    "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                    "where application_name = :name and datname = current_database()"
                ),
                {"name": APPLICATION_NAME},
            )
        ).scalar_one()
    assert killed >= 1
    for _ in range(3):
        r = await content.client.get("/v1/feed", headers=me)
        assert r.status_code == 200, r.text
