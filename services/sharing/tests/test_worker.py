"""The posting worker process against the social sandbox, real PostgreSQL and Kafka: a share
is posted once (the sandbox's ground truth), 5xx and timeouts are retried, 429s wait for the
announced reset, a refused token asks to reconnect (X refreshes once first), and a worker
that died mid-call is reconciled with the network instead of posting twice."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import of_type, read_events
from resonance.sharing.service import dispatch
from resonance.sharing.service.connections import tokens_of
from resonance.sharing.service.networks import networks_of
from resonance.sharing.store.tables import Connection, ShareAttempt

from .connect_kit import (
    add_share,
    ambassador,
    attempts_of,
    connect,
    connection_row,
    posting_worker,
    posts_at,
    share_row,
)

TENANT = "work"
FAST = {
    "network_timeout_s": 0.5,
    "worker_in_doubt_after_s": 1.5,
    "reconcile_settle_s": 0.3,
    "reconcile_clock_skew_s": 5.0,
    "worker_backoff_base_s": 0.05,
    "worker_backoff_max_s": 0.3,
    "scheduler_interval_s": 0.05,
    "scheduler_sweep_interval_s": 0.2,
}


@pytest.fixture(scope="module")
async def svc(infra: Infra, sandbox_server: RunningSandbox) -> AsyncIterator[RunningService]:
    settings = sharing_settings(sandbox_server.url, **FAST)
    async with (
        running_service(infra, "sharing", **settings) as svc,
        posting_worker(svc.settings),
    ):
        yield svc


async def _connected(infra: Infra, svc: RunningService, network: str, who: str) -> Connection:
    answer = await connect(svc, network, ambassador(infra, TENANT, who))
    assert answer.status_code == 200, answer.text
    return await connection_row(svc, answer.json()["id"])


async def _control(sandbox: RunningSandbox, method: str, path: str, **body: object) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.request(method, f"{sandbox.url}/_control{path}", json=body)
    answer.raise_for_status()


async def _settled(svc: RunningService, share_id: str, status: str = "posted") -> None:
    async def done() -> bool:
        return (await share_row(svc, share_id)).status == status

    await eventually(done, timeout=20)


async def test_a_due_share_is_posted_once(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "mastodon", "poster")
    share = await add_share(svc, TENANT, connection)
    await _settled(svc, share.id)

    row = await share_row(svc, share.id)
    [posted] = await posts_at(sandbox.url, "mastodon", share.text)
    assert (row.post_id, row.attempts) == (posted["post_id"], 1)
    assert row.post_url and row.post_url.endswith(f"/{posted['post_id']}")
    # Mastodon's Idempotency-Key: one per share.
    assert posted["idempotency_key"] == f"resonance-share-{share.id}"
    [attempt] = await attempts_of(svc, share.id)
    assert (attempt.outcome, attempt.finished_at is not None) == ("posted", True)
    events = await read_events(
        infra, svc.settings.topic_prefix, "share", of_type("share.made", share_id=share.id)
    )
    [made] = [e for e in events if e.data.get("share_id") == share.id]
    assert made.data["content_family"] == "company"
    assert made.data["campaign_id"] == "camp-1"
    assert made.data["post_url"] == row.post_url
    token = tokens_of(connection, networks_of(svc.runtime))
    assert token is not None and token.access_token not in made.model_dump_json()


async def test_a_scheduled_share_waits_for_its_time(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "x", "planner")
    at = datetime.now(UTC) + timedelta(seconds=2)
    share = await add_share(svc, TENANT, connection, scheduled_for=at)
    await _settled(svc, share.id)
    row = await share_row(svc, share.id)
    assert row.posted_at is not None and at <= row.posted_at < at + timedelta(seconds=3)
    assert len(await posts_at(sandbox.url, "x", share.text)) == 1


async def test_server_errors_are_retried_without_double_post(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "x", "unlucky")
    # The first call fails before X does anything, the second after X made the post (its
    # answer lost): the worker must find that post instead of posting a second time.
    await _control(sandbox, "POST", "/faults", network="x", op="post", kind="5xx", count=1)
    first = await add_share(svc, TENANT, connection)
    await _settled(svc, first.id)
    assert len(await posts_at(sandbox.url, "x", first.text)) == 1
    # Before posting again the worker looked for the post (deferred while too soon to tell).
    outcomes = [a.outcome for a in await attempts_of(svc, first.id)]
    assert [o for o in outcomes if o != "deferred"] == ["unknown", "posted"]

    await _control(
        sandbox, "POST", "/faults", network="x", op="post", kind="5xx", after_effect=True
    )
    second = await add_share(svc, TENANT, connection)
    await _settled(svc, second.id)
    [posted] = await posts_at(sandbox.url, "x", second.text)
    row = await share_row(svc, second.id)
    assert row.post_id == posted["post_id"]
    assert [a.outcome for a in await attempts_of(svc, second.id)] == ["unknown", "reconciled"]


async def test_a_timeout_is_reconciled_before_posting_again(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "linkedin", "slow")
    # LinkedIn takes the post, then hangs past our 0.5 s timeout.
    await _control(
        sandbox,
        "POST",
        "/faults",
        network="linkedin",
        op="post",
        kind="timeout",
        hang_s=2,
        after_effect=True,
    )
    share = await add_share(svc, TENANT, connection)
    await _settled(svc, share.id)
    [posted] = await posts_at(sandbox.url, "linkedin", share.text)
    assert (await share_row(svc, share.id)).post_id == posted["post_id"]


def _window_end(moment: datetime, period_s: int) -> datetime:
    """The end of the sandbox's fixed window holding `moment` (windows align on the epoch)."""
    start = int(moment.timestamp()) // period_s * period_s
    return datetime.fromtimestamp(start + period_s, UTC)


