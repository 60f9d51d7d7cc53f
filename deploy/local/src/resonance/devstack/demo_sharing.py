"""Demo activity through the real APIs: demo ambassadors join, connect LinkedIn, X and
Mastodon at the social sandbox, share items (now, and one a few minutes ahead), a visitor and
a link-preview bot open a tracked link, and the careers site reports an application.

Every step waits a bounded time for what Kafka carries to the other services and raises
DemoStepFailed when something is off; `make run` logs it as a warning and stays up.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from resonance.devstack.demo_connect import (
    PEOPLE,
    DemoPerson,
    connect,
    enrol,
    link_logins,
    prepare_sandbox_accounts,
    sharing_knows,
)
from resonance.devstack.demo_env import DemoEnv, DemoStepFailed, expect, until

log = logging.getLogger(__name__)

# A person clicking a post's link in their browser, and LinkedIn's preview bot fetching it.
VISITOR_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
BOT_AGENT = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
SCHEDULED_AHEAD = timedelta(minutes=3)


@dataclass(frozen=True)
class PlannedShare:
    username: str
    item: str  # "job": the company job offer; "market1", "market2": items from the feed
    networks: tuple[str, ...]
    scheduled: bool = False  # posted SCHEDULED_AHEAD from now instead of at once


# Adam shares most, Léa least: boards and concentration have something to show.
PLAN: tuple[PlannedShare, ...] = (
    PlannedShare("adam", "job", ("linkedin", "x", "mastodon")),
    PlannedShare("adam", "market1", ("linkedin",)),
    PlannedShare("adam", "market2", ("mastodon",), scheduled=True),
    PlannedShare("hugo", "job", ("linkedin", "x")),
    PlannedShare("hugo", "market1", ("mastodon",)),
    PlannedShare("jonas", "market1", ("linkedin", "x")),
    PlannedShare("sofia", "job", ("mastodon",)),
    PlannedShare("lea", "market2", ("linkedin",)),
)


@dataclass
class SharingDemo:
    """What was done, for the banner, the metrics step and the test."""

    ambassador_ids: dict[str, str] = field(default_factory=dict)  # username -> ambassador id
    connections: dict[str, list[str]] = field(default_factory=dict)  # username -> networks
    shares: list[dict[str, Any]] = field(default_factory=list)  # as the API answered (+ username)
    clicked_share: dict[str, Any] | None = None  # opened by one visitor (twice) and a bot
    conversion: dict[str, Any] | None = None
    already: bool = False  # an earlier run shared already: nothing new was shared

    def posted(self) -> list[dict[str, Any]]:
        return [s for s in self.shares if s["status"] == "posted"]

    def scheduled(self) -> list[dict[str, Any]]:
        return [s for s in self.shares if s["status"] == "scheduled"]


async def seed_sharing(env: DemoEnv, timeout: float = 25.0) -> SharingDemo:  # noqa: ASYNC109
    demo = SharingDemo()
    demo.ambassador_ids = await link_logins(env)
    await asyncio.gather(*(enrol(env, p, timeout) for p in PEOPLE))
    ready = await asyncio.gather(*(sharing_knows(env, p.username, timeout) for p in PEOPLE))
    if not all(ready):
        late = [p.username for p, ok in zip(PEOPLE, ready, strict=True) if not ok]
        raise DemoStepFailed(f"the sharing service never saw these enrolments: {late}")
    await prepare_sandbox_accounts(env)
    # Every run connects again: the sandbox forgets its tokens when it stops.
    async with httpx.AsyncClient(timeout=10) as browser:
        for person in PEOPLE:
            browser.cookies.clear()  # each person signs in at the networks themselves
            demo.connections[person.username] = await _connect_all(env, browser, person)
    adam = await env.login("adam")
    mine = expect(await env.api("sharing").get("/v1/shares", headers=adam), 200)
    if mine["items"]:
        demo.already = True
        return demo
    items = await _items(env)
    for planned in PLAN:
        demo.shares += await _share(env, planned, items, timeout)
    await _wait_posted(env, demo, timeout)
    demo.clicked_share = await _open_link(env, demo)
    demo.conversion = await _convert(env, demo)
    return demo


async def _connect_all(env: DemoEnv, browser: httpx.AsyncClient, person: DemoPerson) -> list[str]:
    connected = []
    for network in person.connect:
        row = await connect(env, browser, person, network)
        if row.get("status") == "connected":
            connected.append(network)
    return connected


async def _items(env: DemoEnv) -> dict[str, str]:
    """The items the plan shares: the company's job offer and two market items."""
    chloe = await env.login("chloe")
    page = expect(
        await env.api("content").get(
            "/v1/items", params={"status": "published", "limit": 200}, headers=chloe
        ),
        200,
    )
    linked = sorted((i for i in page["items"] if i.get("url")), key=lambda i: (i["title"], i["id"]))
    chosen: dict[str, str] = {}
    company = [i for i in linked if i["family"] == "company"]
    if company:
        chosen["job"] = company[0]["id"]
    market = [i for i in linked if i["family"] == "market"]
    for n, item in enumerate(market[:2], start=1):
        chosen[f"market{n}"] = item["id"]
    return chosen


