"""A Mastodon instance under `/mastodon` (stands for e.g. `https://mastodon.social`).

Apps register themselves (`POST /api/v1/apps`) or use the default client; tokens never expire
and there is no refresh token. `POST /api/v1/statuses` honours `Idempotency-Key` for an hour per
account: the same key returns the original status instead of posting again.
"""

from __future__ import annotations

import html
import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from resonance.devstack.sandbox import consent, errors
from resonance.devstack.sandbox.analytics import metrics
from resonance.devstack.sandbox.clock import iso
from resonance.devstack.sandbox.config import MASTODON_SCOPES, OAuthClient
from resonance.devstack.sandbox.errors import NO_STORE, mastodon_error, oauth_error
from resonance.devstack.sandbox.inputs import read_params, strings
from resonance.devstack.sandbox.oauth import (
    OOB,
    TokenFailure,
    authenticate_client,
    exchange_code,
    has_scope,
    parse_scopes,
    revoke_token,
)
from resonance.devstack.sandbox.pipeline import Caller, sandbox_state, serve
from resonance.devstack.sandbox.state import Account, Post, SandboxState
from resonance.devstack.sandbox.text import mastodon_length

router = APIRouter(prefix="/mastodon", tags=["mastodon"])

VISIBILITIES = ("public", "unlisted", "private", "direct")
MAX_IDEMPOTENCY_KEY = 256
MAX_NAME = 200
MAX_REDIRECTS = 10
_INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)
_INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/mastodon"


def _token_error(failure: TokenFailure) -> JSONResponse:
    if failure.kind == "invalid_client":
        return oauth_error("invalid_client", _INVALID_CLIENT, 401)
    if failure.kind == "invalid_grant":
        return oauth_error("invalid_grant", _INVALID_GRANT)
    if failure.kind == "unsupported_grant_type":
        return oauth_error(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )
    return oauth_error(failure.kind, failure.description)


@router.post("/api/v1/apps")
async def register_app(request: Request) -> Response:
    params = await read_params(request)

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return mastodon_error(422, "Validation failed: request body malformed or too large")
        name = params.get("client_name")
        raw_uris = params.get("redirect_uris")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            return mastodon_error(422, "Validation failed: Application name can't be blank")
        uris = raw_uris.split() if isinstance(raw_uris, str) else raw_uris
        if (
            not isinstance(uris, list)
            or not uris
            or len(uris) > MAX_REDIRECTS
            or not all(
                isinstance(u, str) and len(u) <= 2_048 and (u == OOB or urlsplit(u).scheme)
                for u in uris
            )
        ):
            return mastodon_error(422, "Validation failed: Redirect URI must be an absolute URI.")
        scopes = parse_scopes(str(params.get("scopes") or "read"))
        if not scopes <= MASTODON_SCOPES:
            return mastodon_error(422, "Validation failed: Scopes are invalid")
        website = params.get("website") if isinstance(params.get("website"), str) else None
        client = OAuthClient(
            "mastodon",
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(32),
            scopes,
            tuple(uris),
            name=name.strip(),
            website=website,
        )
        state.register_client(client)
        return JSONResponse(
            {
                "id": str(len(state.clients)),
                "name": client.name,
                "website": website,
                "scopes": sorted(scopes),
                "redirect_uri": "\n".join(uris),
                "redirect_uris": uris,
                "vapid_key": "",
                "client_id": client.client_id,
                "client_secret": client.secret,
                "client_secret_expires_at": 0,
            }
        )

    return await serve(request, "mastodon", "register", handle, auth="none")


@router.get("/oauth/authorize")
async def authorize(request: Request) -> Response:
    return await consent.show(request, "mastodon")


@router.post("/oauth/authorize")
async def authorize_decision(request: Request) -> Response:
    return await consent.decide(request, "mastodon")


