"""X (API v2) under `/x`: stands for both `https://x.com` (authorize) and `https://api.x.com`.

Access tokens last 2 hours; `offline.access` adds a single-use refresh token, and a replayed
refresh token revokes the whole chain. Metrics: `public_metrics` for anyone, `non_public_metrics`
and `organic_metrics` only for the author's own token and posts under 30 days old.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from resonance.devstack.sandbox import consent, errors
from resonance.devstack.sandbox.analytics import metrics
from resonance.devstack.sandbox.clock import iso, parse_instant
from resonance.devstack.sandbox.errors import NO_STORE, X_PROBLEMS, oauth_error, x_problem
from resonance.devstack.sandbox.inputs import csv_list, read_json, read_params, strings
from resonance.devstack.sandbox.oauth import (
    Issued,
    TokenFailure,
    authenticate_client,
    exchange_code,
    has_scope,
    refresh,
    revoke_token,
)
from resonance.devstack.sandbox.pipeline import Caller, sandbox_state, serve
from resonance.devstack.sandbox.state import Account, Post, SandboxState
from resonance.devstack.sandbox.text import x_weighted_length

router = APIRouter(prefix="/x", tags=["x"])

NON_PUBLIC_MAX_AGE = 30 * 86_400
PRIVATE_FIELDS = ("non_public_metrics", "organic_metrics")
_ID = re.compile(r"^[0-9]{1,19}$")


def _token_error(failure: TokenFailure) -> JSONResponse:
    if failure.kind == "invalid_client":
        return oauth_error("unauthorized_client", "Missing valid authorization header", 401)
    if failure.kind == "invalid_grant":
        return oauth_error(
            "invalid_request", "Value passed for the authorization code was invalid."
        )
    if failure.kind in ("refresh_invalid", "refresh_reused"):
        return oauth_error("invalid_request", "Value passed for the token was invalid.")
    return oauth_error(failure.kind, failure.description)


def token_body(issued: Issued, now: float) -> dict[str, Any]:
    body: dict[str, Any] = {
        "token_type": "bearer",
        "expires_in": issued.expires_in(now),
        "access_token": issued.access.token,
        "scope": " ".join(sorted(issued.access.scopes)),
    }
    if issued.refresh is not None:
        body["refresh_token"] = issued.refresh.token
    return body


def _needs(caller: Caller, *scopes: str) -> Response | None:
    granted = caller.token.scopes if caller.token else frozenset()
    missing = [s for s in scopes if not has_scope("x", granted, s)]
    return errors.forbidden("x", " ".join(missing)) if missing else None


@router.get("/i/oauth2/authorize")
async def authorize(request: Request) -> Response:
    return await consent.show(request, "x")


@router.post("/i/oauth2/authorize")
async def authorize_decision(request: Request) -> Response:
    return await consent.decide(request, "x")


@router.post("/2/oauth2/token")
async def token(request: Request) -> Response:
    params = await read_params(request)

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return oauth_error("invalid_request", "Malformed or oversized request body")
        form = strings(params)
        client = authenticate_client(state, "x", request.headers.get("authorization"), form)
        if isinstance(client, TokenFailure):
            return _token_error(client)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            result = exchange_code(state, "x", client, form)
        elif grant == "refresh_token":
            result = refresh(state, "x", client, form)
        else:
            return oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        if isinstance(result, TokenFailure):
            return _token_error(result)
        return JSONResponse(token_body(result, state.now()), headers=NO_STORE)

    return await serve(request, "x", "token", handle, auth="none", limited=False)


@router.post("/2/oauth2/revoke")
async def revoke(request: Request) -> Response:
    params = await read_params(request)

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return oauth_error("invalid_request", "Malformed or oversized request body")
        form = strings(params)
        client = authenticate_client(state, "x", request.headers.get("authorization"), form)
        if isinstance(client, TokenFailure):
            return _token_error(client)
        revoke_token(state, "x", form.get("token", ""), client.client_id)
        return JSONResponse({"revoked": True})

    return await serve(request, "x", "revoke", handle, auth="none", limited=False)


def user_body(state: SandboxState, account: Account, fields: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": account.id, "name": account.name, "username": account.username}
    if "public_metrics" in fields:
        body["public_metrics"] = {
            "followers_count": account.followers,
            "following_count": 0,
            "tweet_count": len(state.posts_of("x", account.id)),
            "listed_count": 0,
            "like_count": 0,
        }
    if "created_at" in fields:
        body["created_at"] = iso(account.created_at)
    if "description" in fields:
        body["description"] = ""
    if "profile_image_url" in fields:
        body["profile_image_url"] = (
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
        )
    if "verified" in fields:
        body["verified"] = False
    if "protected" in fields:
        body["protected"] = False
    return body


@router.get("/2/users/me")
async def me(request: Request) -> Response:
    fields = csv_list(request.query_params.get("user.fields"))

    def handle(caller: Caller) -> Response:
        if fields is None:
            return errors.invalid("x", "too many user.fields", "user.fields")
        if refused := _needs(caller, "tweet.read", "users.read"):
            return refused
        return JSONResponse({"data": user_body(sandbox_state(request), caller.user, fields)})

    return await serve(request, "x", "me", handle)


@router.post("/2/tweets")
async def create_tweet(request: Request) -> Response:
    body = await read_json(request)
    idempotency_key = request.headers.get("idempotency-key")

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := _needs(caller, "tweet.read", "tweet.write", "users.read"):
            return refused
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return errors.invalid("x", "text is required and must be a string")
        text: str = body["text"]
        weighted = x_weighted_length(text)
        limit = state.config.networks["x"].max_text
        if not text.strip():
            return errors.invalid("x", "text must not be empty")
        if weighted > limit:
            return errors.invalid(
                "x", f"Your text is too long: {weighted} of {limit} weighted characters"
            )
        if state.recent_duplicate("x", caller.user.id, text):
            state.rejected_duplicates += 1
            return x_problem(
                403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
            )
        post_id = str(state.next_snowflake("x"))
        extra = {k: body[k] for k in ("reply", "quote_tweet_id") if k in body}
        state.add_post(
            Post(
                "x",
                post_id,
                caller.user.id,
                caller.user.username,
                text,
                state.now(),
                caller.client_id,
                (idempotency_key or "")[:256] or None,
                extra=extra,
            )
        )
        data = {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}
        return JSONResponse({"data": data}, status_code=201)

    return await serve(request, "x", "post", handle)


def _field_error(post: Post, field: str) -> dict[str, Any]:
    return {
        "value": post.id,
        "detail": f"Sorry, you are not authorized to access '{field}' on the Tweet with ids [{post.id}].",
        "title": "Field Authorization Error",
        "resource_type": "tweet",
        "parameter": "tweet.fields",
        "resource_id": post.id,
        "section": "data",
        "field": field,
        "type": X_PROBLEMS + "not-authorized-for-field",
    }


def tweet_body(
    state: SandboxState, post: Post, fields: list[str], caller: Caller
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One tweet with the requested fields, and the field errors X reports beside `data`."""
    body: dict[str, Any] = {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}
    problems: list[dict[str, Any]] = []
    author = state.account("x", post.account_id)
    age = state.now() - post.created_at
    net = state.config.networks["x"]
    m = metrics(author.followers if author else 0, age, net.reach_percent, net.saturation_s)
    if "created_at" in fields:
        body["created_at"] = iso(post.created_at)
    if "author_id" in fields:
        body["author_id"] = post.account_id
    if "public_metrics" in fields:
        body["public_metrics"] = {
            "retweet_count": m.reshares,
            "reply_count": m.comments,
            "like_count": m.reactions,
            "quote_count": m.quotes,
            "bookmark_count": m.bookmarks,
            "impression_count": m.impressions,
        }
    owner = caller.account is not None and caller.account.id == post.account_id
    for field in PRIVATE_FIELDS:
        if field not in fields:
            continue
        if not owner or age >= NON_PUBLIC_MAX_AGE:
            problems.append(_field_error(post, field))
        elif field == "non_public_metrics":
            body[field] = {
                "impression_count": m.impressions,
                "url_link_clicks": m.link_clicks,
                "user_profile_clicks": m.profile_clicks,
            }
        else:
            body[field] = {
                "impression_count": m.impressions,
                "like_count": m.reactions,
                "reply_count": m.comments,
                "retweet_count": m.reshares,
                "url_link_clicks": m.link_clicks,
                "user_profile_clicks": m.profile_clicks,
            }
    return body, problems


