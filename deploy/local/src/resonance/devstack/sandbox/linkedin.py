"""LinkedIn under `/linkedin`: stands for both `https://www.linkedin.com` (OAuth) and
`https://api.linkedin.com` (`/v2/...`, `/rest/...`).

A self-serve app's member token lasts 60 days and comes with no refresh token: the member
re-authorises, and LinkedIn skips the consent screen when the grant still stands. `/rest/*`
calls must send `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0` (the sandbox
insists on both, so connectors are right before they meet the real API). A created post answers
201 with an empty body and its URN in `x-restli-id` (linkedin_posts.py); member analytics are
in linkedin_analytics.py.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from joserfc import jwt
from joserfc.jwk import RSAKey

from resonance.devstack.sandbox import consent, errors
from resonance.devstack.sandbox.errors import NO_STORE, linkedin_error, oauth_error
from resonance.devstack.sandbox.inputs import read_params, strings
from resonance.devstack.sandbox.oauth import (
    Issued,
    TokenFailure,
    authenticate_client,
    exchange_code,
    has_scope,
    revoke_token,
)
from resonance.devstack.sandbox.pipeline import Caller, sandbox_state, serve
from resonance.devstack.sandbox.state import Account, SandboxState

router = APIRouter(prefix="/linkedin", tags=["linkedin"])

ID_TOKEN_TTL = 3_600
_VERSION = re.compile(r"^20[0-9]{4}(\.[0-9]{2})?$")
_UNABLE = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)


def person_urn(account: Account) -> str:
    return f"urn:li:person:{account.id}"


def _token_error(failure: TokenFailure) -> JSONResponse:
    if failure.kind == "invalid_client":
        return oauth_error("invalid_client", "Client authentication failed", 401)
    if failure.kind == "invalid_grant":
        return oauth_error("invalid_request", _UNABLE)
    return oauth_error(failure.kind, failure.description)


def _signing_key(state: SandboxState) -> RSAKey:
    with state.lock:
        if state.signing_key is None:
            state.signing_key = RSAKey.generate_key(2048)
        key: RSAKey = state.signing_key
        return key


def _issuer(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}/linkedin/oauth"


def _names(account: Account) -> tuple[str, str]:
    given, _, family = account.name.partition(" ")
    return given, family


def _id_token(state: SandboxState, request: Request, issued: Issued) -> str:
    account = state.account("linkedin", issued.access.account_id)
    assert account is not None
    key = _signing_key(state)
    now = int(state.now())
    given, family = _names(account)
    claims: dict[str, Any] = {
        "iss": _issuer(request),
        "aud": issued.access.client_id,
        "sub": account.id,
        "iat": now,
        "exp": now + ID_TOKEN_TTL,
        "name": account.name,
        "given_name": given,
        "family_name": family,
        "locale": "en_US",
    }
    if "email" in issued.access.scopes:
        claims.update(email=account.email, email_verified=True)
    return jwt.encode({"alg": "RS256", "kid": key.thumbprint()}, claims, key)


def token_body(state: SandboxState, request: Request, issued: Issued) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": issued.access.token,
        "expires_in": issued.expires_in(state.now()),
        # LinkedIn lists granted scopes comma-separated [U].
        "scope": ",".join(sorted(issued.access.scopes)),
        "token_type": "Bearer",
    }
    if "openid" in issued.access.scopes:
        body["id_token"] = _id_token(state, request, issued)
    return body


@router.get("/oauth/v2/authorization")
async def authorize(request: Request) -> Response:
    return await consent.show(request, "linkedin")


@router.post("/oauth/v2/authorization")
async def authorize_decision(request: Request) -> Response:
    return await consent.decide(request, "linkedin")


@router.post("/oauth/v2/accessToken")
async def access_token(request: Request) -> Response:
    params = await read_params(request)

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return oauth_error("invalid_request", "Malformed or oversized request body")
        form = strings(params)
        client = authenticate_client(state, "linkedin", request.headers.get("authorization"), form)
        if isinstance(client, TokenFailure):
            return _token_error(client)
        grant = form.get("grant_type")
        if grant == "refresh_token":
            # Programmatic refresh tokens are for approved partner apps only.
            return oauth_error(
                "invalid_request", "Refresh tokens are not enabled for this application"
            )
        if grant != "authorization_code":
            return oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        result = exchange_code(state, "linkedin", client, form)
        if isinstance(result, TokenFailure):
            return _token_error(result)
        return JSONResponse(token_body(state, request, result), headers=NO_STORE)

    return await serve(request, "linkedin", "token", handle, auth="none", limited=False)


@router.post("/oauth/v2/revoke")
async def revoke(request: Request) -> Response:
    """Token revocation: form `client_id`, `client_secret`, `token`; 200 with an empty body."""
    params = await read_params(request)

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return oauth_error("invalid_request", "Malformed or oversized request body")
        form = strings(params)
        client = authenticate_client(state, "linkedin", request.headers.get("authorization"), form)
        if isinstance(client, TokenFailure):
            return _token_error(client)
        revoke_token(state, "linkedin", form.get("token", ""), client.client_id)
        return Response(status_code=200)

    return await serve(request, "linkedin", "revoke", handle, auth="none", limited=False)


@router.get("/oauth/.well-known/openid-configuration")
async def discovery(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/") + "/linkedin"
    return {
        "issuer": _issuer(request),
        "authorization_endpoint": f"{base}/oauth/v2/authorization",
        "token_endpoint": f"{base}/oauth/v2/accessToken",
        "userinfo_endpoint": f"{base}/v2/userinfo",
        "jwks_uri": f"{base}/oauth/openid/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
        "claims_supported": [
            "iss",
            "aud",
            "iat",
            "exp",
            "sub",
            "name",
            "given_name",
            "family_name",
            "picture",
            "email",
            "email_verified",
            "locale",
        ],
    }


@router.get("/oauth/openid/jwks")
async def jwks(request: Request) -> dict[str, Any]:
    key = _signing_key(sandbox_state(request))
    public = key.as_dict(private=False)
    return {"keys": [{**public, "kid": key.thumbprint(), "use": "sig", "alg": "RS256"}]}


def needs(caller: Caller, scope: str, resource: str) -> Response | None:
    granted = caller.token.scopes if caller.token else frozenset()
    return None if has_scope("linkedin", granted, scope) else errors.forbidden("linkedin", resource)


@router.get("/v2/userinfo")
async def userinfo(request: Request) -> Response:
    def handle(caller: Caller) -> Response:
        if refused := needs(caller, "openid", "userinfo.GET.NO_VERSION"):
            return refused
        account = caller.user
        given, family = _names(account)
        body: dict[str, Any] = {"sub": account.id, "locale": {"country": "US", "language": "en"}}
        if caller.token and "profile" in caller.token.scopes:
            body.update(
                name=account.name,
                given_name=given,
                family_name=family,
                picture=f"https://media.licdn.com/dms/image/sandbox/{account.id}",
            )
        if caller.token and "email" in caller.token.scopes:
            body.update(email=account.email, email_verified=True)
        return JSONResponse(body)

    return await serve(request, "linkedin", "me", handle)


@router.get("/v2/me")
async def legacy_me(request: Request) -> Response:
    """Needs the legacy profile scopes no self-serve app gets: always 403, as for real."""

    def handle(caller: Caller) -> Response:
        return errors.forbidden("linkedin", "me.GET.NO_VERSION")

    return await serve(request, "linkedin", "me", handle)


def rest_headers(request: Request) -> Response | None:
    version = request.headers.get("linkedin-version")
    if not version:
        return linkedin_error(
            400,
            "A version must be present. Please specify a version by adding the "
            "LinkedIn-Version header.",
            code="VERSION_MISSING",
        )
    if not _VERSION.match(version):
        return linkedin_error(
            400, f"Invalid version {version[:20]!r}: use YYYYMM", code="INVALID_VERSION"
        )
    if request.headers.get("x-restli-protocol-version") != "2.0.0":
        return linkedin_error(
            400,
            "Send X-Restli-Protocol-Version: 2.0.0 (sandbox requirement)",
            code="RESTLI_PROTOCOL_VERSION_REQUIRED",
        )
    return None


def paging(start: int, count: int, total: int | None = None) -> dict[str, Any]:
    paging: dict[str, Any] = {"start": start, "count": count, "links": []}
    if total is not None:
        paging["total"] = total
    return paging
