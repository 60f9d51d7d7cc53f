"""The control API: injected faults, latency, revocation, account tweaks, unfurl bursts."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from resonance.devstack.sandbox.client import RunningSandbox, connect
from resonance.devstack.sandbox.config import Network
from resonance.devstack.testing import ThreadedServer


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def x_token(
    http: httpx.AsyncClient, sandbox: RunningSandbox, username: str = "adam"
) -> dict[str, str]:
    body = await connect(http, sandbox.url, "x", username=username)
    return {"Authorization": f"Bearer {body['access_token']}"}


async def test_next_n_calls_fail_with_5xx_then_succeed(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    auth = await x_token(http, sandbox)
    fault = await http.post(
        f"{sandbox.url}/_control/faults",
        json={"network": "x", "op": "post", "kind": "5xx", "count": 2, "status": 502},
    )
    assert fault.status_code == 201
    url = f"{sandbox.base('x')}/2/tweets"
    statuses = [
        (await http.post(url, json={"text": f"t{i}"}, headers=auth)).status_code for i in range(3)
    ]
    assert statuses == [502, 502, 201]
    # Faults target one operation: reading was never affected.
    assert (await http.get(f"{sandbox.base('x')}/2/users/me", headers=auth)).status_code == 200
    truth = (await http.get(f"{sandbox.url}/_control/posts")).json()
    assert [p["text"] for p in truth["posts"]] == ["t2"]


async def test_forced_429_carries_the_networks_headers(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    token = await connect(http, sandbox.url, "mastodon")
    await http.post(f"{sandbox.url}/_control/faults", json={"network": "mastodon", "kind": "429"})
    refused = await http.post(
        f"{sandbox.base('mastodon')}/api/v1/statuses",
        data={"status": "x"},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert (await http.get(f"{sandbox.url}/_control/faults")).json() == []


async def test_timeout_hangs_past_the_clients_patience(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    auth = await x_token(http, sandbox)
    await http.post(
        f"{sandbox.url}/_control/faults",
        json={"network": "x", "op": "post", "kind": "timeout", "hang_s": 5},
    )
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await http.post(
            f"{sandbox.base('x')}/2/tweets", json={"text": "lost"}, headers=auth, timeout=0.3
        )
    assert time.monotonic() - started < 2
    sandbox.reset()  # wakes the hanging request, so it does not outlive the test
    assert (await http.get(f"{sandbox.url}/_control/posts")).json()["total"] == 0


async def test_after_effect_posts_then_fails_so_a_blind_retry_would_post_twice(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    auth = await x_token(http, sandbox)
    await http.post(
        f"{sandbox.url}/_control/faults",
        json={"network": "x", "op": "post", "kind": "5xx", "after_effect": True},
    )
    failed = await http.post(
        f"{sandbox.base('x')}/2/tweets", json={"text": "in doubt"}, headers=auth
    )
    assert failed.status_code == 503
    truth = (await http.get(f"{sandbox.url}/_control/posts")).json()
    assert [p["text"] for p in truth["posts"]] == ["in doubt"]
    # Reconciliation finds it in the author's timeline.
    me = (await http.get(f"{sandbox.base('x')}/2/users/me", headers=auth)).json()["data"]
    timeline = (
        await http.get(f"{sandbox.base('x')}/2/users/{me['id']}/tweets", headers=auth)
    ).json()
    assert timeline["data"][0]["id"] == truth["posts"][0]["post_id"]


async def test_latency_delays_one_network(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    auth = await x_token(http, sandbox)
    await http.put(f"{sandbox.url}/_control/latency", json={"network": "x", "seconds": 0.3})
    started = time.monotonic()
    assert (await http.get(f"{sandbox.base('x')}/2/users/me", headers=auth)).status_code == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    ("network", "path", "body"),
    [
        (
            "linkedin",
            "/v2/userinfo",
            {
                "status": 401,
                "serviceErrorCode": 65601,
                "code": "REVOKED_ACCESS_TOKEN",
                "message": "The token used in the request has been revoked by the user",
            },
        ),
        (
            "x",
            "/2/users/me",
            {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
        ),
        (
            "mastodon",
            "/api/v1/accounts/verify_credentials",
            {"error": "The access token was revoked"},
        ),
    ],
)
async def test_revoking_an_accounts_tokens_gives_each_networks_401(
    sandbox: RunningSandbox,
    http: httpx.AsyncClient,
    network: Network,
    path: str,
    body: dict[str, object],
) -> None:
    token = await connect(http, sandbox.url, network, username="paul")
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await http.get(sandbox.base(network) + path, headers=headers)).status_code == 200
    revoked = await http.post(
        f"{sandbox.url}/_control/revoke", json={"network": network, "username": "paul"}
    )
    assert revoked.json()["revoked"] >= 1
    refused = await http.get(sandbox.base(network) + path, headers=headers)
    assert refused.status_code == 401 and refused.json() == body
    unknown = await http.get(
        sandbox.base(network) + path,
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert unknown.status_code == 401


async def test_accounts_can_be_given_an_audience(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    put = await http.put(f"{sandbox.url}/_control/accounts/x/newcomer", json={"followers": 12_345})
    assert put.json()["followers"] == 12_345
    auth = await x_token(http, sandbox, "newcomer")
    me = (
        await http.get(
            f"{sandbox.base('x')}/2/users/me",
            params={"user.fields": "public_metrics"},
            headers=auth,
        )
    ).json()["data"]
    assert me["username"] == "newcomer" and me["public_metrics"]["followers_count"] == 12_345
    minted = (
        await http.post(
            f"{sandbox.url}/_control/tokens", json={"network": "x", "username": "newcomer"}
        )
    ).json()
    assert minted["account_id"] == me["id"] and minted["refresh_token"]


class Recorder:
    """A tiny site on loopback that records who fetched it."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str, str]] = []
        app = FastAPI()

        @app.api_route("/s/{code}", methods=["GET", "HEAD"])
        async def short(code: str, request: Request) -> Response:
            self.hits.append(
                (request.method, request.url.path, request.headers.get("user-agent", ""))
            )
            return RedirectResponse(f"/article/{code}", status_code=302)

        @app.api_route("/article/{code}", methods=["GET", "HEAD"])
        async def article(code: str, request: Request) -> Response:
            self.hits.append(
                (request.method, request.url.path, request.headers.get("user-agent", ""))
            )
            return Response("<html><head><title>Hi</title></head></html>", media_type="text/html")

        self.server = ThreadedServer(app)


