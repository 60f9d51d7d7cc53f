"""Tracked links and conversions against real PostgreSQL and Kafka: the redirect adds UTM
parameters and keeps the item's own, only a person's GET counts, once per visitor and window;
a conversion reported by an integration becomes conversion.recorded."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import count_of, of_type, read_events

from .share_kit import enrol, new_id, publish, share_row

TENANT = "links"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
LINKEDIN_BOT = (
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
)
MASTODON = "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.example/)"


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "sharing", link_base_url="https://rsn.test/l", click_flush_interval_s=0.05
    ) as svc:
        yield svc


async def _shared(infra: Infra, svc: RunningService, url: str) -> dict:
    _, me = await enrol(infra, svc, TENANT, networks=["xing"])
    item = await publish(infra, svc, TENANT, url=url)
    answer = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["xing"]}, headers=me
    )
    assert answer.status_code == 201, answer.text
    share: dict = answer.json()["shares"][0]
    return share


async def test_redirect_adds_utm_and_keeps_the_address(infra: Infra, svc: RunningService) -> None:
    share = await _shared(infra, svc, "https://jobs.example/offer/42?ref=feed&lang=fr#apply")
    code = share["tracked_link"].rsplit("/", 1)[1]

    for method in ("GET", "HEAD"):
        answer = await svc.client.request(method, f"/l/{code}", headers={"User-Agent": CHROME})
        assert answer.status_code == 302
        # Own parameters first, in their order; ours after; the fragment stays last.
        assert answer.headers["location"] == (
            "https://jobs.example/offer/42?ref=feed&lang=fr&utm_source=xing"
            f"&utm_medium=employee_advocacy&utm_content={share['id']}#apply"
        )
        assert answer.headers["cache-control"] == "no-store"

    unknown = await svc.client.get("/l/AAAAAAAAAAAA")
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("/link-not-found")
    assert (await svc.client.get("/l/not-a-code")).status_code == 404


async def test_only_people_count_once_per_window(infra: Infra, svc: RunningService) -> None:
    share = await _shared(infra, svc, "https://example.com/story")
    code = share["tracked_link"].rsplit("/", 1)[1]
    assert (await share_row(svc, share["id"])).self_reported is True

    # Not counted: a HEAD, a bot, an unfurler (Mastodon's fetch), no user agent, a prefetch.
    await svc.client.head(f"/l/{code}", headers={"User-Agent": CHROME})
    await svc.client.get(f"/l/{code}", headers={"User-Agent": LINKEDIN_BOT})
    await svc.client.get(f"/l/{code}", headers={"User-Agent": MASTODON})
    await svc.client.get(f"/l/{code}", headers={"User-Agent": ""})
    await svc.client.get(f"/l/{code}", headers={"User-Agent": CHROME, "Sec-Purpose": "prefetch"})
    # Counted: the same person twice (once), another browser from the same address (a
    # second visitor: visitors are address + user agent).
    for agent in (CHROME, CHROME, FIREFOX):
        assert (
            await svc.client.get(f"/l/{code}", headers={"User-Agent": agent})
        ).status_code == 302

    def clicks_of_this_share(events: list) -> list:
        return [e for e in events if e.type == "link.clicked" and e.data["share_id"] == share["id"]]

    events = await read_events(
        infra,
        svc.settings.topic_prefix,
        "link",
        lambda seen: len(clicks_of_this_share(seen)) >= 2,
    )
    await asyncio.sleep(1.0)  # anything else queued would be written by now
    events = await read_events(
        infra, svc.settings.topic_prefix, "link", count_of("link.clicked", 1)
    )
    clicks = clicks_of_this_share(events)
    assert len(clicks) == 2
    assert len({c.data["visitor"] for c in clicks}) == 2
    first = clicks[0].data
    assert (first["link_id"], first["network"], first["utm_source"]) == (code, "xing", "xing")
    assert first["utm_medium"] == "employee_advocacy"
    assert "127.0.0.1" not in str(first)  # no address anywhere in the event

    # The first click confirmed the self-reported share.
    async def confirmed() -> bool:
        return not (await share_row(svc, share["id"])).self_reported

    await eventually(confirmed)


async def test_conversion_is_recorded(infra: Infra, svc: RunningService) -> None:
    share = await _shared(infra, svc, "https://careers.example/job/7")
    integration = infra.auth(tenant=TENANT, roles=["integration"], subject="ats")
    body = {"share_id": share["id"], "kind": "application", "external_ref": "ats-1"}

    answer = await svc.client.post("/v1/conversions", json=body, headers=integration)
    assert answer.status_code == 201, answer.text
    conversion = answer.json()
    again = await svc.client.post("/v1/conversions", json=body, headers=integration)
    assert again.json()["id"] == conversion["id"]
    events = await read_events(
        infra,
        svc.settings.topic_prefix,
        "conversion",
        of_type("conversion.recorded", share_id=share["id"], kind="application"),
    )
    recorded = [e for e in events if e.data["share_id"] == share["id"]]
    assert len(recorded) == 1
    assert recorded[0].data["network"] == "xing"
    assert recorded[0].data["conversion_id"] == conversion["id"]

    unknown = await svc.client.post(
        "/v1/conversions", json={"share_id": new_id(), "kind": "lead"}, headers=integration
    )
    assert unknown.status_code == 404
    other_tenant = infra.auth(tenant="other", roles=["integration"])
    assert (
        await svc.client.post("/v1/conversions", json=body, headers=other_tenant)
    ).status_code == 404
    ambassador = infra.auth(tenant=TENANT, roles=["ambassador"])
    assert (
        await svc.client.post("/v1/conversions", json=body, headers=ambassador)
    ).status_code == 403


async def test_clicks_from_the_organisations_ranges_are_internal(
    infra: Infra, svc: RunningService
) -> None:
    tenant = "links-internal"
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    refused = await svc.client.put(
        "/v1/sharing-policy", json={"internal_networks": ["10.0.0.0/33"]}, headers=manager
    )
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/invalid-address-range")
    # Host bits are cleared ("10.20.30.40/16" is 10.20.0.0/16); duplicates go.
    ranges = ["10.20.30.40/16", "10.20.0.0/16", "2001:db8:42::/48"]
    saved = await svc.client.put(
        "/v1/sharing-policy", json={"internal_networks": ranges}, headers=manager
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["internal_networks"] == ["10.20.0.0/16", "2001:db8:42::/48"]

    _, me = await enrol(infra, svc, tenant, networks=["xing"])
    item = await publish(infra, svc, tenant, url="https://example.com/inside")
    answer = await svc.client.post(
        "/v1/shares", json={"content_id": item, "networks": ["xing"]}, headers=me
    )
    share = answer.json()["shares"][0]
    code = share["tracked_link"].rsplit("/", 1)[1]

    # From the office (inside 10.20.0.0/16), from the VPN's IPv6 range, from home (outside).
    visitors = {"10.20.7.9": True, "2001:db8:42:1::5": True, "203.0.113.7": False}
    for address in visitors:
        transport = httpx.ASGITransport(app=svc.app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://sharing.test") as c:
            followed = await c.get(f"/l/{code}", headers={"User-Agent": CHROME})
        assert followed.status_code == 302

    def clicks(events: list) -> list:
        return [e for e in events if e.type == "link.clicked" and e.data["share_id"] == share["id"]]

    events = await read_events(
        infra, svc.settings.topic_prefix, "link", lambda seen: len(clicks(seen)) >= 3
    )
    internal = sorted(e.data["internal"] for e in clicks(events))
    assert internal == [False, True, True]  # two from inside, one from outside
    assert all(a not in str(e.data) for e in clicks(events) for a in visitors)
