"""Rate limits over HTTP: each network's window, headers and 429 body."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from resonance.devstack.sandbox.client import RunningSandbox, connect

# Mid-window instants, so that a test's few seconds never cross a window boundary.
MONDAY_NOON = datetime(2025, 3, 3, 12, 0, 10, tzinfo=UTC).timestamp()
LINKEDIN_HEADERS = {"LinkedIn-Version": "202601", "X-Restli-Protocol-Version": "2.0.0"}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def test_x_15_minute_window_refuses_with_headers_then_resets(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.reset(MONDAY_NOON, frozen=True)
    limits = await http.put(
        f"{sandbox.url}/_control/limits/x", json={"quotas": {"tweets_post_user_15m": {"limit": 2}}}
    )
    assert limits.json()["quotas"]["tweets_post_user_15m"]["limit"] == 2
    token = await connect(http, sandbox.url, "x")
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    url = f"{sandbox.base('x')}/2/tweets"
    first = await http.post(url, json={"text": "1"}, headers=auth)
    # 12:00:10 lies in the window 12:00:00 to 12:15:00: reset is 12:15:00 in Unix seconds.
    window_end = str(int(datetime(2025, 3, 3, 12, 15, tzinfo=UTC).timestamp()))
    assert first.status_code == 201
    assert (first.headers["x-rate-limit-limit"], first.headers["x-rate-limit-remaining"]) == (
        "2",
        "1",
    )
    assert first.headers["x-rate-limit-reset"] == window_end
    # The Basic plan's 24-hour cap reports in its own family: 100 a day, 1 used.
    assert first.headers["x-user-limit-24hour-remaining"] == "99"
    assert (await http.post(url, json={"text": "2"}, headers=auth)).status_code == 201
    refused = await http.post(url, json={"text": "3"}, headers=auth)
    assert refused.status_code == 429
    assert refused.json() == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    assert refused.headers["x-rate-limit-remaining"] == "0"
    assert refused.headers["x-rate-limit-reset"] == window_end
    assert "retry-after" not in refused.headers
    sandbox.state.clock.advance(15 * 60)
    assert (await http.post(url, json={"text": "3"}, headers=auth)).status_code == 201


async def test_linkedin_daily_member_quota_is_a_bare_429_until_midnight_utc(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.reset(MONDAY_NOON, frozen=True)
    await http.put(
        f"{sandbox.url}/_control/limits/linkedin",
        json={"quotas": {"posts_member_day": {"limit": 1}}},
    )
    token = await connect(http, sandbox.url, "linkedin")
    auth = {"Authorization": f"Bearer {token['access_token']}", **LINKEDIN_HEADERS}
    base = sandbox.base("linkedin")
    sub = (await http.get(f"{base}/v2/userinfo", headers=auth)).json()["sub"]

    def body(text: str) -> dict[str, object]:
        return {
            "author": f"urn:li:person:{sub}",
            "commentary": text,
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED"},
            "lifecycleState": "PUBLISHED",
        }

    ok = await http.post(f"{base}/rest/posts", json=body("a"), headers=auth)
    assert ok.status_code == 201
    assert not [h for h in ok.headers if "ratelimit" in h or "rate-limit" in h]
    refused = await http.post(f"{base}/rest/posts", json=body("b"), headers=auth)
    assert refused.status_code == 429
    assert refused.json() == {
        "status": 429,
        "message": "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
    }
    assert not [h for h in refused.headers if "rate" in h or h == "retry-after"]
    # Another member of the same app still posts: the quota is per member. (Another browser:
    # this one's LinkedIn session would sign adam in again without showing the form.)
    async with httpx.AsyncClient(timeout=5) as browser:
        other = await connect(browser, sandbox.url, "linkedin", username="chloe")
    other_auth = {"Authorization": f"Bearer {other['access_token']}", **LINKEDIN_HEADERS}
    other_sub = (await http.get(f"{base}/v2/userinfo", headers=other_auth)).json()["sub"]
    other_body = {**body("c"), "author": f"urn:li:person:{other_sub}"}
    assert (
        await http.post(f"{base}/rest/posts", json=other_body, headers=other_auth)
    ).status_code == 201
    # Noon to midnight UTC is 12 hours (minus the 10 s past noon): then the quota is back.
    sandbox.state.clock.advance(12 * 3600 - 10)
    assert (await http.post(f"{base}/rest/posts", json=body("b"), headers=auth)).status_code == 201


async def test_mastodon_reports_300_per_5_minutes_with_an_iso_reset(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.reset(MONDAY_NOON, frozen=True)
    token = await connect(http, sandbox.url, "mastodon")
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    me = await http.get(
        f"{sandbox.base('mastodon')}/api/v1/accounts/verify_credentials", headers=auth
    )
    assert me.headers["X-RateLimit-Limit"] == "300"
    assert me.headers["X-RateLimit-Remaining"] == "299"
    # 12:00:10 is in the 5-minute period 12:00 to 12:05.
    assert me.headers["X-RateLimit-Reset"] == "2025-03-03T12:05:00.000000Z"
    await http.put(
        f"{sandbox.url}/_control/limits/mastodon", json={"quotas": {"api_5m": {"limit": 1}}}
    )
    refused = await http.get(
        f"{sandbox.base('mastodon')}/api/v1/accounts/verify_credentials", headers=auth
    )
    assert refused.status_code == 429 and refused.json() == {"error": "Too many requests"}
    assert refused.headers["X-RateLimit-Remaining"] == "0"


async def test_limits_can_be_switched_off_for_benchmarks(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    await http.put(
        f"{sandbox.url}/_control/limits/x",
        json={"enabled": False, "quotas": {"tweets_post_user_15m": {"limit": 0}}},
    )
    token = await connect(http, sandbox.url, "x")
    created = await http.post(
        f"{sandbox.base('x')}/2/tweets",
        json={"text": "free"},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert created.status_code == 201 and "x-rate-limit-limit" not in created.headers
    unknown = await http.put(
        f"{sandbox.url}/_control/limits/x", json={"quotas": {"nope": {"limit": 1}}}
    )
    assert unknown.status_code == 404
