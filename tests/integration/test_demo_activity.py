"""The demo activity `make run` seeds, run against the real services (in-process, as the
journey test starts them) with the social sandbox: every call goes through the public APIs,
and the outcome is read back from them and from the sandbox's ground truth."""

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from resonance.common.events.catalogue import all_topics
from resonance.content.devtools import sample_feed
from resonance.devstack.demo import seed_ambassadors, seed_content
from resonance.devstack.demo_banner import metrics_lines, sharing_lines
from resonance.devstack.demo_env import HTTP_LIMITS, DemoEnv
from resonance.devstack.demo_metrics import seed_metrics
from resonance.devstack.demo_sharing import PLAN, VISITOR_AGENT, SharingDemo, seed_sharing
from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.testing import Infra, ThreadedServer, eventually, running_service
from resonance.devstack.testkit import read_events
from resonance.sharing.worker import create_worker_app


async def sandbox_posts(web: httpx.AsyncClient, sandbox: RunningSandbox) -> list[dict[str, Any]]:
    answer = await web.get(f"{sandbox.url}/_control/posts")
    answer.raise_for_status()
    posts: list[dict[str, Any]] = answer.json()["posts"]
    return posts


def expected_points(rules: dict[str, Any], demo: SharingDemo, username: str) -> int:
    """What the point rules in force give `username` for the demo's facts: each posted
    share by network, one counted click, one application (with the default rules: four
    shares x 10 + 1 + 50 = 91 for Adam)."""
    shares = [s for s in demo.posted() if s["username"] == username]
    total = sum(rules["share_by_network"].get(s["network"], rules["share_default"]) for s in shares)
    mine = demo.clicked_share is not None and demo.clicked_share["username"] == username
    if mine:
        cap = rules["click_cap_per_share"]
        total += (1 if cap is None else min(1, cap)) * rules["click"]
    if mine and demo.conversion is not None:
        total += rules["conversion_by_kind"].get("application", rules["conversion_default"])
    return total


