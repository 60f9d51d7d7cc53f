"""OAuth 2.0 authorization code with PKCE (S256), refresh and revocation, through authlib's
async httpx client (`AsyncOAuth2Client`), for every network alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from resonance.sharing.connectors.base import (
    NetworkError,
    Rejected,
    Tokens,
    Unauthorized,
    Unavailable,
)

try:
    # authlib's client runs on httpx2 when that is installed (it is in the workspace, through
    # scim2-client) and on httpx otherwise: its errors are either's, so catch both.
    import httpx2

    _STATUS_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPStatusError, httpx2.HTTPStatusError)
    _TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
        httpx.TimeoutException,
        httpx.TransportError,
        httpx2.TimeoutException,
        httpx2.TransportError,
    )
except ImportError:  # pragma: no cover - a deployment without httpx2
    _STATUS_ERRORS = (httpx.HTTPStatusError,)
    _TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.TransportError)

ClientAuth = Literal["client_secret_post", "client_secret_basic", "none"]
# Grant errors that mean "this code or refresh token is no good": the person must reconnect.
_DEAD_GRANT = {"invalid_grant", "invalid_request", "invalid_token", "unauthorized_client"}


@dataclass(frozen=True)
class OAuthApp:
    """This service's registered app at one network, and the network's OAuth endpoints."""

    authorize_url: str
    token_url: str
    revoke_url: str | None
    client_id: str
    client_secret: str = field(default="", repr=False)
    scopes: str = ""
    # How the token endpoint authenticates the app: LinkedIn and Mastodon take the secret in
    # the form, X confidential clients send HTTP Basic, X public clients nothing (PKCE).
    auth_method: ClientAuth = "client_secret_post"
    pkce: bool = True
    timeout_s: float = 10.0


def _scopes(raw: object) -> tuple[str, ...]:
    # LinkedIn lists granted scopes comma-separated, the others space-separated.
    return tuple(s for s in re.split(r"[\s,]+", raw) if s) if isinstance(raw, str) else ()


def tokens_from(token: dict[str, Any], now: datetime | None = None) -> Tokens:
    expires_at: datetime | None = None
    if isinstance(token.get("expires_at"), int | float):
        expires_at = datetime.fromtimestamp(float(token["expires_at"]), UTC)
    elif isinstance(token.get("expires_in"), int | float):
        start = now or datetime.now(UTC)
        expires_at = datetime.fromtimestamp(start.timestamp() + float(token["expires_in"]), UTC)
    access = token.get("access_token")
    if not isinstance(access, str) or not access:
        raise Rejected("the token endpoint answered no access token")
    refresh = token.get("refresh_token")
    return Tokens(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=expires_at,
        scopes=_scopes(token.get("scope")),
    )


def _client(app: OAuthApp, redirect_uri: str | None = None) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret or None,
        scope=app.scopes or None,
        redirect_uri=redirect_uri,
        code_challenge_method="S256" if app.pkce else None,
        token_endpoint_auth_method=app.auth_method,
        revocation_endpoint_auth_method=app.auth_method,
        timeout=app.timeout_s,
    )


def _translate(exc: Exception, *, dead_grant: type[NetworkError]) -> NetworkError:
    if isinstance(exc, OAuthError):
        detail = f"{exc.error}: {exc.description or ''}".strip(": ")
        return dead_grant(detail) if exc.error in _DEAD_GRANT else Rejected(detail)
    if isinstance(exc, _STATUS_ERRORS):
        status = exc.response.status_code  # type: ignore[attr-defined]
        if status == 401:
            return dead_grant(f"HTTP {status}", status=status)
        if status >= 500 or status == 429:
            return Unavailable(f"HTTP {status}", status=status)
        return Rejected(f"HTTP {status}", status=status)
    if isinstance(exc, _TRANSPORT_ERRORS):
        return Unavailable(f"token endpoint unreachable: {type(exc).__name__}")
    raise exc


async def authorization_url(
    app: OAuthApp, state: str, code_verifier: str, redirect_uri: str, **extra: str
) -> str:
    async with _client(app, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            app.authorize_url,
            state=state,
            code_verifier=code_verifier if app.pkce else None,
            **extra,
        )
    return str(url)


async def exchange_code(app: OAuthApp, code: str, code_verifier: str, redirect_uri: str) -> Tokens:
    """Trades the code; a refused code is Rejected (the person may simply try again)."""
    async with _client(app, redirect_uri) as client:
        try:
            # The "none" method puts client_id in the form (authlib's encode_none).
            extra = {"code_verifier": code_verifier} if app.pkce else {}
            token = await client.fetch_token(app.token_url, code=code, **extra)
        except Exception as exc:
            raise _translate(exc, dead_grant=Rejected) from exc
    return tokens_from(dict(token))


async def refresh(app: OAuthApp, refresh_token: str) -> Tokens:
    """A new access token. X rotates refresh tokens: the answer holds the only valid one, so
    the caller must store it before anything else can fail. A refused grant → Unauthorized."""
    async with _client(app) as client:
        try:
            token = await client.refresh_token(app.token_url, refresh_token=refresh_token)
        except Exception as exc:
            raise _translate(exc, dead_grant=Unauthorized) from exc
    body = dict(token)
    # authlib keeps the old refresh token when none came back; rotation means it is dead.
    if body.get("refresh_token") == refresh_token:
        body.pop("refresh_token")
    return tokens_from(body)


async def revoke(app: OAuthApp, token: str, hint: str = "access_token") -> bool:
    """RFC 7009 revocation; False when the network has no endpoint or refused."""
    if app.revoke_url is None:
        return False
    async with _client(app) as client:
        try:
            response = await client.revoke_token(app.revoke_url, token=token, token_type_hint=hint)
        except _TRANSPORT_ERRORS:
            return False
    return bool(response.status_code < 300)
