"""Bearer tokens are checked against the provider's JWKS: anything off is a 401."""

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from sqlalchemy import text

from resonance.devstack.testing import Infra, running_service

ITEM = {"family": "market", "format": "text", "title": "Industry analysis"}


def _unsigned(claims: dict[str, object]) -> str:
    def b64(part: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


def _claims(infra: Infra, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": infra.issuer,
        "aud": "resonance",
        "sub": "mallory",
        "iat": now,
        "exp": now + 600,
        "tenant": "acme",
        "roles": ["communicator"],
    }
    claims.update(overrides)
    return claims


def _bad_tokens(infra: Infra) -> dict[str, str]:
    forged_key = RSAKey.generate_key(2048)
    forged = jwt.encode({"alg": "RS256", "kid": infra.signing_key.kid}, _claims(infra), forged_key)
    # Key confusion: an HMAC token whose secret is the provider's public key.
    public_as_secret = OctKey.import_key(json.dumps(infra.signing_key.jwks()["keys"][0]).encode())
    hmac = jwt.encode(
        {"alg": "HS256", "kid": infra.signing_key.kid},
        _claims(infra),
        public_as_secret,
        algorithms=["HS256"],
    )
    return {
        "bad signature": forged,
        "wrong audience": infra.token(audience="someone-else"),
        "wrong issuer": infra.token(issuer="http://127.0.0.1:1/evil"),
        "expired": infra.token(now=int(time.time()) - 7200, ttl=60),
        "alg none": _unsigned(_claims(infra)),
        "hmac with public key": hmac,
        "garbage": "not-a-jwt",
    }


@pytest.fixture(scope="module")
def bad_tokens(infra: Infra) -> dict[str, str]:
    return _bad_tokens(infra)


@pytest.mark.parametrize(
    "case",
    [
        "bad signature",
        "wrong audience",
        "wrong issuer",
        "expired",
        "alg none",
        "hmac with public key",
        "garbage",
    ],
)
async def test_bad_tokens_are_refused(infra: Infra, bad_tokens: dict[str, str], case: str) -> None:
    async with running_service(infra, "content") as content:
        r = await content.client.post(
            "/v1/items", json=ITEM, headers={"Authorization": f"Bearer {bad_tokens[case]}"}
        )
        assert r.status_code == 401, (case, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"].startswith("Bearer")
        async with content.runtime.db.session() as session:
            stored = await session.execute(text("select count(*) from content_items"))
            assert stored.scalar_one() == 0


async def test_missing_token_and_wrong_role(infra: Infra) -> None:
    async with running_service(infra, "content") as content:
        r = await content.client.post("/v1/items", json=ITEM)
        assert r.status_code == 401
        r = await content.client.post(
            "/v1/items", json=ITEM, headers=infra.auth(roles=["ambassador"])
        )
        assert r.status_code == 403
        assert r.json()["title"] == "Forbidden"
        r = await content.client.post(
            "/v1/items", json=ITEM, headers=infra.auth(roles=["communicator"])
        )
        assert r.status_code == 201


async def test_token_through_the_providers_token_endpoint(infra: Infra) -> None:
    """The real OAuth 2.0 flow: password grant at the local provider, then the API."""
    import httpx

    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{infra.issuer}/token",
            data={
                "grant_type": "password",
                "username": "chloe",
                "password": "resonance",
                "client_id": "resonance-cli",
            },
        )
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        wrong = await http.post(
            f"{infra.issuer}/token",
            data={
                "grant_type": "password",
                "username": "chloe",
                "password": "nope",
                "client_id": "resonance-cli",
            },
        )
        assert wrong.status_code == 400
        assert wrong.json()["error"] == "invalid_grant"
    async with running_service(infra, "content") as content:
        r = await content.client.post(
            "/v1/items", json=ITEM, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 201, r.text


async def test_unknown_kid_refreshes_the_key_set_once() -> None:
    """A provider that rotates its signing key must not lock everyone out."""
    from fastapi import FastAPI

    from resonance.common.auth import InvalidToken, JwtVerifier
    from resonance.devstack.testing import ThreadedServer

    old = RSAKey.generate_key(2048, parameters={"kid": "old"})
    new = RSAKey.generate_key(2048, parameters={"kid": "new"})
    published = {"keys": [old.as_dict(private=False)]}
    fetches = []
    app = FastAPI()

    @app.get("/jwks")
    async def jwks() -> dict[str, object]:
        fetches.append(1)
        return published

    server = ThreadedServer(app).start()
    try:
        verifier = JwtVerifier(
            "https://idp", "resonance", f"{server.url}/jwks", min_refresh_interval_s=0
        )
        now = int(time.time())
        claims = {
            "iss": "https://idp",
            "aud": "resonance",
            "sub": "u",
            "exp": now + 60,
            "tenant": "acme",
        }
        token_old = jwt.encode({"alg": "RS256", "kid": "old"}, claims, old)
        assert (await verifier.verify(token_old)).tenant == "acme"
        published["keys"].append(new.as_dict(private=False))  # rotation
        token_new = jwt.encode({"alg": "RS256", "kid": "new"}, claims, new)
        assert (await verifier.verify(token_new)).subject == "u"
        assert len(fetches) == 2
        stranger = RSAKey.generate_key(2048, parameters={"kid": "x"})
        token_x = jwt.encode({"alg": "RS256", "kid": "x"}, claims, stranger)
        with pytest.raises(InvalidToken):
            await verifier.verify(token_x)
    finally:
        server.stop()
