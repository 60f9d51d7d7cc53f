"""A small local OpenID Connect provider issuing RS256 JWT access tokens.

It speaks the real protocol (discovery document, JWKS, RFC 6749 token endpoint) so services
validate tokens exactly as they would against a production IdP. Grants:

- ``client_credentials`` for machine clients (client_secret_basic or client_secret_post);
- ``password`` (resource owner password credentials) for demo users. This grant is deprecated
  for real deployments (OAuth 2.0 Security BCP); it is here only as a dev stand-in so curl and
  scripts can log in without a browser. A production IdP uses authorization code + PKCE.

Run it with ``uvicorn --factory resonance.devstack.oidc:app_from_env`` (see stack.py).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

AUDIENCE = "resonance"
DEFAULT_TTL = 3600
DEFAULT_USER_SCOPE = "openid profile email"
_KEY_FILE = "oidc-signing-key.pem"


@dataclass(frozen=True)
class SigningKey:
    """The provider's RSA key: private part signs, `jwks()` publishes the public part."""

    key: RSAKey
    kid: str

    def jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}


def load_or_create_signing_key(key_dir: Path) -> SigningKey:
    """RSA 2048 key kept in `key_dir` so tokens stay valid across provider restarts."""
    key_dir = Path(key_dir)
    path = key_dir / _KEY_FILE
    if not path.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Write then rename: two processes starting at once must not read a half-written key.
        tmp = key_dir / f".{_KEY_FILE}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        if path.exists():
            tmp.unlink()
        else:
            tmp.rename(path)
    key = RSAKey.import_key(path.read_bytes())
    return SigningKey(key=key, kid=key.thumbprint())


def mint_token(
    signing_key: SigningKey,
    *,
    issuer: str,
    subject: str,
    tenant: str,
    roles: list[str],
    audience: str = AUDIENCE,
    scope: str = "",
    ttl: int = DEFAULT_TTL,
    name: str | None = None,
    email: str | None = None,
    extra: dict[str, Any] | None = None,
    now: int | None = None,
    typ: str = "at+jwt",
) -> str:
    """Sign an access token directly (tests use this without going through HTTP)."""
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer.rstrip("/"),
        "sub": subject,
        "aud": audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "jti": secrets.token_urlsafe(16),
        "tenant": tenant,
        "roles": list(roles),
        "scope": scope,
    }
    if name is not None:
        claims["name"] = name
    if email is not None:
        claims["email"] = email
    claims.update(extra or {})
    header = {"alg": "RS256", "typ": typ, "kid": signing_key.kid}
    return jwt.encode(header, claims, signing_key.key)


def _error(code: str, description: str, status: int = 400) -> JSONResponse:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="resonance-oidc"'
    return JSONResponse(
        {"error": code, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    return unquote_plus(client_id), unquote_plus(secret)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def create_oidc_app(
    issuer: str,
    key_dir: Path,
    clients: dict[str, dict[str, Any]],
    users: dict[str, dict[str, Any]],
    *,
    audience: str = AUDIENCE,
    ttl: int = DEFAULT_TTL,
) -> FastAPI:
    """Build the provider. `clients`/`users` use the shapes in demo_identities.py."""
    issuer = issuer.rstrip("/")
    signing_key = load_or_create_signing_key(key_dir)
    app = FastAPI(title="Resonance local OIDC provider", version="1")
    app.state.signing_key = signing_key

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/jwks",
            "token_endpoint": f"{issuer}/token",
            "grant_types_supported": ["client_credentials", "password"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "iat",
                "exp",
                "tenant",
                "roles",
                "scope",
                "name",
                "email",
            ],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return signing_key.jwks()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def authenticate_client(
        request: Request, form: dict[str, str]
    ) -> tuple[str, dict[str, Any]] | JSONResponse:
        basic = _basic_credentials(request)
        client_id, secret = (
            basic if basic else (form.get("client_id", ""), form.get("client_secret"))
        )
        client = clients.get(client_id)
        if not client_id or client is None:
            return _error("invalid_client", "unknown client", 401)
        expected = client.get("secret")
        if expected is not None and (secret is None or not _same(secret, expected)):
            return _error("invalid_client", "client authentication failed", 401)
        return client_id, client

    @app.post("/token")
    async def token(request: Request) -> JSONResponse:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return _error("invalid_request", "use application/x-www-form-urlencoded")
        form = {k: str(v) for k, v in (await request.form()).items()}
        grant = form.get("grant_type", "")
        if grant not in ("client_credentials", "password"):
            return _error("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        auth = authenticate_client(request, form)
        if isinstance(auth, JSONResponse):
            return auth
        client_id, client = auth
        allowed = client.get("grant_types", ["client_credentials"])
        if grant not in allowed:
            return _error("unauthorized_client", f"client may not use {grant}")

        if grant == "client_credentials":
            if client.get("secret") is None:
                return _error("invalid_client", "public clients cannot use client_credentials", 401)
            scope = form.get("scope") or client.get("scope", "")
            access = mint_token(
                signing_key,
                issuer=issuer,
                subject=client.get("sub", client_id),
                tenant=client["tenant"],
                roles=client.get("roles", []),
                audience=audience,
                scope=scope,
                ttl=ttl,
                extra={"client_id": client_id},
            )
            return _token_response(access, ttl, scope)

        username, password = form.get("username", ""), form.get("password", "")
        user = users.get(username)
        if user is None or not _same(password, user.get("password", secrets.token_hex())):
            return _error("invalid_grant", "invalid username or password")
        scope = form.get("scope") or DEFAULT_USER_SCOPE
        common = {
            "issuer": issuer,
            "subject": user["sub"],
            "tenant": user["tenant"],
            "roles": user["roles"],
            "ttl": ttl,
            "name": user.get("name"),
            "email": user.get("email"),
        }
        access = mint_token(
            signing_key,
            audience=audience,
            scope=scope,
            extra={"client_id": client_id, "preferred_username": username},
            **common,
        )
        id_token = None
        if "openid" in scope.split():
            id_token = mint_token(signing_key, audience=client_id, scope=scope, typ="JWT", **common)
        return _token_response(access, ttl, scope, id_token)

    return app


def _token_response(access: str, ttl: int, scope: str, id_token: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ttl,
        "scope": scope,
    }
    if id_token:
        body["id_token"] = id_token
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def app_from_env() -> FastAPI:
    """uvicorn factory: RESONANCE_OIDC_ISSUER, RESONANCE_OIDC_KEY_DIR; demo identities."""
    from resonance.devstack.demo_identities import DEMO_CLIENTS, DEMO_USERS

    issuer = os.environ.get("RESONANCE_OIDC_ISSUER", "http://127.0.0.1:8090")
    key_dir = Path(os.environ.get("RESONANCE_OIDC_KEY_DIR", ".data/oidc"))
    return create_oidc_app(issuer, key_dir, DEMO_CLIENTS, DEMO_USERS)