async def test_429_waits_for_the_announced_reset(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "x", "busy")
    # X's post windows (15 minutes, and the 24-hour caps a forced 429 reports spent too)
    # shortened to 2 s, so the announced reset comes within the test.
    windows = ("tweets_post_user_15m", "tweets_post_user_24h", "tweets_post_app_24h")
    await _control(
        sandbox, "PUT", "/limits/x", quotas={q: {"limit": 100, "period_s": 2} for q in windows}
    )
    await _control(sandbox, "POST", "/faults", network="x", op="post", kind="429")
    share = await add_share(svc, TENANT, connection)
    await _settled(svc, share.id)
    refused, posted = await attempts_of(svc, share.id)
    assert refused.outcome == "retry" and "Too Many Requests" in (refused.error or "")
    # The retry waited for x-rate-limit-reset: the end of the window of the refused call.
    assert posted.started_at >= _window_end(refused.started_at, 2)
    assert len(await posts_at(sandbox.url, "x", share.text)) == 1


async def test_an_exhausted_window_holds_the_next_post_back(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "x", "paced")
    # One post per 2-second window: the first success answers x-rate-limit-remaining: 0, so
    # the second share waits for the reset instead of collecting a 429.
    await _control(
        sandbox, "PUT", "/limits/x", quotas={"tweets_post_user_15m": {"limit": 1, "period_s": 2}}
    )
    first = await add_share(svc, TENANT, connection)
    await _settled(svc, first.id)
    second = await add_share(svc, TENANT, connection)
    await _settled(svc, second.id)
    [one] = await attempts_of(svc, first.id)
    [two] = await attempts_of(svc, second.id)  # no refused attempt
    assert two.outcome == "posted"
    assert two.started_at >= _window_end(one.started_at, 2)
    for share in (first, second):
        assert len(await posts_at(sandbox.url, "x", share.text)) == 1


async def test_a_refused_token_fails_the_share_and_asks_to_reconnect(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "mastodon", "revoked")
    await _control(sandbox, "POST", "/revoke", network="mastodon", username="adam")
    share = await add_share(svc, TENANT, connection)
    await _settled(svc, share.id, "failed")
    row = await share_row(svc, share.id)
    assert row.reason == "reauth_required"
    assert (await connection_row(svc, connection.id)).status == "reauth_required"
    prefix = svc.settings.topic_prefix
    await read_events(
        infra, prefix, "share", of_type("share.failed", share_id=share.id, reason="reauth_required")
    )
    await read_events(
        infra,
        prefix,
        "connection",
        of_type("connection.reauth_required", connection_id=connection.id),
    )
    assert await posts_at(sandbox.url, "mastodon", share.text) == []


