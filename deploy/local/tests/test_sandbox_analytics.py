"""Analytics grow with the sandbox clock, deterministically (see analytics.py for the model)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import pytest

from resonance.devstack.sandbox.client import RunningSandbox, connect

JAN_1_MIDNIGHT = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
HOUR = 3_600
DAY = 86_400
LINKEDIN_HEADERS = {"LinkedIn-Version": "202601", "X-Restli-Protocol-Version": "2.0.0"}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def test_x_public_metrics_grow_with_the_clock_and_saturate(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.reset(JAN_1_MIDNIGHT, frozen=True)
    token = await connect(http, sandbox.url, "x", username="chloe")  # 2,100 X followers
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    tweet = (
        await http.post(f"{sandbox.base('x')}/2/tweets", json={"text": "grow"}, headers=auth)
    ).json()

    async def metrics() -> dict[str, int]:
        # X tokens last 2 hours and the clock jumps further: a fresh token for each reading.
        fresh = (
            await http.post(
                f"{sandbox.url}/_control/tokens", json={"network": "x", "username": "chloe"}
            )
        ).json()
        auth = {"Authorization": f"Bearer {fresh['access_token']}"}
        answer = await http.get(
            f"{sandbox.base('x')}/2/tweets",
            headers=auth,
            params={
                "ids": tweet["data"]["id"],
                "tweet.fields": "public_metrics,non_public_metrics",
            },
        )
        data = answer.json()["data"][0]
        return {
            **data["public_metrics"],
            **{f"np_{k}": v for k, v in data["non_public_metrics"].items()},
        }

    assert (await metrics())["impression_count"] == 0
    sandbox.state.clock.advance(6 * HOUR)
    # X: 200 % of 2,100 followers over 24 h; at 6 h a quarter: 4,200 // 4 = 1,050 impressions,
    # 1,050 // 50 = 21 likes, // 400 = 2 replies, // 100 = 10 link clicks.
    six = await metrics()
    assert (six["impression_count"], six["like_count"], six["reply_count"]) == (1_050, 21, 2)
    assert six["np_url_link_clicks"] == 10
    sandbox.state.clock.advance(30 * HOUR)
    assert (await metrics())["impression_count"] == 4_200  # saturated at 24 h


async def test_x_non_public_metrics_only_for_the_author_and_posts_under_30_days(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.reset(JAN_1_MIDNIGHT, frozen=True)
    author = await connect(http, sandbox.url, "x", username="adam")
    author_auth = {"Authorization": f"Bearer {author['access_token']}"}
    tweet_id = (
        await http.post(f"{sandbox.base('x')}/2/tweets", json={"text": "mine"}, headers=author_auth)
    ).json()["data"]["id"]
    params = {"ids": f"{tweet_id},1", "tweet.fields": "public_metrics,non_public_metrics"}
    someone = await connect(http, sandbox.url, "x", username="gina")
    other = (
        await http.get(
            f"{sandbox.base('x')}/2/tweets",
            params=params,
            headers={"Authorization": f"Bearer {someone['access_token']}"},
        )
    ).json()
    assert "public_metrics" in other["data"][0] and "non_public_metrics" not in other["data"][0]
    problems = {(e["title"], e["resource_id"]) for e in other["errors"]}
    assert problems == {("Field Authorization Error", tweet_id), ("Not Found Error", "1")}
    sandbox.state.clock.advance(30 * DAY)
    author = await connect(http, sandbox.url, "x", username="adam")  # the old token expired
    author_auth = {"Authorization": f"Bearer {author['access_token']}"}
    late = (
        await http.get(f"{sandbox.base('x')}/2/tweets", params=params, headers=author_auth)
    ).json()
    assert "non_public_metrics" not in late["data"][0]
    assert any(e["type"].endswith("/not-authorized-for-field") for e in late["errors"])
    too_many = await http.get(
        f"{sandbox.base('x')}/2/tweets",
        headers=author_auth,
        params={"ids": ",".join(str(n) for n in range(1, 102))},
    )
    assert too_many.status_code == 400


async def test_linkedin_member_post_analytics_total_and_daily(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.reset(JAN_1_MIDNIGHT + 12 * HOUR, frozen=True)  # noon, Jan 1
    token = await connect(http, sandbox.url, "linkedin", username="adam")  # 1,200 followers
    auth = {"Authorization": f"Bearer {token['access_token']}", **LINKEDIN_HEADERS}
    base = sandbox.base("linkedin")
    sub = (await http.get(f"{base}/v2/userinfo", headers=auth)).json()["sub"]
    created = await http.post(
        f"{base}/rest/posts",
        headers=auth,
        json={
            "author": f"urn:li:person:{sub}",
            "commentary": "stats",
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED"},
            "lifecycleState": "PUBLISHED",
        },
    )
    urn = created.headers["x-restli-id"]
    sandbox.state.clock.advance(24 * HOUR)  # noon, Jan 2: one day old

    async def total(query_type: str) -> int:
        answer = await http.get(
            f"{base}/rest/memberCreatorPostAnalytics",
            headers=auth,
            params={
                "q": "entity",
                "entity": f"(share:{quote(urn, safe='')})",
                "queryType": query_type,
                "aggregation": "TOTAL",
            },
        )
        element = answer.json()["elements"][0]
        assert element["targetEntity"] == {"share": urn}
        assert list(element["metricType"].values()) == [query_type]
        count: int = element["count"]
        return count

    # LinkedIn: 100 % of 1,200 over 48 h; at 24 h half: 600 impressions, 420 reached,
    # 12 reactions, 1 comment (600 // 400), 1 reshare (600 // 500).
    assert await total("IMPRESSION") == 600
    assert await total("MEMBERS_REACHED") == 420
    assert (await total("REACTION"), await total("COMMENT"), await total("RESHARE")) == (12, 1, 1)
    daily = await http.get(
        f"{base}/rest/memberCreatorPostAnalytics",
        headers=auth,
        params={"q": "me", "queryType": "IMPRESSION", "aggregation": "DAILY"},
    )
    # Jan 1 noon to midnight: 12 h = 300 impressions; Jan 2 midnight to noon (now): 300 more.
    assert [(e["dateRange"]["start"]["day"], e["count"]) for e in daily.json()["elements"]] == [
        (1, 300),
        (2, 300),
    ]
    refused = await http.get(
        f"{base}/rest/memberCreatorPostAnalytics",
        headers=auth,
        params={"q": "me", "queryType": "MEMBERS_REACHED", "aggregation": "DAILY"},
    )
    assert refused.status_code == 400
    followers = await http.get(
        f"{base}/rest/memberFollowersCount", params={"q": "me"}, headers=auth
    )
    assert followers.json()["elements"] == [{"memberFollowersCount": 1_200}]


async def test_mastodon_status_counts_grow_with_the_clock(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    sandbox.reset(JAN_1_MIDNIGHT, frozen=True)
    await http.put(f"{sandbox.url}/_control/accounts/mastodon/adam", json={"followers": 10_000})
    token = await connect(http, sandbox.url, "mastodon", username="adam")
    status = (
        await http.post(
            f"{sandbox.base('mastodon')}/api/v1/statuses",
            data={"status": "hi"},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
    ).json()
    assert (status["favourites_count"], status["reblogs_count"], status["replies_count"]) == (
        0,
        0,
        0,
    )
    sandbox.state.clock.advance(12 * HOUR)
    # Mastodon: 50 % of 10,000 over 24 h; at 12 h: 2,500 impressions (not exposed by Mastodon),
    # 2,500 // 50 = 50 favourites, // 500 = 5 reblogs, // 400 = 6 replies.
    later = (await http.get(f"{sandbox.base('mastodon')}/api/v1/statuses/{status['id']}")).json()
    assert (later["favourites_count"], later["reblogs_count"], later["replies_count"]) == (50, 5, 6)
