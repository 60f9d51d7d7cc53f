"""Demo data for `make run`, written through the services' public APIs only (the way a
frontend or an HR connector would), so the seed also proves the stack works end to end."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from resonance.devstack.demo_banner import metrics_lines, sharing_lines, where_to_look
from resonance.devstack.demo_env import HTTP_LIMITS, DemoEnv, expect
from resonance.devstack.demo_identities import DEMO_USERS
from resonance.devstack.demo_metrics import seed_metrics
from resonance.devstack.demo_sharing import seed_sharing

if TYPE_CHECKING:
    from resonance.devstack.stack import DevStack

log = logging.getLogger(__name__)
T = TypeVar("T")

COMPANY_ITEMS: list[dict[str, Any]] = [
    {
        "family": "company",
        "category": "job_offer",
        "format": "link",
        "title": "We are hiring 40 engineers in Lyon",
        "url": "https://careers.example.com/lyon",
        "language": "en",
        "pinned": True,
        "captions": [
            {
                "network": "linkedin",
                "language": "en",
                "text": "Join my team in Lyon! We are hiring engineers.",
            },
            {
                "network": "x",
                "language": "en",
                "text": "Lyon, we are hiring: 40 engineering roles.",
            },
        ],
    },
    {
        "family": "company",
        "category": "award",
        "format": "text",
        "title": "Acme named Top Employer 2027",
        "body": "For the third year running, Acme is certified Top Employer.",
        "language": "en",
        "must_read": True,
    },
]


async def seed_content(env: DemoEnv, feed_url: str | None) -> str:
    content = env.api("content")
    paul = await env.login("paul")
    chloe = await env.login("chloe")
    existing = await content.get("/v1/sources", headers=paul)
    # A page of sources ({"items": [...], "next_cursor": ...}): any means an earlier run.
    if existing.status_code == 200 and existing.json().get("items"):
        return "content already seeded"
    settings = {
        "blocked_terms": ["guaranteed returns"],
        "disclosure_text": "#employee",
        "mix_target_company": 0.2,
        # The sample news site runs on loopback.
        "allow_private_links": True,
    }
    expect(await content.put("/v1/settings", json=settings, headers=paul), 200)
    for item in COMPANY_ITEMS:
        expect(await content.post("/v1/items", json=item, headers=chloe), 201)
    if feed_url is None:
        return f"content: {len(COMPANY_ITEMS)} company items"
    source = expect(
        await content.post(
            "/v1/sources",
            json={
                "name": "Sample industry news",
                "url": feed_url,
                "family": "market",
                "category": "industry_news",
                "language": "en",
                "auto_approve": True,
                "poll_interval_s": 600,
            },
            headers=paul,
        ),
        201,
    )
    result = expect(await content.post(f"/v1/sources/{source['id']}/poll", headers=paul), 200)
    return (
        f"content: {len(COMPANY_ITEMS)} company items, a feed source "
        f"({result['created']} entries imported, {result['duplicates']} duplicates skipped)"
    )


async def seed_ambassadors(env: DemoEnv) -> str:
    if importlib.util.find_spec("resonance.ambassadors.devtools.seed") is None:
        return "ambassadors: no seed module"
    from resonance.ambassadors.devtools import seed

    integration = (await env.machine("hr-connector"))["Authorization"].removeprefix("Bearer ")
    admin = (await env.login("alice"))["Authorization"].removeprefix("Bearer ")
    client = env.api("ambassadors")
    # Adam, the demo ambassador, signs in with this subject: linking it lets his own calls
    # (invitations, feed) find him in every service.
    outcome = await seed.seed_demo(
        str(client.base_url),
        integration,
        admin,
        ambassador_subject=str(DEMO_USERS["adam"]["sub"]),
        client=client,
    )
    return (
        f"ambassadors: {len(outcome.get('programmes', {}))} programmes, "
        f"{len(outcome.get('employees', []))} employees provisioned by SCIM, a VIP cohort, "
        "and a joiner arriving through SCIM (invited, not enrolled)"
    )


async def seed_demo(env: DemoEnv, feed_url: str | None) -> list[str]:
    """Every demo step whose services run; a failing step is a warning, the next still runs
    (what it needs may be there from an earlier run)."""
    lines: list[str] = []

    async def step(name: str, make: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await make()
        except Exception as exc:  # demo data is a convenience: the platform stays up
            log.warning("demo %s not seeded: %s", name, exc)
            lines.append(f"{name}: not seeded ({type(exc).__name__}; see the warning above)")
            return None

    basics: list[tuple[str, Callable[[], Awaitable[str]]]] = []
    if env.has("ambassadors"):
        basics.append(("ambassadors", lambda: seed_ambassadors(env)))
    if env.has("content"):
        basics.append(("content", lambda: seed_content(env, feed_url)))
    for name, make in basics:
        line = await step(name, make)
        if line is not None:
            lines.append(line)
    if not env.has("ambassadors", "content", "sharing"):
        return lines
    sharing = await step("sharing", lambda: seed_sharing(env))
    if sharing is None:
        return lines
    lines += sharing_lines(sharing)
    if env.has("metrics"):
        metrics = await step("metrics", lambda: seed_metrics(env, sharing))
        if metrics is not None:
            lines += metrics_lines(metrics, sharing)
    return lines


async def seed_all(stack: DevStack) -> list[str]:
    endpoints = stack.endpoints()

    def url(name: str) -> str:
        return f"http://127.0.0.1:{endpoints[f'port_{name}']}"

    services = ("content", "ambassadors", "sharing", "metrics")
    running = [s for s in services if s in stack.running]
    if "sharing" in running and not {"sharing-worker", "sandbox"} <= set(stack.running):
        running.remove("sharing")  # nothing would be posted
    feed = f"{url('sample-news')}/feed.atom" if "sample-news" in stack.running else None
    begin = time.monotonic()
    async with contextlib.AsyncExitStack() as clients:
        apis = {
            s: await clients.enter_async_context(
                httpx.AsyncClient(base_url=url(s), timeout=30, limits=HTTP_LIMITS)
            )
            for s in running
        }
        web = await clients.enter_async_context(httpx.AsyncClient(timeout=30, limits=HTTP_LIMITS))
        env = DemoEnv(web, apis, endpoints["oidc_issuer"], url("sandbox"))
        lines = await seed_demo(env, feed)
    lines.append(f"seeded in {time.monotonic() - begin:.1f} s")
    if "sharing" in running:
        lines += where_to_look(endpoints["oidc_issuer"], url)
    return lines


def seed_hook(stack: DevStack) -> None:
    try:
        for line in asyncio.run(seed_all(stack)):
            print(f"  demo data  {line}", flush=True)
    except Exception as exc:
        # Demo data is a convenience: the platform stays up without it.
        log.warning("demo seeding failed: %s", exc)
