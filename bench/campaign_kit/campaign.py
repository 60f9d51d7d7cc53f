"""The campaign itself: created, filled and launched through the content API; manual shares
through the sharing API while it runs; then the reckoning against the sandbox's ground truth
(`GET /_control/posts`) and the metrics API."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from campaign_kit.people import Ambassador, _call
from campaign_kit.stack import CampaignStack
from resonance.common.events.catalogue import all_topics

POINTS_PER_SHARE = 10  # metrics' default rules (domain/points.py default_rules)
TERMINAL = ("posted", "failed", "cancelled")


@dataclass
class Launch:
    campaign_id: str
    item_ids: list[str]
    launched_at: float  # wall clock, when the launch call returned
    ends_at: datetime


async def launch(stack: CampaignStack, window_s: float, items: int = 1) -> Launch:
    """A campaign whose window ends `window_s` after the launch, with `items` approved items
    (caption variants per network), launched: auto-shares are spread over the window."""
    comms, pm = stack.auth(["communicator"]), stack.auth(["program_manager"])
    async with httpx.AsyncClient(base_url=stack.api("content"), timeout=30) as http:
        now = datetime.now(UTC)
        ends_at = now + timedelta(seconds=window_s + 10)  # + the few seconds to launch it
        r = await _call(
            http,
            "POST",
            "/v1/campaigns",
            (201,),
            json={
                "name": "Campaign day",
                "starts_at": now.isoformat(),
                "ends_at": ends_at.isoformat(),
                "goal_metric": "shares",
                "goal_value": 1000,
            },
            headers=comms,
        )
        campaign_id = str(r.json()["id"])
        item_ids = []
        for n in range(items):
            captions = [
                {"network": network, "language": "en", "text": f"{opening} #{n}"}
                for network in ("linkedin", "mastodon", "other")
                for opening in ("Proud of this launch", "Have a look", "Big day for us")
            ]
            r = await _call(
                http,
                "POST",
                "/v1/items",
                (201,),
                json={
                    "family": "company",
                    "format": "link",
                    "title": f"Campaign day item {n}",
                    "url": f"https://example.com/campaign/{n}",
                    "language": "en",
                    "captions": captions,
                    "campaign_id": campaign_id,
                    "submit": "review",
                },
                headers=comms,
            )
            item_id = str(r.json()["id"])
            await _call(http, "POST", f"/v1/items/{item_id}/approve", (200,), headers=pm)
            item_ids.append(item_id)
        await _call(http, "POST", f"/v1/campaigns/{campaign_id}/launch", (200,), headers=comms)
        return Launch(campaign_id, item_ids, time.time(), ends_at)


@dataclass
class ManualShares:
    requested_at: dict[str, float] = field(default_factory=dict)  # share id -> first try
    refused: list[str] = field(default_factory=list)


async def share_by_hand(
    stack: CampaignStack, people: list[Ambassador], item_id: str, spread_s: float
) -> ManualShares:
    """Each `manual` person shares the item once, spread over `spread_s`; a request whose
    answer is lost (the API killed mid-request) is retried with the same Idempotency-Key."""
    result = ManualShares()
    manual = [p for p in people if p.role == "manual"]
    async with httpx.AsyncClient(base_url=stack.api("sharing"), timeout=30) as http:

        async def one(n: int, person: Ambassador) -> None:
            await asyncio.sleep(spread_s * n / max(1, len(manual)))
            started = time.time()
            me = stack.auth(["ambassador"], person.subject)
            deadline = time.monotonic() + 180
            for attempt in range(1_000):
                # A lost answer (the API killed mid-request) is retried with the same key;
                # a 404 (sharing has not projected the item yet) created nothing: the next
                # try is a new request with a new key (the idempotency layer replays answers).
                try:
                    r = await _call(
                        http,
                        "POST",
                        "/v1/shares",
                        (201, 404),
                        within_s=max(1.0, deadline - time.monotonic()),
                        json={"content_id": item_id, "networks": [person.network]},
                        headers=me | {"Idempotency-Key": f"manual-{person.index}-{attempt}"},
                    )
                except RuntimeError as exc:
                    result.refused.append(str(exc))
                    return
                if r.status_code == 201:
                    break
                if time.monotonic() > deadline:
                    result.refused.append(f"item never known to sharing: {r.text[:200]}")
                    return
                await asyncio.sleep(0.3)
            for share in r.json()["shares"]:
                result.requested_at[share["id"]] = started

        await asyncio.gather(*(one(n, p) for n, p in enumerate(manual)))
    return result


# -- reading the outcome ----------------------------------------------------------------------
async def _rows(dsn: str, sql: str, *args: Any, within_s: float = 120) -> list[asyncpg.Record]:
    """A query that waits out a PostgreSQL restart."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            db = await asyncpg.connect(dsn, timeout=5)
            try:
                return list(await db.fetch(sql, *args))
            finally:
                await db.close()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def shares(stack: CampaignStack) -> list[asyncpg.Record]:
    return await _rows(
        stack.pg.dsn("campaign_sharing"),
        "SELECT id, ambassador_id, network, status, reason, text, post_id, automatic, "
        "scheduled_for, created_at, posted_at, attempts FROM shares WHERE tenant = $1",
        stack.tenant,
    )


