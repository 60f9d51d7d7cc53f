"""Helpers for tests and benchmarks: a handle on a running sandbox and its control API, and
the browser's part of an OAuth flow (consent form, redirect) done over HTTP.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from resonance.devstack.sandbox.config import DEFAULT_CLIENTS, Network
from resonance.devstack.sandbox.oauth import s256
from resonance.devstack.sandbox.state import SandboxState

AUTHORIZE_PATHS: dict[Network, str] = {
    "linkedin": "/oauth/v2/authorization",
    "x": "/i/oauth2/authorize",
    "mastodon": "/oauth/authorize",
}
TOKEN_PATHS: dict[Network, str] = {
    "linkedin": "/oauth/v2/accessToken",
    "x": "/2/oauth2/token",
    "mastodon": "/oauth/token",
}
DEFAULT_SCOPES: dict[Network, str] = {
    "linkedin": (
        "openid profile email w_member_social r_member_social r_member_postAnalytics "
        "r_member_profileAnalytics"
    ),
    "x": "tweet.read tweet.write users.read offline.access",
    "mastodon": "read write",
}
CALLBACK = "http://127.0.0.1:9/callback"  # never fetched: the code is read from Location


@dataclass
class RunningSandbox:
    """A sandbox served on loopback; `state` is the live state (thread-safe) for direct use."""

    url: str
    state: SandboxState

    def base(self, network: Network) -> str:
        return f"{self.url}/{network}"

    def reset(self, now: float | None = None, *, frozen: bool = False) -> None:
        self.state.reset(now, frozen=frozen)


@dataclass(frozen=True)
class Authorization:
    code: str
    state: str
    verifier: str
    redirect_uri: str


async def authorize(
    http: httpx.AsyncClient,
    base_url: str,
    network: Network,
    *,
    username: str = "adam",
    scope: str | None = None,
    client_id: str | None = None,
    redirect_uri: str = CALLBACK,
    verifier: str | None = None,
) -> Authorization:
    """Opens the consent page, clicks Allow as `username`, returns the code from the redirect."""
    verifier = verifier or secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": client_id or DEFAULT_CLIENTS[network].client_id,
        "redirect_uri": redirect_uri,
        "scope": scope if scope is not None else DEFAULT_SCOPES[network],
        "state": state,
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    }
    url = f"{base_url}/{network}{AUTHORIZE_PATHS[network]}"
    page = await http.get(url, params=params, follow_redirects=False)
    if page.status_code == 302:  # LinkedIn: consent already given
        location = page.headers["location"]
    else:
        if page.status_code != 200:
            raise RuntimeError(f"consent page answered {page.status_code}: {page.text[:200]}")
        answer = await http.post(
            url, data={**params, "username": username, "decision": "allow"}, follow_redirects=False
        )
        if answer.status_code != 302:
            raise RuntimeError(f"consent answered {answer.status_code}: {answer.text[:200]}")
        location = answer.headers["location"]
    query = parse_qs(urlsplit(location).query)
    if "code" not in query:
        raise RuntimeError(f"authorization refused: {location}")
    if query.get("state") != [state]:
        raise RuntimeError("state did not round-trip")
    return Authorization(query["code"][0], state, verifier, redirect_uri)


async def exchange(
    http: httpx.AsyncClient,
    base_url: str,
    network: Network,
    grant: Authorization,
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    verifier: str | None = None,
) -> httpx.Response:
    """The token call, authenticated as each network's docs say (X: HTTP Basic)."""
    client = DEFAULT_CLIENTS[network]
    client_id = client_id or client.client_id
    secret = client_secret if client_secret is not None else client.secret
    form = {
        "grant_type": "authorization_code",
        "code": grant.code,
        "redirect_uri": grant.redirect_uri,
        "client_id": client_id,
        "code_verifier": verifier if verifier is not None else grant.verifier,
    }
    headers = {}
    if network == "x" and secret:
        pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    elif secret:
        form["client_secret"] = secret
    url = f"{base_url}/{network}{TOKEN_PATHS[network]}"
    return await http.post(url, data=form, headers=headers)


async def connect(
    http: httpx.AsyncClient, base_url: str, network: Network, **kwargs: Any
) -> dict[str, Any]:
    """The whole authorization code + PKCE flow; the network's token response."""
    grant = await authorize(http, base_url, network, **kwargs)
    response = await exchange(http, base_url, network, grant, client_id=kwargs.get("client_id"))
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


# Never fetched: tests read the sandbox's redirect and call the callback themselves. A loopback
# address, which the sandbox's apps accept as a redirect (RFC 8252 §7.3).
TEST_REDIRECT_BASE = "http://127.0.0.1:9"


def sharing_settings(
    sandbox_url: str, redirect_uri_base: str = TEST_REDIRECT_BASE, **overrides: Any
) -> dict[str, Any]:
    """SharingSettings fields pointing every connector at the sandbox with its demo clients."""
    values: dict[str, Any] = {"redirect_uri_base": redirect_uri_base}
    networks: tuple[Network, ...] = ("linkedin", "x", "mastodon")
    for network in networks:
        base = f"{sandbox_url}/{network}"
        client = DEFAULT_CLIENTS[network]
        values |= {
            f"{network}_auth_url": base,
            f"{network}_token_url": base,
            f"{network}_api_url": base,
            f"{network}_client_id": client.client_id,
            f"{network}_client_secret": client.secret or "",
            f"{network}_scopes": DEFAULT_SCOPES[network],
        }
    return values | overrides
