"""Chaos during a campaign (issue 12, part 2), on a platform of its own: a dedicated PostgreSQL
and Kafka (restarted here, so never the session's), the OIDC provider, the social sandbox and
every service as its own process.

A small tenant is provisioned through SCIM; most people connect a network, some opt in to
campaign auto-share, some share by hand while the campaign runs. While its shares are being
posted (the sandbox holds every post 0.3 s, so posts are in flight when a process dies): a
third posting worker joins (rebalance), one worker is SIGKILLed and restarted, so are the
sharing API, metrics, its fold, content and ambassadors; Kafka and PostgreSQL are restarted; a worker
leaves for good (SIGTERM, rebalance). Afterwards, against the sandbox's ground truth:
every share posted exactly once or failed with a reason and absent from the network, no post
that no share explains, metrics' points and per-network counts equal to what was posted, no
dead letters. Every wait is a condition with a deadline.

RESONANCE_CHAOS_AMBASSADORS sets the size (80 by default; the full size runs by hand)."""

import asyncio
import os
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
from campaign_kit.campaign import (
    audit,
    dead_letters,
    ground_truth,
    launch,
    share_by_hand,
    wait_metrics_match,
    wait_settled,
)
from campaign_kit.people import connect, opt_in, provision
from campaign_kit.stack import CampaignStack

# Its own PostgreSQL and Kafka: integration, though it does not use the `infra` fixture.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

AMBASSADORS = int(os.environ.get("RESONANCE_CHAOS_AMBASSADORS", "80"))
# Long enough for the planner: it plans person by person and skips whoever it reaches after
# the window's end (about 0.3 s a person at load 25 on two cores).
WINDOW_S = 60.0
POST_LATENCY_S = 0.3


class _Phases:
    """Prints how long each phase took (the output of `pytest -s`, for slow machines)."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()

    def __call__(self, label: str) -> None:
        now = time.monotonic()
        print(f"[chaos +{now - self.started:5.0f} s] {label} ({now - self.last:.0f} s)", flush=True)
        self.last = now


async def _posts_so_far(stack: CampaignStack) -> int:
    try:
        async with httpx.AsyncClient(base_url=stack.sandbox, timeout=10) as http:
            r = await http.get("/_control/posts", params={"limit": 1})
            return int(r.json()["total"])
    except httpx.HTTPError:
        return 0


async def _some_progress(stack: CampaignStack, posts: int = 2, within_s: float = 6) -> None:
    """Paces the faults by the campaign's progress (a few more posts), not by the clock
    alone; not an assertion: a fault may well land while nothing moves."""
    start, deadline = await _posts_so_far(stack), time.monotonic() + within_s
    while time.monotonic() < deadline and await _posts_so_far(stack) < start + posts:
        await asyncio.sleep(0.2)


async def _inject_faults(stack: CampaignStack) -> list[str]:
    """The faults, a few posts apart while the campaign is posted. Restarts run in the
    background (a process takes seconds to boot on a busy machine), so the later faults still
    land inside the campaign window; all of them are back and healthy on return."""
    recoveries: list[asyncio.Task[object]] = []

    def background(work: Awaitable[object]) -> None:
        async def run() -> object:
            return await work

        recoveries.append(asyncio.create_task(run()))

    def kill_and_restart(name: str) -> None:
        stack.sigkill(name)
        background(stack.start_process(name))

    steps: list[tuple[str, Callable[[], None]]] = [
        ("a third posting worker joins", lambda: background(stack.add_worker())),
        ("SIGKILL worker-1, restarted", lambda: kill_and_restart("worker-1")),
        ("SIGKILL the sharing API, restarted", lambda: kill_and_restart("sharing")),
        ("SIGKILL metrics, restarted", lambda: kill_and_restart("metrics")),
        ("SIGKILL the metrics fold, restarted", lambda: kill_and_restart("metrics-fold")),
        ("SIGKILL content, restarted", lambda: kill_and_restart("content")),
        ("SIGKILL ambassadors, restarted", lambda: kill_and_restart("ambassadors")),
        ("Kafka restarted", lambda: background(stack.restart_kafka())),
        ("PostgreSQL restarted", lambda: background(stack.restart_postgres())),
        ("worker-2 leaves (SIGTERM)", lambda: background(stack.stop_gracefully("worker-2"))),
    ]
    done = []
    for label, fault in steps:
        await _some_progress(stack, within_s=WINDOW_S / (len(steps) + 1))
        done.append(f"{label} (at {await _posts_so_far(stack)} posts)")
        fault()
    await asyncio.gather(*recoveries)
    return done


async def test_a_campaign_survives_kills_restarts_and_rebalances() -> None:
    phase = _Phases()
    with CampaignStack(workers=2, tenant="chaos", prefix="chaos.") as stack:
        await stack.start()
        phase("platform up")
        supervisor = asyncio.create_task(stack.supervise())
        try:
            people = await provision(stack, AMBASSADORS)
            phase(f"{len(people)} ambassadors provisioned through SCIM and enrolled")
            await connect(stack, people)
            await opt_in(stack, people)
            phase("connected and opted in")
            async with httpx.AsyncClient(base_url=stack.sandbox) as http:
                for network in ("linkedin", "mastodon"):
                    r = await http.put(
                        "/_control/latency",
                        json={"network": network, "op": "post", "seconds": POST_LATENCY_S},
                    )
                    r.raise_for_status()

            launched = await launch(stack, WINDOW_S)
            phase("campaign launched")
            by_hand = asyncio.create_task(
                share_by_hand(stack, people, launched.item_ids[0], WINDOW_S * 0.75)
            )
            faults = await _inject_faults(stack)
            manual = await by_hand
            phase(f"faults done: {faults}")
            assert manual.refused == [], manual.refused

            auto = sum(p.role == "auto" for p in people)
            expected = auto + len(manual.requested_at)
            rows = await wait_settled(stack, expected, within_s=240)
            phase(f"{len(rows)} shares settled")
            # Planning lost nobody: one auto-share per opted-in person (one item, one network).
            assert sum(r["automatic"] for r in rows) == auto
            assert len(rows) == expected

            outcome = audit(rows, await ground_truth(stack))
            print(
                f"\n{len(rows)} shares: {outcome.posted} posted, failed {dict(outcome.failed)}; "
                f"faults: {faults}; crashes restarted by the supervisor: "
                f"{ {n: p.crashes for n, p in stack.processes.items() if p.crashes} }; "
                f"SIGKILLed after the 30 s grace of a SIGTERM: {stack.forced_stops}"
            )
            assert outcome.problems == [], outcome.problems
            assert outcome.posted + sum(outcome.failed.values()) == expected

            differences = await wait_metrics_match(stack, rows, within_s=90)
            assert differences == [], differences[:20]
            phase("metrics equal the ground truth")
            assert await dead_letters(stack) == {}
        except BaseException:
            print(stack.log_tails())
            raise
        finally:
            supervisor.cancel()
