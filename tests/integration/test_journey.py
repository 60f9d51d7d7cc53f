"""One person's journey across the services, talking only through Kafka: HR provisions a
joiner by SCIM, they are invited (never enrolled), opt in, get content targeted at them in
their feed, connect LinkedIn at the social sandbox and share it through the sharing API; the
posting worker posts it and the platform reacts (feed, stage, metrics)."""

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from asgi_lifespan import LifespanManager

from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.sharing.worker import create_worker_app

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
TENANT = "journey"
# Never fetched: the test reads the sandbox's redirect and calls the callback itself.


async def connect(sharing: RunningService, network: str, me: dict[str, str]) -> httpx.Response:
    """Authorize URL from the API, Allow on the sandbox's consent form (what the browser
    does; the Chromium version is services/sharing/tests/test_connect_in_browser.py), then
    the callback without a bearer token, as the network's redirect arrives."""
    started = await sharing.client.post(f"/v1/connections/{network}/authorize", headers=me)
    assert started.status_code == 200, started.text
    url = started.json()["authorization_url"]
    async with httpx.AsyncClient() as browser:
        form = dict(parse_qsl(urlsplit(url).query))
        page = await browser.get(url)
        assert page.status_code == 200, page.text[:300]
        answer = await browser.post(
            url.split("?", 1)[0], data={**form, "username": "lea", "decision": "allow"}
        )
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["location"])
    return await sharing.client.get(f"{back.path}?{back.query}")


async def sandbox_posts(sandbox_url: str, network: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{sandbox_url}/_control/posts", params={"network": network})
    answer.raise_for_status()
    posts: list[dict[str, Any]] = answer.json()["posts"]
    return posts


async def test_joiner_to_first_share(infra: Infra, sandbox: RunningSandbox) -> None:
    prefix = infra.new_prefix()
    async with (
        running_service(
            infra, "ambassadors", prefix, onboarding_delay_s=0, invitation_poll_interval_s=0.1
        ) as amb,
        running_service(infra, "content", prefix) as content,
        running_service(infra, "metrics", prefix) as metrics,
        running_service(
            infra, "sharing", prefix, **sharing_settings(sandbox.url, scheduler_interval_s=0.05)
        ) as sharing,
        LifespanManager(create_worker_app(sharing.settings), startup_timeout=60),
    ):
        pm = infra.auth(tenant=TENANT, roles=["program_manager"])
        hr = infra.auth(tenant=TENANT, roles=["integration"])
        comms = infra.auth(tenant=TENANT, roles=["communicator"])
        programme = await amb.client.post(
            "/v1/programmes",
            json={"display_name": "Digital Leaders", "kind": "sharing_platform"},
            headers=pm,
        )
        assert programme.status_code == 201, programme.text

        # HR provisions a joiner; their sign-in identity is an opaque subject.
        created = await amb.client.post(
            "/scim/v2/Users",
            json={
                "schemas": [CORE],
                "userName": "lea.martin@journey.example",
                "addresses": [{"type": "work", "country": "FR"}],
            },
            headers={**hr, "Content-Type": "application/scim+json"},
        )
        assert created.status_code == 201, created.text
        person = created.json()["id"]
        linked = await amb.client.put(
            f"/v1/ambassadors/{person}/login-subject",
            json={"subject": "idp|7f3a"},
            headers=infra.auth(tenant=TENANT, roles=["admin"]),
        )
        assert linked.status_code == 200, linked.text
        lea = infra.auth(tenant=TENANT, roles=["ambassador"], subject="idp|7f3a")

        async def invitations() -> list:
            r = await amb.client.get("/v1/ambassadors/me/invitations", headers=lea)
            return [i for i in r.json()["items"] if i["status"] == "sent"]

        invitation = (await eventually(invitations))[0]
        enrolments = await amb.client.get("/v1/ambassadors/me/enrolments", headers=lea)
        assert enrolments.json() == {"items": [], "next_cursor": None}  # invited only

        # Content for France and for Germany; Lea (France) must see only the first.
        for title, country in (("Bonjour Lyon", "FR"), ("Hallo Berlin", "DE")):
            r = await content.client.post(
                "/v1/items",
                json={
                    "family": "company",
                    "format": "text",
                    "title": title,
                    "targeting": {"countries": [country]},
                },
                headers=comms,
            )
            assert r.status_code == 201, r.text
        items = {
            i["title"]: i["id"]
            for i in (await content.client.get("/v1/items", headers=comms)).json()["items"]
        }

        accepted = await amb.client.post(
            f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
            json={"charter_version": "1", "networks": ["linkedin"]},
            headers=lea,
        )
        assert accepted.status_code == 201, accepted.text

        async def feed_titles() -> list[str]:
            r = await content.client.get("/v1/feed", headers=lea)
            assert r.status_code == 200, r.text
            return [i["title"] for i in r.json()["items"]]

        async def targeted() -> bool:
            return await feed_titles() == ["Bonjour Lyon"]

        await eventually(targeted)

        # Lea connects LinkedIn at the sandbox (her browser's part done over HTTP) and shares
        # the item through the sharing API; the posting worker posts it and share.made reaches
        # content (her feed drops it), ambassadors (her stage moves) and metrics.
        connected = await connect(sharing, "linkedin", lea)
        assert connected.status_code == 200, connected.text
        shared = await sharing.client.post(
            "/v1/shares",
            json={"content_id": items["Bonjour Lyon"], "networks": ["linkedin"]},
            headers={**lea, "Idempotency-Key": "journey-share-1"},
        )
        assert shared.status_code == 201, shared.text
        [share] = shared.json()["shares"]

        async def posted() -> bool:
            r = await sharing.client.get(f"/v1/shares/{share['id']}", headers=lea)
            return bool(r.json()["status"] == "posted")

        await eventually(posted)
        # The sandbox's ground truth: LinkedIn received this text exactly once.
        at_network = await sandbox_posts(sandbox.url, "linkedin")
        assert [p["text"] for p in at_network].count(share["text"]) == 1

        async def shared_hidden() -> bool:
            return await feed_titles() == []

        await eventually(shared_hidden)

        async def stage() -> str:
            r = await amb.client.get("/v1/ambassadors/me", headers=lea)
            return str(r.json()["stage"])

        async def is_sharer() -> bool:
            return await stage() == "sharer"

        await eventually(is_sharer)

        async def published() -> int:
            r = await metrics.client.get("/v1/kpis/published", headers=pm)
            return int(r.json()["published_items"])

        async def both_counted() -> bool:
            return await published() == 2

        await eventually(both_counted)

        async def share_counted() -> bool:
            r = await metrics.client.get("/v1/kpis/networks", headers=pm)
            assert r.status_code == 200, r.text
            counts = {n["network"]: n["activity"]["shares"] for n in r.json()["networks"]}
            return counts.get("linkedin") == 1

        await eventually(share_counted)
