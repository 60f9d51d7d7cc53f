"""Shares through the API against real PostgreSQL and Kafka: what is refused and why, share
intents, scheduling, cancelling, listing, another tenant's ids, reach estimates."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from resonance.common.events.catalogue import Caption, ContentRetired, Targeting
from resonance.devstack.testing import Infra, RunningService, running_service
from resonance.devstack.testkit import applied, of_type, read_events
from resonance.sharing.service import reach
from resonance.sharing.service.networks import networks_of

from .share_kit import connect, emit_at, enrol, new_id, publish, share_row

TENANT = "shares"
LINKS = "https://rsn.test/l"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(infra, "sharing", link_base_url=LINKS) as svc:
        yield svc


async def test_share_now_is_handed_to_the_workers(infra: Infra, svc: RunningService) -> None:
    ambassador_id, me = await enrol(infra, svc, TENANT, networks=["linkedin"])
    await connect(svc, TENANT, ambassador_id, "linkedin")
    item = await publish(infra, svc, TENANT)

    answer = await svc.client.post(
        "/v1/shares",
        json={"content_id": item, "networks": ["linkedin"]},
        headers={**me, "Idempotency-Key": "first"},
    )
    assert answer.status_code == 201, answer.text
    [share] = answer.json()["shares"]
    assert share["status"] == "scheduled" and share["automatic"] is False
    # Caption "Have a look!", then the disclosure, then the tracked link on its own line.
    code = share["tracked_link"].rsplit("/", 1)[1]
    assert share["tracked_link"] == f"{LINKS}/{code}" and len(code) == 12
    assert share["text"] == f"Have a look! #employee\n{LINKS}/{code}"
    again = await svc.client.post(
        "/v1/shares",
        json={"content_id": item, "networks": ["linkedin"]},
        headers={**me, "Idempotency-Key": "first"},
    )
    assert again.json()["shares"][0]["id"] == share["id"]
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "share.request",
        of_type("share.requested", share_id=share["id"], network="linkedin"),
    )
    assert (await share_row(svc, share["id"])).requested_at is not None


async def test_refusals(infra: Infra, svc: RunningService) -> None:
    ambassador_id, me = await enrol(infra, svc, TENANT, networks=["linkedin", "x"])
    await connect(svc, TENANT, ambassador_id, "x")
    item = await publish(infra, svc, TENANT)
    german_only = await publish(infra, svc, TENANT, targeting=Targeting(countries=["DE"]))

    async def refused(body: dict, headers: dict[str, str]) -> tuple[int, dict]:
        answer = await svc.client.post("/v1/shares", json=body, headers=headers)
        assert answer.headers["content-type"] == "application/problem+json"
        return answer.status_code, answer.json()

    stranger = infra.auth(tenant=TENANT, roles=["ambassador"], subject="nobody-knows-me")
    status, problem = await refused({"content_id": item, "networks": ["x"]}, stranger)
    assert (status, problem["type"].rsplit("/", 1)[1]) == (403, "not-enrolled")

    status, problem = await refused({"content_id": german_only, "networks": ["x"]}, me)
    assert (status, problem["type"].rsplit("/", 1)[1]) == (403, "content-not-targeted")

    status, problem = await refused({"content_id": item, "networks": ["mastodon"]}, me)
    assert (status, problem["type"].rsplit("/", 1)[1]) == (403, "network-not-consented")

    status, problem = await refused({"content_id": item, "networks": ["linkedin"]}, me)
    assert (status, problem["type"].rsplit("/", 1)[1]) == (409, "connection-required")

    status, problem = await refused({"content_id": new_id(), "networks": ["x"]}, me)
    assert (status, problem["type"].rsplit("/", 1)[1]) == (404, "content-not-found")

    withdrawn = await publish(infra, svc, TENANT)
    retire = await emit_at(
        infra, svc.settings.topic_prefix, TENANT, ContentRetired(content_id=withdrawn)
    )
    await applied(svc, retire)
    status, problem = await refused({"content_id": withdrawn, "networks": ["x"]}, me)
    assert (status, problem["type"].rsplit("/", 1)[1]) == (409, "content-not-live")

    # 300 letters, " #employee" (10) and "\n" + the link, which X counts as 23: 334 > 280.
    body = {"content_id": item, "networks": ["x"], "captions": {"x": "a" * 300}}
    status, problem = await refused(body, me)
    assert (status, problem["type"].rsplit("/", 1)[1]) == (422, "caption-too-long")
    assert (problem["length"], problem["limit"], problem["over"]) == (334, 280, 54)

    status, problem = await refused(
        {"content_id": item, "networks": ["x"], "at": "2020-01-01T00:00:00Z"}, me
    )
    assert (status, problem["type"].rsplit("/", 1)[1]) == (422, "time-in-past")


async def test_blocked_terms_and_daily_cap(infra: Infra, svc: RunningService) -> None:
    tenant = "capped"
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    policy = await svc.client.put(
        "/v1/sharing-policy",
        json={"blocked_terms": ["Confidential"], "daily_caps": {"mastodon": 1}},
        headers=manager,
    )
    assert policy.status_code == 200, policy.text
    ambassador_id, me = await enrol(infra, svc, tenant, networks=["mastodon"])
    await connect(svc, tenant, ambassador_id, "mastodon")
    item = await publish(infra, svc, tenant)

    blocked = await svc.client.post(
        "/v1/shares",
        json={
            "content_id": item,
            "networks": ["mastodon"],
            "captions": {"mastodon": "So CONFIDENTIAL!"},
        },
        headers=me,
    )
    assert blocked.status_code == 422
    assert blocked.json()["terms"] == ["Confidential"]

    first = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["mastodon"]}, headers=me
    )
    assert first.status_code == 201
    second = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["mastodon"]}, headers=me
    )
    assert second.status_code == 429
    problem = second.json()
    assert problem["type"].endswith("/daily-cap-reached") and problem["limit"] == 1
    # The tenant's cap counts the ambassador's local day (Paris): the next slot opens at the
    # next Paris midnight.
    paris = ZoneInfo("Europe/Paris")
    tomorrow = datetime.now(paris).date() + timedelta(days=1)
    expected = datetime.combine(tomorrow, time(0), paris).astimezone(UTC)
    assert datetime.fromisoformat(problem["retry_at"]) == expected
    assert 0 < int(second.headers["Retry-After"]) <= 25 * 3600


async def test_share_intent_then_estimated_reach(infra: Infra, svc: RunningService) -> None:
    ambassador_id, me = await enrol(infra, svc, TENANT, networks=["facebook"])
    item = await publish(infra, svc, TENANT)

    answer = await svc.client.post(
        "/v1/shares",
        json={"content_id": item, "networks": ["facebook"], "audience_sizes": {"facebook": 1000}},
        headers=me,
    )
    assert answer.status_code == 201, answer.text
    [share] = answer.json()["shares"]
    assert share["status"] == "posted" and share["self_reported"] is True
    # Facebook's sharer takes only the link; the text is the person's to paste.
    intent = share["intent"]
    assert parse_qs(urlsplit(intent["url"]).query) == {"u": [share["tracked_link"]]}
    assert intent["text_to_copy"] == share["text"]
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "share",
        of_type(
            "share.made", share_id=share["id"], self_reported=True, ambassador_id=ambassador_id
        ),
    )

    # An hour later the first reading is due: Facebook gives us nothing, so the estimate is
    # audience x the default reach rate, 1000 x 3.5 % = 35, labelled as not measured.
    runtime = svc.runtime
    real_clock = runtime.clock
    runtime.clock = lambda: real_clock() + timedelta(hours=1, minutes=1)
    try:
        await reach.poll_due(runtime, networks_of(runtime))
    finally:
        runtime.clock = real_clock
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "share",
        of_type("reach.measured", share_id=share["id"], impressions=35, measured=False),
    )
    read = (await svc.client.get(f"/v1/shares/{share['id']}", headers=me)).json()
    assert read["reach"]["impressions"] == 35 and read["reach"]["measured"] is False


async def test_intent_networks_are_shared_now_only(infra: Infra, svc: RunningService) -> None:
    _, me = await enrol(infra, svc, TENANT, networks=["whatsapp"])
    item = await publish(infra, svc, TENANT)
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    answer = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["whatsapp"], "at": later}, headers=me
    )
    assert answer.status_code == 422 and answer.json()["type"].endswith("/intent-now-only")


async def test_schedule_cancel_list_and_other_tenants(infra: Infra, svc: RunningService) -> None:
    ambassador_id, me = await enrol(infra, svc, TENANT, networks=["mastodon", "instagram"])
    await connect(svc, TENANT, ambassador_id, "mastodon")
    item = await publish(
        infra,
        svc,
        TENANT,
        captions=[
            Caption(network="mastodon", language="en", text="Variant one"),
            Caption(network="mastodon", language="en", text="Variant two"),
        ],
    )
    later = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    scheduled = await svc.client.post(
        "/v1/shares",
        json={"content_id": item, "networks": ["mastodon"], "at": later.isoformat()},
        headers=me,
    )
    [share] = scheduled.json()["shares"]
    assert share["status"] == "scheduled"
    assert datetime.fromisoformat(share["scheduled_for"]) == later
    assert share["text"].split(" #employee")[0] in {"Variant one", "Variant two"}
    assert (await share_row(svc, share["id"])).requested_at is None  # the scheduler's, later

    intent = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["instagram"]}, headers=me
    )
    [posted] = intent.json()["shares"]
    assert posted["intent"] == {"url": None, "text_to_copy": posted["text"]}

    cancelled = await svc.client.post(f"/v1/shares/{share['id']}/cancel", headers=me)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await svc.client.post(f"/v1/shares/{share['id']}/cancel", headers=me)).json()[
        "status"
    ] == "cancelled"
    refused = await svc.client.post(f"/v1/shares/{posted['id']}/cancel", headers=me)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/share-not-cancellable")

    first = await svc.client.get("/v1/shares", params={"limit": 1}, headers=me)
    page = first.json()
    assert [s["id"] for s in page["items"]] == [posted["id"]]  # newest first
    second = await svc.client.get(
        "/v1/shares", params={"limit": 1, "cursor": page["next_cursor"]}, headers=me
    )
    assert [s["id"] for s in second.json()["items"]] == [share["id"]]
    assert second.json()["next_cursor"] is None
    bad = await svc.client.get("/v1/shares", params={"cursor": "garbage"}, headers=me)
    assert bad.status_code == 422

    other_tenant = infra.auth(tenant="elsewhere", roles=["ambassador"], subject="x")
    for path in (f"/v1/shares/{share['id']}", f"/v1/shares/{share['id']}/cancel"):
        method = svc.client.get if path.endswith(share["id"]) else svc.client.post
        answer = await method(path, headers=other_tenant)
        assert answer.status_code == 404, path
    _, colleague = await enrol(infra, svc, TENANT, networks=["mastodon"])
    assert (await svc.client.get(f"/v1/shares/{share['id']}", headers=colleague)).status_code == 404