async def test_x_refreshes_once_on_401_then_posts(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "x", "stale-token")
    token = tokens_of(connection, networks_of(svc.runtime))
    assert token is not None
    # Only the access token dies (the refresh token stays good): one refresh, then the post.
    await _control(sandbox, "POST", "/revoke", token=token.access_token)
    share = await add_share(svc, TENANT, connection)
    await _settled(svc, share.id)
    assert len(await posts_at(sandbox.url, "x", share.text)) == 1
    fresh = tokens_of(await connection_row(svc, connection.id), networks_of(svc.runtime))
    assert fresh is not None and fresh.access_token != token.access_token


@pytest.mark.parametrize("network", ["x", "mastodon", "linkedin"])
async def test_a_worker_killed_mid_call_leaves_no_duplicate(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox, network: str
) -> None:
    """What a SIGKILL mid-post leaves: the attempt recorded, the network holding the post,
    the share `posting`, nothing finished. The next worker must find the post."""
    connection = await _connected(infra, svc, network, f"killed-{network}")
    share = await add_share(svc, TENANT, connection, status="posting")
    started = datetime.now(UTC) - timedelta(seconds=5)
    async with svc.runtime.unit_of_work() as uow:
        row = await uow.session.get(type(share), share.id)
        assert row is not None
        row.attempts, row.requested_at = 1, started
        uow.session.add(
            ShareAttempt(share_id=share.id, attempt_no=1, tenant=TENANT, started_at=started)
        )
    # The dead worker's call did reach the network: post as it would have.
    nets = networks_of(svc.runtime)
    token = tokens_of(connection, nets)
    assert token is not None
    made = await nets.connectors[network].create_post(
        token.access_token, connection.network_user_id, share.text, f"resonance-share-{share.id}"
    )
    await _settled(svc, share.id)  # the sweep hands the stale share out again
    assert len(await posts_at(sandbox.url, network, share.text)) == 1
    assert (await share_row(svc, share.id)).post_id == made.post_id
    assert [a.outcome for a in await attempts_of(svc, share.id)] == ["unknown", "reconciled"]


async def test_a_worker_killed_before_the_call_posts_it_once(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "x", "killed-early")
    share = await add_share(svc, TENANT, connection, status="posting")
    started = datetime.now(UTC) - timedelta(seconds=5)
    async with svc.runtime.unit_of_work() as uow:
        row = await uow.session.get(type(share), share.id)
        assert row is not None
        row.attempts, row.requested_at = 1, started
        uow.session.add(
            ShareAttempt(share_id=share.id, attempt_no=1, tenant=TENANT, started_at=started)
        )
    await _settled(svc, share.id)
    assert len(await posts_at(sandbox.url, "x", share.text)) == 1
    outcomes = [a.outcome for a in await attempts_of(svc, share.id)]
    assert [o for o in outcomes if o != "deferred"] == ["unknown", "posted"]


async def test_cancelled_shares_are_left_alone(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    connection = await _connected(infra, svc, "mastodon", "canceller")
    cancelled = await add_share(svc, TENANT, connection, status="cancelled")
    async with svc.runtime.unit_of_work() as uow:  # handed out all the same (a late request)
        row = await uow.session.get(type(cancelled), cancelled.id)
        assert row is not None
        await dispatch.request_share(uow, row)
    posted = await add_share(svc, TENANT, connection)
    await _settled(svc, posted.id)
    await asyncio.sleep(1)  # the cancelled share's request is handled by now
    assert (await share_row(svc, cancelled.id)).status == "cancelled"
    assert await posts_at(sandbox.url, "mastodon", cancelled.text) == []
    assert await attempts_of(svc, cancelled.id) == []