@pytest.fixture
def site() -> Iterator[Recorder]:
    recorder = Recorder()
    recorder.server.start()
    yield recorder
    recorder.server.stop()


async def test_unfurl_burst_hits_the_url_with_real_bot_agents_head_then_get(
    sandbox: RunningSandbox, http: httpx.AsyncClient, site: Recorder
) -> None:
    url = f"{site.server.url}/s/abc"
    answer = await http.post(
        f"{sandbox.url}/_control/unfurl", json={"url": url, "mastodon_instances": 3}, timeout=10
    )
    assert answer.status_code == 200
    # linkedin, x, bluesky and three Mastodon instances = 6 agents, HEAD then GET each.
    assert answer.json()["count"] == 12
    short_hits = [h for h in site.hits if h[1] == "/s/abc"]
    agents = {ua for _, _, ua in short_hits}
    assert len(short_hits) == 12
    assert any(ua.startswith("LinkedInBot/1.0") for ua in agents)
    assert "Twitterbot/1.0" in agents
    assert any("Cardyb" in ua for ua in agents)
    mastodon = sorted(ua for ua in agents if ua.startswith("http.rb/"))
    assert len(mastodon) == 3 and all("(Mastodon/4." in ua for ua in mastodon)
    # Each agent sent HEAD before GET, and followed the redirect (it stays on loopback).
    for ua in agents:
        methods = [m for m, path, a in site.hits if a == ua and path == "/s/abc"]
        assert methods == ["HEAD", "GET"]
    assert len([h for h in site.hits if h[1] == "/article/abc"]) == 12
    assert all(r["status"] == 200 for r in answer.json()["requests"])


async def test_unfurl_refuses_anything_but_loopback_and_oversized_bursts(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    outside = await http.post(
        f"{sandbox.url}/_control/unfurl", json={"url": "https://example.com/"}
    )
    assert outside.status_code == 422
    huge = await http.post(
        f"{sandbox.url}/_control/unfurl",
        json={"url": "http://127.0.0.1:9/", "mastodon_instances": 100},
    )
    assert huge.status_code == 422  # (3 + 100) agents x 2 methods > 200


async def test_reset_forgets_everything(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    auth = await x_token(http, sandbox)
    await http.post(f"{sandbox.base('x')}/2/tweets", json={"text": "gone soon"}, headers=auth)
    reset = await http.post(
        f"{sandbox.url}/_control/reset", json={"now": "2025-01-01T00:00:00Z", "frozen": True}
    )
    assert reset.json()["clock"] == {
        "now": 1735689600.0,
        "iso": "2025-01-01T00:00:00.000Z",
        "frozen": True,
    }
    assert (await http.get(f"{sandbox.url}/_control/posts")).json()["total"] == 0
    assert (await http.get(f"{sandbox.base('x')}/2/users/me", headers=auth)).status_code == 401
    await asyncio.sleep(0.01)
    assert (await http.get(f"{sandbox.url}/_control/clock")).json()["now"] == 1735689600.0