@router.post("/oauth/token")
async def token(request: Request) -> Response:
    params = await read_params(request)

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return oauth_error("invalid_request", "Malformed or oversized request body")
        form = strings(params)
        client = authenticate_client(state, "mastodon", request.headers.get("authorization"), form)
        if isinstance(client, TokenFailure):
            return _token_error(client)
        if form.get("grant_type") != "authorization_code":
            return _token_error(TokenFailure("unsupported_grant_type", ""))
        result = exchange_code(state, "mastodon", client, form)
        if isinstance(result, TokenFailure):
            return _token_error(result)
        body = {
            "access_token": result.access.token,
            "token_type": "Bearer",
            "scope": " ".join(sorted(result.access.scopes)),
            "created_at": int(result.access.issued_at),
        }
        return JSONResponse(body, headers=NO_STORE)

    return await serve(request, "mastodon", "token", handle, auth="none", limited=False)


@router.post("/oauth/revoke")
async def revoke(request: Request) -> Response:
    params = await read_params(request)

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return oauth_error("invalid_request", "Malformed or oversized request body")
        form = strings(params)
        client = authenticate_client(state, "mastodon", request.headers.get("authorization"), form)
        if isinstance(client, TokenFailure):
            return oauth_error(
                "unauthorized_client", "You are not authorized to revoke this token", 403
            )
        revoke_token(state, "mastodon", form.get("token", ""), client.client_id)
        return JSONResponse({})

    return await serve(request, "mastodon", "revoke", handle, auth="none", limited=False)


@router.get("/api/v2/instance")
async def instance(request: Request) -> dict[str, Any]:
    max_chars = sandbox_state(request).config.networks["mastodon"].max_text
    return {
        "domain": urlsplit(_base(request)).netloc,
        "title": "Resonance sandbox",
        "version": "4.3.0",
        "configuration": {
            "statuses": {
                "max_characters": max_chars,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            }
        },
    }


def account_body(state: SandboxState, request: Request, account: Account) -> dict[str, Any]:
    posts = state.posts_of("mastodon", account.id)
    url = f"{_base(request)}/@{account.username}"
    avatar = f"{_base(request)}/avatars/original/missing.png"
    return {
        "id": account.id,
        "username": account.username,
        "acct": account.username,
        "display_name": account.name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": iso(account.created_at),
        "note": "",
        "url": url,
        "uri": f"{_base(request)}/users/{account.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": avatar,
        "header_static": avatar,
        "followers_count": account.followers,
        "following_count": 0,
        "statuses_count": len(posts),
        "last_status_at": iso(posts[0].created_at)[:10] if posts else None,
        "emojis": [],
        "fields": [],
    }


