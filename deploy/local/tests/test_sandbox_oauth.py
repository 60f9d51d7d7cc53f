"""OAuth 2.0 authorization code + PKCE against the sandbox, over real HTTP on loopback."""

import base64
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from resonance.devstack.sandbox.client import (
    CALLBACK,
    DEFAULT_SCOPES,
    RunningSandbox,
    authorize,
    connect,
    exchange,
)
from resonance.devstack.sandbox.config import Network
from resonance.devstack.sandbox.oauth import s256

TWO_HOURS = 7_200
SIXTY_DAYS = 5_184_000


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_consent_page_is_a_form_with_an_allow_button(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    params = {
        "response_type": "code",
        "client_id": "resonance-x",
        "redirect_uri": CALLBACK,
        "scope": "tweet.read users.read",
        "state": "s1",
        "code_challenge": s256("v" * 43),
        "code_challenge_method": "S256",
        "login_hint": "chloe",
    }
    page = await http.get(f"{sandbox.base('x')}/i/oauth2/authorize", params=params)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "value=allow" in page.text and "name=username" in page.text
    assert 'value="chloe"' in page.text  # the login hint prefills the account
    assert 'name="code_challenge"' in page.text  # carried to the POST


@pytest.mark.parametrize(
    ("network", "expires_in", "has_refresh"),
    [("linkedin", SIXTY_DAYS, False), ("x", TWO_HOURS, True), ("mastodon", None, False)],
)
async def test_full_pkce_flow_gives_each_networks_token(
    sandbox: RunningSandbox,
    http: httpx.AsyncClient,
    network: Network,
    expires_in: int | None,
    has_refresh: bool,
) -> None:
    body = await connect(http, sandbox.url, network, username="chloe")
    assert body["access_token"]
    assert body.get("expires_in") == expires_in
    assert ("refresh_token" in body) is has_refresh
    # The token works on the network's "who am I" endpoint, for the account that signed in.
    who = {
        "linkedin": ("/v2/userinfo", lambda j: j["name"]),
        "x": ("/2/users/me", lambda j: j["data"]["username"]),
        "mastodon": ("/api/v1/accounts/verify_credentials", lambda j: j["username"]),
    }[network]
    me = await http.get(
        sandbox.base(network) + who[0],
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert me.status_code == 200
    assert who[1](me.json()) in ("chloe", "Chloe Comms")


@pytest.mark.parametrize("network", ["linkedin", "x", "mastodon"])
async def test_a_wrong_code_verifier_is_refused(
    sandbox: RunningSandbox, http: httpx.AsyncClient, network: Network
) -> None:
    grant = await authorize(http, sandbox.url, network)
    wrong = await exchange(http, sandbox.url, network, grant, verifier="w" * 43)
    assert wrong.status_code == 400
    expected = {
        "linkedin": "invalid_request",  # LinkedIn's "Unable to retrieve access token: ..."
        "x": "invalid_request",  # X's "Value passed for the authorization code was invalid."
        "mastodon": "invalid_grant",  # Doorkeeper
    }[network]
    assert wrong.json()["error"] == expected


async def test_plain_pkce_is_refused_at_authorization(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    params = {
        "response_type": "code",
        "client_id": "resonance-x",
        "redirect_uri": CALLBACK,
        "scope": "tweet.read",
        "state": "abc",
        "code_challenge": "p" * 43,
        "code_challenge_method": "plain",
    }
    refused = await http.get(f"{sandbox.base('x')}/i/oauth2/authorize", params=params)
    assert refused.status_code == 302
    query = parse_qs(urlsplit(refused.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["abc"]
    # X requires PKCE: no challenge at all is refused too.
    del params["code_challenge"], params["code_challenge_method"]
    missing = await http.get(f"{sandbox.base('x')}/i/oauth2/authorize", params=params)
    assert parse_qs(urlsplit(missing.headers["location"]).query)["error"] == ["invalid_request"]


async def test_an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    params = {
        "response_type": "code",
        "client_id": "resonance-linkedin",
        "redirect_uri": "https://attacker.example/cb",
        "scope": "openid",
    }
    page = await http.get(f"{sandbox.base('linkedin')}/oauth/v2/authorization", params=params)
    assert page.status_code == 400 and "location" not in page.headers
    params["client_id"] = "nobody"
    assert (
        await http.get(f"{sandbox.base('linkedin')}/oauth/v2/authorization", params=params)
    ).status_code == 400


async def test_a_code_works_once_and_its_replay_revokes_the_token(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    grant = await authorize(http, sandbox.url, "mastodon")
    first = await exchange(http, sandbox.url, "mastodon", grant)
    assert first.status_code == 200
    replay = await exchange(http, sandbox.url, "mastodon", grant)
    assert replay.status_code == 400
    me = await http.get(
        f"{sandbox.base('mastodon')}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert me.status_code == 401 and me.json() == {"error": "The access token was revoked"}


async def test_x_refresh_tokens_rotate_and_a_replay_revokes_the_chain(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    first = await connect(http, sandbox.url, "x")
    token_url = f"{sandbox.base('x')}/2/oauth2/token"
    auth = basic("resonance-x", "resonance-x-secret")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": "resonance-x",
    }
    second = await http.post(token_url, data=form, headers=auth)
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["expires_in"] == TWO_HOURS
    # Re-using the spent refresh token: X's error body, and the whole chain is revoked.
    reuse = await http.post(token_url, data=form, headers=auth)
    assert reuse.status_code == 400
    assert reuse.json() == {
        "error": "invalid_request",
        "error_description": "Value passed for the token was invalid.",
    }
    chained = await http.post(
        token_url,
        data={**form, "refresh_token": rotated["refresh_token"]},
        headers=auth,
    )
    assert chained.status_code == 400
    me = await http.get(
        f"{sandbox.base('x')}/2/users/me",
        headers={"Authorization": f"Bearer {rotated['access_token']}"},
    )
    assert me.status_code == 401
    assert me.json()["title"] == "Unauthorized"


async def test_x_needs_offline_access_for_a_refresh_token_and_basic_auth_when_confidential(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    body = await connect(http, sandbox.url, "x", scope="tweet.read users.read")
    assert "refresh_token" not in body
    grant = await authorize(http, sandbox.url, "x")
    form = {
        "grant_type": "authorization_code",
        "code": grant.code,
        "client_id": "resonance-x",
        "client_secret": "resonance-x-secret",
        "redirect_uri": grant.redirect_uri,
        "code_verifier": grant.verifier,
    }
    posted_secret = await http.post(f"{sandbox.base('x')}/2/oauth2/token", data=form)
    assert posted_secret.status_code == 401
    assert posted_secret.json()["error_description"] == "Missing valid authorization header"
    # The public client needs no secret: PKCE authenticates it.
    public = await connect(http, sandbox.url, "x", client_id="resonance-x-public")
    assert public["refresh_token"]


async def test_x_access_token_expires_after_two_hours_of_sandbox_time(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    body = await connect(http, sandbox.url, "x")
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await http.get(f"{sandbox.base('x')}/2/users/me", headers=headers)).status_code == 200
    sandbox.state.clock.advance(TWO_HOURS)
    expired = await http.get(f"{sandbox.base('x')}/2/users/me", headers=headers)
    assert expired.status_code == 401


async def test_linkedin_token_lasts_60_days_without_refresh(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    body = await connect(http, sandbox.url, "linkedin")
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    sandbox.state.clock.advance(SIXTY_DAYS - 60)
    assert (
        await http.get(f"{sandbox.base('linkedin')}/v2/userinfo", headers=headers)
    ).status_code == 200
    sandbox.state.clock.advance(60)
    expired = await http.get(f"{sandbox.base('linkedin')}/v2/userinfo", headers=headers)
    assert expired.status_code == 401
    assert expired.json() == {
        "status": 401,
        "message": "The token used in the request has expired",
        "serviceErrorCode": 65602,
        "code": "EXPIRED_ACCESS_TOKEN",
    }
    refresh = await http.post(
        f"{sandbox.base('linkedin')}/oauth/v2/accessToken",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": "resonance-linkedin",
            "client_secret": "resonance-linkedin-secret",
        },
    )
    assert refresh.status_code == 400


async def test_linkedin_id_token_verifies_against_its_jwks_and_consent_is_skipped_next_time(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    body = await connect(http, sandbox.url, "linkedin", username="adam")
    config = (
        await http.get(f"{sandbox.base('linkedin')}/oauth/.well-known/openid-configuration")
    ).json()
    keys = KeySet.import_key_set((await http.get(config["jwks_uri"])).json())
    token = jwt.decode(body["id_token"], keys)
    userinfo = (
        await http.get(
            f"{sandbox.base('linkedin')}/v2/userinfo",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
    ).json()
    assert token.claims["sub"] == userinfo["sub"]
    assert token.claims["aud"] == "resonance-linkedin"
    assert userinfo["email"] == "adam@acme.example"
    # The same browser (cookie) and scopes: LinkedIn redirects straight back with a code.
    params = {
        "response_type": "code",
        "client_id": "resonance-linkedin",
        "redirect_uri": CALLBACK,
        "scope": DEFAULT_SCOPES["linkedin"],
        "state": "again",
    }
    again = await http.get(f"{sandbox.base('linkedin')}/oauth/v2/authorization", params=params)
    assert again.status_code == 302
    assert "code" in parse_qs(urlsplit(again.headers["location"]).query)


async def test_mastodon_app_registration_then_flow_and_revocation(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    base = sandbox.base("mastodon")
    app = await http.post(
        f"{base}/api/v1/apps",
        data={"client_name": "Resonance test", "redirect_uris": CALLBACK, "scopes": "read write"},
    )
    assert app.status_code == 200
    creds = app.json()
    assert creds["redirect_uris"] == [CALLBACK]
    bad = await http.post(f"{base}/api/v1/apps", data={"client_name": "x", "redirect_uris": "nope"})
    assert bad.status_code == 422 and bad.json()["error"].startswith("Validation failed")
    grant = await authorize(http, sandbox.url, "mastodon", client_id=creds["client_id"])
    token = await exchange(
        http,
        sandbox.url,
        "mastodon",
        grant,
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
    )
    assert token.status_code == 200
    access = token.json()["access_token"]
    revoked = await http.post(
        f"{base}/oauth/revoke",
        data={
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "token": access,
        },
    )
    assert revoked.status_code == 200 and revoked.json() == {}
    me = await http.get(
        f"{base}/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {access}"}
    )
    assert me.status_code == 401
    assert me.json() == {"error": "The access token was revoked"}
    assert 'error="invalid_token"' in me.headers["www-authenticate"]


async def test_denying_consent_redirects_with_each_networks_error(
    sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    params = {
        "response_type": "code",
        "client_id": "resonance-linkedin",
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "s",
        "username": "adam",
        "decision": "deny",
    }
    denied = await http.post(f"{sandbox.base('linkedin')}/oauth/v2/authorization", data=params)
    query = parse_qs(urlsplit(denied.headers["location"]).query)
    assert query["error"] == ["user_cancelled_authorize"] and query["state"] == ["s"]
