"""What the demo activity looks like in metrics: a programme manager's reward catalogue, the
boards and KPIs once the facts have arrived, a redemption waiting for approval, the digest of
the month so far. Everything through the metrics API, as the app would call it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resonance.devstack.demo_env import DemoEnv, expect, until
from resonance.devstack.demo_sharing import SharingDemo

# Costs against the default point rules (10 a share, 1 a click, 50 a conversion): Adam can
# afford either, Hugo the hoodie.
REWARDS: tuple[dict[str, Any], ...] = (
    {
        "title": "Acme hoodie",
        "description": "The one everybody asks about.",
        "cost": 20,
        "stock": 25,
    },
    {
        "title": "Coffee with the CEO",
        "description": "Thirty minutes, your questions.",
        "cost": 60,
        "stock": 3,
    },
)


@dataclass
class MetricsDemo:
    rewards: dict[str, str] = field(default_factory=dict)  # title -> reward id
    board: list[dict[str, Any]] = field(default_factory=list)  # entries, best first
    participation: dict[str, Any] = field(default_factory=dict)
    redemption: dict[str, Any] | None = None  # Hugo's, waiting for Paul's approval
    digest_bytes: int = 0


async def seed_metrics(env: DemoEnv, sharing: SharingDemo, timeout: float = 15.0) -> MetricsDemo:  # noqa: ASYNC109
    demo = MetricsDemo()
    paul = await env.login("paul")
    metrics = env.api("metrics")
    demo.rewards = await _catalogue(env, paul)
    await _caught_up(env, sharing, timeout)
    board = expect(
        await metrics.get("/v1/leaderboards", params={"period": "all"}, headers=paul), 200
    )
    demo.board = board["entries"]
    demo.participation = expect(
        await metrics.get("/v1/kpis/participation", params={"period": "all"}, headers=paul), 200
    )
    demo.redemption = await _redeem(env, "hugo", demo.rewards.get("Acme hoodie"))
    digest = await metrics.get("/v1/digests/preview", headers=paul)
    demo.digest_bytes = len(digest.content) if digest.status_code == 200 else 0
    return demo


async def _catalogue(env: DemoEnv, manager: dict[str, str]) -> dict[str, str]:
    metrics = env.api("metrics")
    listed = expect(await metrics.get("/v1/rewards", params={"limit": 100}, headers=manager), 200)
    have = {r["title"]: str(r["id"]) for r in listed["items"]}
    for reward in REWARDS:
        if reward["title"] not in have:
            made = expect(await metrics.post("/v1/rewards", json=reward, headers=manager), 201)
            have[reward["title"]] = str(made["id"])
    return have


async def _caught_up(env: DemoEnv, sharing: SharingDemo, timeout: float) -> None:  # noqa: ASYNC109
    """Waits until metrics has every posted share, and the click and conversion, in the
    points ledgers (a warning-free banner then shows final figures)."""
    metrics = env.api("metrics")
    expected: dict[str, dict[str, int]] = {}
    for share in sharing.posted():
        reasons = expected.setdefault(share["username"], {})
        reasons["share"] = reasons.get("share", 0) + 1
    if sharing.clicked_share is not None:
        expected.setdefault("adam", {})["click"] = 1
    if sharing.conversion is not None:
        expected.setdefault("adam", {})["conversion"] = 1

    async def ledgers() -> bool:
        for username, reasons in expected.items():
            me = await env.login(username)
            points = await metrics.get("/v1/me/points", params={"limit": 100}, headers=me)
            if points.status_code != 200:
                return False
            seen: dict[str, int] = {}
            for entry in points.json()["entries"]:
                seen[entry["reason"]] = seen.get(entry["reason"], 0) + 1
            if any(seen.get(reason, 0) < n for reason, n in reasons.items()):
                return False
        return True

    await until(ledgers, timeout, interval=0.3)


async def _redeem(env: DemoEnv, username: str, reward_id: str | None) -> dict[str, Any] | None:
    if reward_id is None:
        return None
    me = await env.login(username)
    metrics = env.api("metrics")
    mine = expect(await metrics.get("/v1/redemptions", headers=me), 200)["items"]
    if mine:
        return dict(mine[0])
    answer = await metrics.post("/v1/redemptions", json={"reward_id": reward_id}, headers=me)
    return dict(answer.json()) if answer.status_code == 201 else None