async def wait_settled(
    stack: CampaignStack, expected: int, within_s: float, after: float = 0.0
) -> list[asyncpg.Record]:
    """Until at least `expected` shares exist, every one posted, failed or cancelled, and
    (from wall-clock `after` on, e.g. the campaign's end, when nothing more can be planned)
    their number has not moved for 5 s."""
    deadline = time.monotonic() + within_s
    last, stable_since = -1, time.monotonic()
    while True:
        rows = await shares(stack)
        if len(rows) != last:
            last, stable_since = len(rows), time.monotonic()
        open_ = [r for r in rows if r["status"] not in TERMINAL]
        quiet = time.time() > after and time.monotonic() - stable_since >= 5
        if len(rows) >= expected and not open_ and (not after or quiet):
            return rows
        if time.monotonic() > deadline:
            states = Counter(r["status"] for r in rows)
            raise AssertionError(f"{len(rows)}/{expected} shares, not settled: {dict(states)}")
        await asyncio.sleep(0.5)


async def ground_truth(stack: CampaignStack) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.sandbox, timeout=60) as http:
        r = await http.get("/_control/posts", params={"limit": 200_000})
        r.raise_for_status()
        body = r.json()
        assert body["dropped"] == 0, "the sandbox dropped posts: raise its max_posts"
        return [p for p in body["posts"] if not str(p["username"]).startswith("raw-")]


@dataclass
class Audit:
    posted: int
    failed: Counter[str]
    problems: list[str]


def audit(rows: list[asyncpg.Record], posts: list[dict[str, Any]]) -> Audit:
    """Every share posted exactly once at the sandbox (its text, which carries the share's
    own tracked link, appears once, under the post id the share recorded) or failed with a
    reason and absent from the sandbox; no post at the sandbox that no share explains."""
    problems: list[str] = []
    at_network = Counter(p["text"] for p in posts)
    post_ids = {p["text"]: str(p["post_id"]) for p in posts}
    texts = set()
    failed: Counter[str] = Counter()
    for row in rows:
        texts.add(row["text"])
        seen = at_network[row["text"]]
        if row["status"] == "posted":
            if seen != 1:
                problems.append(f"share {row['id']} posted, found {seen} times at the network")
            elif str(row["post_id"]) != post_ids[row["text"]]:
                problems.append(f"share {row['id']} records post {row['post_id']}, not theirs")
        elif row["status"] == "failed":
            failed[row["reason"] or "NO REASON"] += 1
            if not row["reason"]:
                problems.append(f"share {row['id']} failed without a reason")
            if seen:
                problems.append(f"share {row['id']} failed but is at the network {seen} times")
        else:
            problems.append(f"share {row['id']} left {row['status']}")
    for text, count in at_network.items():
        if text not in texts:
            problems.append(f"a post no share explains ({count}x): {text[:80]!r}")
    return Audit(sum(r["status"] == "posted" for r in rows), failed, problems)


async def metrics_totals(stack: CampaignStack) -> tuple[dict[str, int], dict[str, int]]:
    """(points per ambassador on the all-time board, shares per network) from the API."""
    pm = stack.auth(["program_manager"])
    board: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=stack.api("metrics"), timeout=30) as http:
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"period": "all", "limit": 100}
            if cursor:
                params["cursor"] = cursor
            r = await _call(http, "GET", "/v1/leaderboards", (200,), params=params, headers=pm)
            page = r.json()
            board.update({e["ambassador_id"]: e["score"] for e in page["entries"]})
            cursor = page["next_cursor"]
            if not cursor:
                break
        r = await _call(
            http, "GET", "/v1/kpis/networks", (200,), params={"period": "all"}, headers=pm
        )
        networks = {n["network"]: n["activity"]["shares"] for n in r.json()["networks"]}
    return board, networks


async def wait_metrics_match(
    stack: CampaignStack, rows: list[asyncpg.Record], within_s: float
) -> list[str]:
    """Waits until metrics count what the sandbox holds; the differences left at the deadline."""
    posted = [r for r in rows if r["status"] == "posted"]
    # Auto-shares earn no points (metrics: service/shares_poll.py), by design: only what a
    # person shared themselves scores; every share counts in the per-network activity.
    want_points = Counter({r["ambassador_id"]: 0 for r in posted if not r["automatic"]})
    for r in posted:
        if not r["automatic"]:
            want_points[r["ambassador_id"]] += POINTS_PER_SHARE
    want_networks = Counter(r["network"] for r in posted)
    deadline = time.monotonic() + within_s
    while True:
        board, networks = await metrics_totals(stack)
        diffs = [
            f"{amb}: {board.get(amb, 0)} points, expected {pts}"
            for amb, pts in want_points.items()
            if board.get(amb, 0) != pts
        ] + [
            f"{amb}: {pts} points for no posted share"
            for amb, pts in board.items()
            if amb not in want_points
        ]
        diffs += [
            f"{net}: {networks.get(net, 0)} shares counted, {n} posted"
            for net, n in want_networks.items()
            if networks.get(net, 0) != n
        ]
        if not diffs or time.monotonic() > deadline:
            return diffs
        await asyncio.sleep(0.5)


async def dead_letters(stack: CampaignStack) -> dict[str, list[str]]:
    """Records in the campaign's dead-letter topics, with the error each carries."""
    topics = [t for t in all_topics(stack.prefix) if t.endswith(".dlq")]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack.kafka.bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **stack.kafka.client_options(),
    )
    await consumer.start()
    found: dict[str, list[str]] = {}
    try:
        await consumer.topics()  # loads the cluster's metadata
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        waiting = [tp for tp in partitions if ends[tp] > starts[tp]]
        if not waiting:
            return {}
        consumer.assign(waiting)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            positions = [await consumer.position(tp) for tp in waiting]
            if all(at >= ends[tp] for at, tp in zip(positions, waiting, strict=True)):
                break
            batch = await consumer.getmany(timeout_ms=500)
            for tp, records in batch.items():
                for record in records:
                    headers = {k: v.decode(errors="replace") for k, v in record.headers or ()}
                    found.setdefault(tp.topic, []).append(headers.get("dlq.error", "?"))
    finally:
        await consumer.stop()
    return found