def status_body(state: SandboxState, request: Request, post: Post) -> dict[str, Any]:
    account = state.account("mastodon", post.account_id)
    assert account is not None
    net = state.config.networks["mastodon"]
    m = metrics(
        account.followers, state.now() - post.created_at, net.reach_percent, net.saturation_s
    )
    client = state.client("mastodon", post.client_id)
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in post.text.split("\n\n") if p)
    return {
        "id": post.id,
        "created_at": iso(post.created_at),
        "in_reply_to_id": post.extra.get("in_reply_to_id"),
        "in_reply_to_account_id": None,
        "sensitive": bool(post.extra.get("sensitive", False)),
        "spoiler_text": post.extra.get("spoiler_text", ""),
        "visibility": post.visibility,
        "language": post.extra.get("language", "en"),
        "uri": f"{_base(request)}/users/{account.username}/statuses/{post.id}",
        "url": f"{_base(request)}/@{account.username}/{post.id}",
        "replies_count": m.comments,
        "reblogs_count": m.reshares,
        "favourites_count": m.reactions,
        "edited_at": None,
        "content": paragraphs,
        "reblog": None,
        "application": {"name": client.name if client else "Resonance", "website": None},
        "account": account_body(state, request, account),
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def _needs(caller: Caller, *any_of: str) -> Response | None:
    granted = caller.token.scopes if caller.token else frozenset()
    if any(has_scope("mastodon", granted, s) for s in any_of):
        return None
    return errors.forbidden("mastodon", any_of[0])


@router.get("/api/v1/accounts/verify_credentials")
async def verify_credentials(request: Request) -> Response:
    def handle(caller: Caller) -> Response:
        if refused := _needs(caller, "read:accounts", "profile"):
            return refused
        body = account_body(sandbox_state(request), request, caller.user)
        body["source"] = {
            "privacy": "public",
            "sensitive": False,
            "language": "",
            "note": "",
            "fields": [],
        }
        return JSONResponse(body)

    return await serve(request, "mastodon", "me", handle)


@router.post("/api/v1/statuses")
async def create_status(request: Request) -> Response:
    params = await read_params(request)
    key = request.headers.get("idempotency-key")

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := _needs(caller, "write:statuses"):
            return refused
        if params is None:
            return mastodon_error(422, "Validation failed: request body malformed or too large")
        if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
            return mastodon_error(422, "Validation failed: Idempotency-Key is too long")
        account = caller.user
        if key:
            earlier = state.idempotent_post("mastodon", account.id, key)
            if earlier is not None:
                return JSONResponse(status_body(state, request, earlier))
        text = params.get("status")
        if not isinstance(text, str) or not text.strip():
            return errors.invalid("mastodon", "Text can't be blank")
        limit = state.config.networks["mastodon"].max_text
        if mastodon_length(text) > limit:
            return errors.invalid("mastodon", f"Text character limit of {limit} exceeded")
        visibility = params.get("visibility") or "public"
        if visibility not in VISIBILITIES:
            return errors.invalid("mastodon", "Visibility is not included in the list")
        extra = {
            k: params[k]
            for k in ("language", "spoiler_text", "sensitive", "in_reply_to_id")
            if isinstance(params.get(k), str | bool)
        }
        post = Post(
            "mastodon",
            str(state.next_snowflake("mastodon")),
            account.id,
            account.username,
            text,
            state.now(),
            caller.client_id,
            key,
            visibility,
            extra,
        )
        state.add_post(post)
        if key:
            state.remember_idempotency("mastodon", account.id, key, post.id)
        return JSONResponse(status_body(state, request, post))

    return await serve(request, "mastodon", "post", handle)


def _visible(post: Post, caller: Caller) -> bool:
    if post.visibility in ("public", "unlisted"):
        return True
    return caller.account is not None and caller.account.id == post.account_id


@router.get("/api/v1/statuses/{status_id}")
async def get_status(request: Request, status_id: str) -> Response:
    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        post = state.post("mastodon", status_id[:32])
        if post is None or not _visible(post, caller):
            return errors.not_found("mastodon", "status")
        return JSONResponse(status_body(state, request, post))

    return await serve(request, "mastodon", "metrics", handle, auth="optional")


@router.get("/api/v1/accounts/{account_id}")
async def get_account(request: Request, account_id: str) -> Response:
    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        account = state.account("mastodon", account_id[:32])
        if account is None:
            return errors.not_found("mastodon", "account")
        return JSONResponse(account_body(state, request, account))

    return await serve(request, "mastodon", "me", handle, auth="optional")


@router.get("/api/v1/accounts/{account_id}/statuses")
async def account_statuses(request: Request, account_id: str) -> Response:
    query = request.query_params

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        account = state.account("mastodon", account_id[:32])
        if account is None:
            return errors.not_found("mastodon", "account")
        raw_limit = query.get("limit", "20")
        bounds = [query.get(k) for k in ("max_id", "since_id", "min_id")]
        if not raw_limit.isdigit() or not all(b is None or b.isdigit() for b in bounds):
            return errors.invalid("mastodon", "limit, max_id, since_id and min_id are numbers")
        limit = max(1, min(int(raw_limit), 40))
        max_id, since_id, min_id = (int(b) if b else None for b in bounds)
        posts = [
            p
            for p in state.posts_of("mastodon", account.id)
            if _visible(p, caller)
            and (max_id is None or int(p.id) < max_id)
            and (since_id is None or int(p.id) > since_id)
            and (min_id is None or int(p.id) > min_id)
        ]
        # min_id pages forward from the oldest: the `limit` statuses just above min_id.
        page = posts[-limit:] if min_id is not None else posts[:limit]
        response = JSONResponse([status_body(state, request, p) for p in page])
        if page:
            url = f"{_base(request)}/api/v1/accounts/{account.id}/statuses"
            response.headers["Link"] = (
                f'<{url}?max_id={page[-1].id}>; rel="next", <{url}?min_id={page[0].id}>; rel="prev"'
            )
        return response

    return await serve(request, "mastodon", "list_posts", handle, auth="optional")