async def _share(
    env: DemoEnv,
    planned: PlannedShare,
    items: dict[str, str],
    timeout: float,  # noqa: ASYNC109
) -> list[dict[str, Any]]:
    if planned.item not in items:
        log.warning("demo: no %s item to share", planned.item)
        return []
    me = await env.login(planned.username)
    body: dict[str, Any] = {"content_id": items[planned.item], "networks": list(planned.networks)}
    if planned.scheduled:
        body["at"] = (datetime.now(UTC) + SCHEDULED_AHEAD).isoformat()
    key = f"demo-{planned.username}-{planned.item}-{'-'.join(planned.networks)}"

    async def post() -> list[dict[str, Any]] | None:
        answer = await env.api("sharing").post(
            "/v1/shares", json=body, headers={**me, "Idempotency-Key": key}
        )
        # The item reaches the sharing service through Kafka: not found / not live yet.
        if answer.status_code in (404, 409) and "content-" in answer.text:
            return None
        shares: list[dict[str, Any]] = expect(answer, 201)["shares"]
        return shares

    made = await until(post, timeout, interval=0.3)
    if made is None:
        raise DemoStepFailed(f"the sharing service never saw item {planned.item}")
    return [{**s, "username": planned.username} for s in made]


async def _wait_posted(env: DemoEnv, demo: SharingDemo, timeout: float) -> None:  # noqa: ASYNC109
    """The posting worker posts the shares due now: waits for each to settle."""
    sharing = env.api("sharing")

    async def settled() -> bool:
        for n, share in enumerate(demo.shares):
            if share["status"] in ("posted", "failed", "cancelled"):
                continue
            if share.get("scheduled_for") and _later(share["scheduled_for"]):
                continue
            me = await env.login(share["username"])
            latest = expect(await sharing.get(f"/v1/shares/{share['id']}", headers=me), 200)
            demo.shares[n] = {**latest, "username": share["username"]}
            if latest["status"] not in ("posted", "failed"):
                return False
        return True

    if not await until(settled, timeout, interval=0.3):
        waiting = [s["id"] for s in demo.shares if s["status"] in ("scheduled", "posting")]
        log.warning("demo: shares still being posted: %s", waiting)


def _later(moment: str) -> bool:
    return datetime.fromisoformat(moment) > datetime.now(UTC) + timedelta(seconds=30)


async def _open_link(env: DemoEnv, demo: SharingDemo) -> dict[str, Any] | None:
    """A visitor opens Adam's LinkedIn post's link twice (one click: same visitor, same
    window) and LinkedIn's preview bot fetches it (no click)."""
    share = next(
        (s for s in demo.posted() if s["username"] == "adam" and s["network"] == "linkedin"),
        None,
    )
    if share is None or not share.get("tracked_link"):
        return None
    path = urlsplit(share["tracked_link"]).path
    sharing = env.api("sharing")
    for agent in (VISITOR_AGENT, VISITOR_AGENT, BOT_AGENT):
        expect(await sharing.get(path, headers={"User-Agent": agent}), 302)
    return share


async def _convert(env: DemoEnv, demo: SharingDemo) -> dict[str, Any] | None:
    """The careers site reports an application that came through that link."""
    share = demo.clicked_share
    if share is None:
        return None
    careers = await env.machine("careers-site")
    conversion: dict[str, Any] = expect(
        await env.api("sharing").post(
            "/v1/conversions",
            json={
                "share_id": share["id"],
                "kind": "application",
                "external_ref": f"demo-application-{share['id']}",
            },
            headers={**careers, "Idempotency-Key": f"demo-conversion-{share['id']}"},
        ),
        201,
    )
    return conversion
