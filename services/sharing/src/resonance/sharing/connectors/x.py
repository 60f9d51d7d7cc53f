"""X (API v2) with OAuth 2.0 user context.

Access tokens last 2 hours; with `offline.access` a refresh token comes along, single use:
each refresh answers a new one and the old one dies. Rate limits come as `x-rate-limit-*`
(15-minute windows) and `x-user-limit-24hour-*` / `x-app-limit-24hour-*` (plan caps), resets
in Unix seconds. Metrics: up to 100 ids a call; non-public metrics only for the owner's posts
under 30 days old.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from resonance.sharing.connectors import http, oauth
from resonance.sharing.connectors.base import (
    Connector,
    DuplicatePost,
    Listing,
    NetworkAccount,
    PostStats,
    Published,
    Rejected,
    Tokens,
)
from resonance.sharing.domain.share_state import RecentPost

METRICS_BATCH = 100
NON_PUBLIC_MAX_AGE = timedelta(days=30)
_LIST_PAGE = 100


def permalink(username: str | None, post_id: str) -> str:
    return f"https://x.com/{username or 'i'}/status/{post_id}"


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _int(source: object, key: str) -> int:
    value = source.get(key) if isinstance(source, dict) else None
    return value if isinstance(value, int) else 0


class XConnector(Connector):
    network = "x"
    refreshes_tokens = True
    metrics_batch = METRICS_BATCH

    def __init__(self, app: oauth.OAuthApp, api_url: str, client: httpx.AsyncClient) -> None:
        self.app = app
        self.api = api_url.rstrip("/")
        self.http = client

    async def authorization_url(self, state: str, code_verifier: str, redirect_uri: str) -> str:
        return await oauth.authorization_url(self.app, state, code_verifier, redirect_uri)

    async def exchange_code(self, code: str, code_verifier: str, redirect_uri: str) -> Tokens:
        return await oauth.exchange_code(self.app, code, code_verifier, redirect_uri)

    async def refresh(self, refresh_token: str) -> Tokens:
        return await oauth.refresh(self.app, refresh_token)

    async def revoke(self, tokens: Tokens) -> bool:
        # Revoking the refresh token ends the whole grant; the access token dies with it.
        if tokens.refresh_token:
            return await oauth.revoke(self.app, tokens.refresh_token, "refresh_token")
        return await oauth.revoke(self.app, tokens.access_token)

    async def account(self, access_token: str) -> NetworkAccount:
        response = await http.send(
            self.network,
            self.http,
            "GET",
            f"{self.api}/2/users/me",
            params={"user.fields": "public_metrics"},
            headers=http.bearer(access_token),
        )
        data = http.json_object(response).get("data")
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise Rejected("users/me answered no user id")
        metrics = data.get("public_metrics")
        followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
        return NetworkAccount(
            user_id=data["id"],
            name=data.get("name") if isinstance(data.get("name"), str) else None,
            username=data.get("username") if isinstance(data.get("username"), str) else None,
            audience_size=followers if isinstance(followers, int) else None,
        )

    async def create_post(
        self, access_token: str, author_id: str, text: str, idempotency_key: str | None
    ) -> Published:
        # X has no idempotency key: the worker reconciles after an unknown outcome.
        try:
            response = await http.send(
                self.network,
                self.http,
                "POST",
                f"{self.api}/2/tweets",
                ok=(201, 200),
                json={"text": text},
                headers=http.bearer(access_token),
            )
        except Rejected as exc:
            if exc.status == 403 and "duplicate" in exc.detail.lower():
                raise DuplicatePost(exc.detail, status=403) from exc
            raise
        data = http.json_object(response).get("data")
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise Rejected("the post was created but X gave no id", status=response.status_code)
        return Published(
            data["id"], permalink(None, data["id"]), http.rate_headers(response.headers)
        )

    async def recent_posts(
        self, access_token: str, author_id: str, since: datetime
    ) -> Listing | None:
        start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = await http.send(
            self.network,
            self.http,
            "GET",
            f"{self.api}/2/users/{author_id}/tweets",
            params={
                "max_results": str(_LIST_PAGE),
                "start_time": start,
                "tweet.fields": "created_at,entities",
            },
            headers=http.bearer(access_token),
        )
        body = http.json_object(response)
        data = body.get("data")
        posts: list[RecentPost] = []
        for item in data if isinstance(data, list) else []:
            created = _instant(item.get("created_at")) if isinstance(item, dict) else None
            if created is None or not isinstance(item.get("id"), str):
                continue
            posts.append(
                RecentPost(
                    post_id=item["id"],
                    created_at=created,
                    text=str(item.get("text") or ""),
                    links=_expanded_links(item),
                    permalink=permalink(None, item["id"]),
                )
            )
        meta = body.get("meta")
        more = isinstance(meta, dict) and "next_token" in meta
        # Everything since `start_time` is listed unless X says there is another page.
        complete = since if not more else min((p.created_at for p in posts), default=None)
        return Listing(posts, complete)

    async def fetch_metrics(
        self, access_token: str, author_id: str, post_ids: Sequence[str]
    ) -> dict[str, PostStats]:
        if len(post_ids) > METRICS_BATCH:
            raise ValueError(f"X takes at most {METRICS_BATCH} ids a call")
        if not post_ids:
            return {}
        response = await http.send(
            self.network,
            self.http,
            "GET",
            f"{self.api}/2/tweets",
            params={
                "ids": ",".join(post_ids),
                "tweet.fields": "created_at,public_metrics,non_public_metrics",
            },
            headers=http.bearer(access_token),
        )
        data = http.json_object(response).get("data")
        stats: dict[str, PostStats] = {}
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                stats[item["id"]] = _stats(item)
        return stats


def _stats(item: dict[str, Any]) -> PostStats:
    public = item.get("public_metrics")
    private = item.get("non_public_metrics")  # absent past 30 days or for others' posts
    impressions = _int(private, "impression_count") or _int(public, "impression_count")
    return PostStats(
        post_id=item["id"],
        impressions=impressions,
        reactions=_int(public, "like_count"),
        comments=_int(public, "reply_count"),
        reshares=_int(public, "retweet_count") + _int(public, "quote_count"),
        clicks=_int(private, "url_link_clicks"),
    )


def _expanded_links(item: dict[str, Any]) -> tuple[str, ...]:
    # X shortens every link to t.co in `text`; the original is in entities.urls[].
    entities = item.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    return tuple(
        u["expanded_url"]
        for u in (urls if isinstance(urls, list) else [])
        if isinstance(u, dict) and isinstance(u.get("expanded_url"), str)
    )