def _not_found(value: str, kind: str = "tweet") -> dict[str, Any]:
    noun = "tweet" if kind == "tweet" else "user"
    return {
        "value": value,
        "detail": f"Could not find {noun} with {'ids' if kind == 'tweet' else 'id'}: [{value}].",
        "title": "Not Found Error",
        "resource_type": kind,
        "parameter": "ids" if kind == "tweet" else "id",
        "resource_id": value,
        "type": X_PROBLEMS + "resource-not-found",
    }


def _answer(
    data: Any, problems: list[dict[str, Any]], meta: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {}
    if data:
        body["data"] = data
    if problems:
        body["errors"] = problems
    if meta is not None:
        body["meta"] = meta
    return JSONResponse(body)


@router.get("/2/tweets")
async def lookup_tweets(request: Request) -> Response:
    ids = csv_list(request.query_params.get("ids"), limit=100)
    fields = csv_list(request.query_params.get("tweet.fields"))

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := _needs(caller, "tweet.read", "users.read"):
            return refused
        if ids is None or fields is None:
            return errors.invalid("x", "ids: at most 100 ids; tweet.fields: at most 100", "ids")
        if not ids or not all(_ID.match(i) for i in ids):
            return errors.invalid("x", "ids must be 1 to 100 numeric tweet ids", "ids")
        data: list[dict[str, Any]] = []
        problems: list[dict[str, Any]] = []
        for tweet_id in ids:
            post = state.post("x", tweet_id)
            if post is None:
                problems.append(_not_found(tweet_id))
                continue
            body, field_problems = tweet_body(state, post, fields, caller)
            data.append(body)
            problems.extend(field_problems)
        return _answer(data, problems)

    return await serve(request, "x", "metrics", handle)


@router.get("/2/tweets/{tweet_id}")
async def lookup_tweet(request: Request, tweet_id: str) -> Response:
    fields = csv_list(request.query_params.get("tweet.fields"))

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := _needs(caller, "tweet.read", "users.read"):
            return refused
        post = state.post("x", tweet_id) if _ID.match(tweet_id) else None
        if post is None or fields is None:
            return _answer(None, [_not_found(tweet_id[:32])])
        body, problems = tweet_body(state, post, fields, caller)
        return _answer(body, problems)

    return await serve(request, "x", "metrics", handle)


@router.get("/2/users/{user_id}/tweets")
async def user_tweets(request: Request, user_id: str) -> Response:
    query = request.query_params
    fields = csv_list(query.get("tweet.fields"))

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := _needs(caller, "tweet.read", "users.read"):
            return refused
        raw_max = query.get("max_results", "10")
        if fields is None or not raw_max.isdigit() or not 5 <= int(raw_max) <= 100:
            return errors.invalid("x", "max_results must be between 5 and 100", "max_results")
        author = state.account("x", user_id) if _ID.match(user_id) else None
        if author is None:
            return _answer(None, [_not_found(user_id[:32], "user")])
        try:
            posts = _window(state.posts_of("x", author.id), query)
        except ValueError:
            return errors.invalid(
                "x", "invalid since_id, until_id, start_time or end_time", "start_time"
            )
        page = posts[: int(raw_max)]
        data = [tweet_body(state, p, fields, caller)[0] for p in page]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
        if len(posts) > len(page):
            meta["next_token"] = page[-1].id
        return _answer(data, [], meta)

    return await serve(request, "x", "list_posts", handle)


def _window(posts: list[Post], query: Any) -> list[Post]:
    """since_id / until_id / start_time / end_time / pagination_token filters, newest first."""
    since, until, token = (
        query.get("since_id"),
        query.get("until_id"),
        query.get("pagination_token"),
    )
    start, end = query.get("start_time"), query.get("end_time")
    for value in (since, until, token):
        if value is not None and not _ID.match(value):
            raise ValueError(value)
    start_s = parse_instant(start) if start else None
    end_s = parse_instant(end) if end else None
    kept = []
    for post in posts:
        number = int(post.id)
        if since and number <= int(since):
            continue
        if until and number >= int(until):
            continue
        if token and number >= int(token):
            continue
        if start_s is not None and post.created_at < start_s:
            continue
        if end_s is not None and post.created_at > end_s:
            continue
        kept.append(post)
    return kept