async def _new_prefix(infra: Infra, attempts: int = 4) -> str:
    """infra.new_prefix(), waiting longer for the ACLs: the broker applies them within its
    10 s except on a saturated machine, and granting them again is harmless."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    infra.kafka.create_topics(all_topics(prefix), partitions=3)
    for _ in range(attempts - 1):
        try:
            infra.kafka.grant_acls(prefix)
            return prefix
        except TimeoutError:
            await asyncio.sleep(2)
    infra.kafka.grant_acls(prefix)
    return prefix


# Four services, the posting worker, the sandbox and a news site in one process: slow to start
# on a busy 2-core machine.
@pytest.mark.timeout(600)
async def test_demo_activity_through_the_apis(infra: Infra, sandbox: RunningSandbox) -> None:
    prefix = await _new_prefix(infra)
    news = ThreadedServer(sample_feed.app).start()
    try:
        async with (
            # The default week of onboarding, as in `make run`: the seed's sharing programme
            # must invite at once by itself.
            running_service(infra, "ambassadors", prefix, invitation_poll_interval_s=0.5) as amb,
            running_service(infra, "content", prefix, allow_private_links=True) as content,
            running_service(infra, "metrics", prefix) as metrics,
            running_service(
                infra, "sharing", prefix, **sharing_settings(sandbox.url, scheduler_interval_s=0.05)
            ) as sharing,
            LifespanManager(create_worker_app(sharing.settings), startup_timeout=60),
            # A call of the seeding once took over 30 s under the whole suite's load on 2 cores.
            httpx.AsyncClient(timeout=90, limits=HTTP_LIMITS) as web,
        ):
            apis = {
                "ambassadors": amb.client,
                "content": content.client,
                "metrics": metrics.client,
                "sharing": sharing.client,
            }
            env = DemoEnv(web, apis, infra.issuer, sandbox.url)
            assert "programmes" in await seed_ambassadors(env)
            assert "company items" in await seed_content(env, f"{news.url}/feed.atom")
            demo = await seed_sharing(env)
            board = await seed_metrics(env, demo)
            await _check_sharing(env, sandbox, demo)
            await _check_clicks(infra, prefix, env, demo)
            await _check_metrics(env, demo, board.board)
            assert any("posts made" in line for line in sharing_lines(demo))
            assert any("board adam" in line for line in metrics_lines(board, demo))

            # Seeding again (make run on the same data) shares nothing twice.
            before = len(await sandbox_posts(web, sandbox))
            again = await seed_sharing(env)
            assert again.already and again.shares == []
            assert len(await sandbox_posts(web, sandbox)) == before
    finally:
        news.stop()


async def _check_sharing(env: DemoEnv, sandbox: RunningSandbox, demo: SharingDemo) -> None:
    # Every network of every person connected but Léa's Mastodon, left for the browser.
    assert demo.connections["lea"] == ["linkedin", "x"]
    assert all(demo.connections[u] == ["linkedin", "x", "mastodon"] for u in ("adam", "hugo"))
    lea = await env.login("lea")
    listed = (await env.api("sharing").get("/v1/connections", headers=lea)).json()["items"]
    assert sorted(c["network"] for c in listed) == ["linkedin", "x"]

    # The plan's networks, one share each; the scheduled one waits, every other is posted.
    planned = sum(len(p.networks) for p in PLAN)
    assert len(demo.shares) == planned
    assert [s["network"] for s in demo.scheduled()] == ["mastodon"]
    assert len(demo.posted()) == planned - 1

    # The sandbox's ground truth: exactly the posted shares, each once, by their author.
    posts = await sandbox_posts(env.web, sandbox)
    at_network = Counter((p["network"], p["username"], p["text"]) for p in posts)
    shared = Counter((s["network"], s["username"], s["text"]) for s in demo.posted())
    assert at_network == shared


async def _check_clicks(infra: Infra, prefix: str, env: DemoEnv, demo: SharingDemo) -> None:
    """Adam's link was opened twice by one visitor and once by LinkedInBot: one click. A
    later visitor's click on Hugo's link marks the end (clicks are recorded in order)."""
    assert demo.clicked_share is not None and demo.conversion is not None
    sentinel = next(s for s in demo.posted() if s["username"] == "hugo")
    path = "/l/" + sentinel["tracked_link"].rsplit("/l/", 1)[1]
    answer = await env.api("sharing").get(path, headers={"User-Agent": VISITOR_AGENT + " Edg/131"})
    assert answer.status_code == 302

    def sentinel_seen(events: list[Any]) -> bool:
        return any(e.data.get("share_id") == sentinel["id"] for e in events)

    events = await read_events(infra, prefix, "link", sentinel_seen)
    clicks = [e for e in events if e.type == "link.clicked"]
    assert [e.data["share_id"] for e in clicks].count(demo.clicked_share["id"]) == 1
    assert len(clicks) == 2  # Adam's visitor and the sentinel; never the bot

    conversions = await read_events(
        infra, prefix, "conversion", lambda es: any(e.type == "conversion.recorded" for e in es)
    )
    assert conversions[0].data["share_id"] == demo.clicked_share["id"]


async def _check_metrics(env: DemoEnv, demo: SharingDemo, board: list[dict[str, Any]]) -> None:
    metrics = env.api("metrics")
    paul = await env.login("paul")
    adam = await env.login("adam")
    history = (await metrics.get("/v1/points/rules", headers=paul)).json()["items"]
    rules = max(history, key=lambda r: r["version"])
    adam_id = demo.ambassador_ids["adam"]
    expected = expected_points(rules, demo, "adam")
    assert expected > 0

    scores = {e["ambassador_id"]: e["score"] for e in board}
    assert scores[adam_id] == expected
    assert board[0]["ambassador_id"] == adam_id  # Adam shared most
    # Everyone with a posted share is on the board with their shares' points.
    for username in ("hugo", "jonas", "sofia", "lea"):
        assert scores[demo.ambassador_ids[username]] == expected_points(rules, demo, username)

    kpis = (await metrics.get("/v1/kpis/participation?period=all", headers=paul)).json()
    assert kpis["enrolled"] == 5 and kpis["sharers"] == 5

    badges = (await metrics.get("/v1/me/badges", headers=adam)).json()["items"]
    assert badges, "a first share earns a badge"

    # A reward Adam can afford is redeemable: its cost is held from his points.
    catalogue = (await metrics.get("/v1/rewards", headers=adam)).json()["items"]
    rewards = {r["title"]: r for r in catalogue}
    coffee = rewards["Coffee with the CEO"]
    assert coffee["cost"] <= expected
    redeemed = await metrics.post("/v1/redemptions", json={"reward_id": coffee["id"]}, headers=adam)
    assert redeemed.status_code == 201, redeemed.text

    async def held() -> dict[str, int] | None:
        balance = (await metrics.get("/v1/me/points", headers=adam)).json()["balance"]
        return balance if balance["held"] == coffee["cost"] else None

    balance = await eventually(held)
    assert balance["earned"] == expected
    assert balance["available"] == expected - coffee["cost"]

    digest = await metrics.get("/v1/digests/preview", headers=paul)
    assert digest.status_code == 200 and "text/html" in digest.headers["content-type"]
