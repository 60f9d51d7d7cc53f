"""Posting, reading back and the ground truth, per network."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from resonance.devstack.sandbox.client import RunningSandbox, connect
from resonance.devstack.sandbox.config import Network

LINKEDIN_HEADERS = {"LinkedIn-Version": "202601", "X-Restli-Protocol-Version": "2.0.0"}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def bearer(
    http: httpx.AsyncClient, sandbox: RunningSandbox, network: Network, username: str = "adam"
) -> dict[str, str]:
    body = await connect(http, sandbox.url, network, username=username)
    return {"Authorization": f"Bearer {body['access_token']}"}


def linkedin_post(author: str, text: str) -> dict[str, Any]:
    return {
        "author": author,
        "commentary": text,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


async def test_linkedin_post_is_201_with_an_empty_body_and_the_urn_in_x_restli_id(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    base = sandbox.base("linkedin")
    auth = await bearer(http, sandbox, "linkedin")
    sub = (await http.get(f"{base}/v2/userinfo", headers=auth)).json()["sub"]
    author = f"urn:li:person:{sub}"
    created = await http.post(
        f"{base}/rest/posts",
        json=linkedin_post(author, "Hello"),
        headers={**auth, **LINKEDIN_HEADERS},
    )
    assert created.status_code == 201
    assert created.content == b""
    urn = created.headers["x-restli-id"]
    assert urn.startswith("urn:li:share:")
    # The author's recent posts, for crash reconciliation.
    listed = await http.get(
        f"{base}/rest/posts",
        params={"q": "author", "author": author},
        headers={**auth, **LINKEDIN_HEADERS},
    )
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()["elements"]] == [urn]
    assert listed.json()["elements"][0]["commentary"] == "Hello"
    # The same text again within a day: LinkedIn names the original post.
    again = await http.post(
        f"{base}/rest/posts",
        json=linkedin_post(author, "Hello"),
        headers={**auth, **LINKEDIN_HEADERS},
    )
    assert again.status_code == 422
    assert again.json()["message"] == f"Content is a duplicate of {urn}"


async def test_linkedin_rest_calls_need_version_headers_and_the_right_author(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    base = sandbox.base("linkedin")
    auth = await bearer(http, sandbox, "linkedin")
    sub = (await http.get(f"{base}/v2/userinfo", headers=auth)).json()["sub"]
    body = linkedin_post(f"urn:li:person:{sub}", "Hi")
    no_version = await http.post(f"{base}/rest/posts", json=body, headers=auth)
    assert no_version.status_code == 400
    someone_else = linkedin_post("urn:li:person:someoneElse", "Hi")
    forbidden = await http.post(
        f"{base}/rest/posts", json=someone_else, headers={**auth, **LINKEDIN_HEADERS}
    )
    assert forbidden.status_code == 403 and forbidden.json()["serviceErrorCode"] == 100
    too_long = await http.post(
        f"{base}/rest/posts",
        json=linkedin_post(f"urn:li:person:{sub}", "x" * 3001),
        headers={**auth, **LINKEDIN_HEADERS},
    )
    assert too_long.status_code == 422
    assert "larger than max length 3000" in too_long.json()["message"]
    assert (
        await http.post(
            f"{base}/rest/posts",
            json=linkedin_post(f"urn:li:person:{sub}", "x" * 3000),
            headers={**auth, **LINKEDIN_HEADERS},
        )
    ).status_code == 201


async def test_x_post_is_201_with_data_id_and_text_limited_to_280_weighted(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    base = sandbox.base("x")
    auth = await bearer(http, sandbox, "x")
    created = await http.post(f"{base}/2/tweets", json={"text": "Hello X"}, headers=auth)
    assert created.status_code == 201
    data = created.json()["data"]
    assert data["text"] == "Hello X" and data["edit_history_tweet_ids"] == [data["id"]]
    # 256 letters + a space + a URL (23) = 280: accepted; one letter more is refused.
    ok = await http.post(
        f"{base}/2/tweets", json={"text": "a" * 256 + " https://example.com/x"}, headers=auth
    )
    assert ok.status_code == 201
    long = await http.post(
        f"{base}/2/tweets", json={"text": "a" * 257 + " https://example.com/x"}, headers=auth
    )
    assert long.status_code == 400
    assert long.json()["type"] == "https://api.twitter.com/2/problems/invalid-request"
    duplicate = await http.post(f"{base}/2/tweets", json={"text": "Hello X"}, headers=auth)
    assert duplicate.status_code == 403
    assert (
        duplicate.json()["detail"]
        == "You are not allowed to create a Tweet with duplicate content."
    )
    me = (
        await http.get(f"{base}/2/users/me", params={"user.fields": "public_metrics"}, headers=auth)
    ).json()["data"]
    assert me["public_metrics"]["followers_count"] == 340  # adam's X audience (config.py)
    assert me["public_metrics"]["tweet_count"] == 2
    timeline = (
        await http.get(
            f"{base}/2/users/{me['id']}/tweets",
            params={"max_results": 5, "tweet.fields": "created_at"},
            headers=auth,
        )
    ).json()
    assert [t["id"] for t in timeline["data"]] == [ok.json()["data"]["id"], data["id"]]
    assert timeline["meta"]["result_count"] == 2


async def test_mastodon_idempotency_key_returns_the_same_status_for_an_hour(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    base = sandbox.base("mastodon")
    auth = await bearer(http, sandbox, "mastodon")
    headers = {**auth, "Idempotency-Key": "share-42"}
    first = await http.post(f"{base}/api/v1/statuses", data={"status": "Toot"}, headers=headers)
    again = await http.post(f"{base}/api/v1/statuses", data={"status": "Toot"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["url"].endswith(f"/mastodon/@adam/{first.json()['id']}")
    # After an hour the key is forgotten: the same key posts anew (Mastodon has no dedupe).
    sandbox.state.clock.advance(3_601)
    later = await http.post(f"{base}/api/v1/statuses", data={"status": "Toot"}, headers=headers)
    assert later.json()["id"] != first.json()["id"]
    truth = (await http.get(f"{sandbox.url}/_control/posts", params={"network": "mastodon"})).json()
    assert truth["total"] == 2
    assert {p["idempotency_key"] for p in truth["posts"]} == {"share-42"}


async def test_mastodon_validates_length_and_lists_an_accounts_statuses(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    base = sandbox.base("mastodon")
    auth = await bearer(http, sandbox, "mastodon")
    blank = await http.post(f"{base}/api/v1/statuses", json={"status": "  "}, headers=auth)
    assert blank.status_code == 422
    assert blank.json() == {"error": "Validation failed: Text can't be blank"}
    too_long = await http.post(f"{base}/api/v1/statuses", json={"status": "x" * 501}, headers=auth)
    assert too_long.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}
    me = (await http.get(f"{base}/api/v1/accounts/verify_credentials", headers=auth)).json()
    assert me["followers_count"] == 85  # adam's Mastodon audience (config.py)
    ids = []
    for n in range(3):
        posted = await http.post(f"{base}/api/v1/statuses", json={"status": f"n{n}"}, headers=auth)
        ids.append(posted.json()["id"])
    listed = await http.get(f"{base}/api/v1/accounts/{me['id']}/statuses", params={"limit": 2})
    assert [s["id"] for s in listed.json()] == [ids[2], ids[1]]  # newest first, public: no token
    assert 'rel="next"' in listed.headers["link"]


async def test_ground_truth_lists_every_accepted_post_across_networks(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    x_auth = await bearer(http, sandbox, "x", "gina")
    m_auth = await bearer(http, sandbox, "mastodon", "gus")
    await http.post(
        f"{sandbox.base('x')}/2/tweets",
        json={"text": "one"},
        headers={**x_auth, "Idempotency-Key": "k-x"},
    )
    await http.post(
        f"{sandbox.base('mastodon')}/api/v1/statuses", data={"status": "two"}, headers=m_auth
    )
    await http.post(f"{sandbox.base('x')}/2/tweets", json={"text": "one"}, headers=x_auth)  # dup
    truth = (await http.get(f"{sandbox.url}/_control/posts")).json()
    assert [
        (p["network"], p["username"], p["text"], p["idempotency_key"]) for p in truth["posts"]
    ] == [
        ("x", "gina", "one", "k-x"),
        ("mastodon", "gus", "two", None),
    ]
    assert truth["rejected_duplicates"] == 1
    only_x = (await http.get(f"{sandbox.url}/_control/posts", params={"network": "x"})).json()
    assert only_x["total"] == 1


async def test_concurrent_retries_with_one_idempotency_key_post_once(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    # Twenty copies of one request arrive at once: the state lock lets one through
    # and the other nineteen find its key. Distinct keys still post twenty times.
    auth = await bearer(http, sandbox, "mastodon")
    url = f"{sandbox.base('mastodon')}/api/v1/statuses"
    same = await asyncio.gather(
        *(
            http.post(url, data={"status": "race"}, headers={**auth, "Idempotency-Key": "k1"})
            for _ in range(20)
        )
    )
    assert {r.json()["id"] for r in same} == {same[0].json()["id"]}
    distinct = await asyncio.gather(
        *(
            http.post(url, data={"status": f"r{n}"}, headers={**auth, "Idempotency-Key": f"d{n}"})
            for n in range(20)
        )
    )
    assert len({r.json()["id"] for r in distinct}) == 20
    truth = (await http.get(f"{sandbox.url}/_control/posts")).json()
    assert truth["total"] == 21
