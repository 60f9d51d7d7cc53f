"""Mastodon (one instance per deployment).

Tokens do not expire and there is no refresh token. `POST /api/v1/statuses` honours an
`Idempotency-Key` for an hour: resending with the same key returns the original status, so
a retry after an unknown outcome cannot post twice. Rate limits: `X-RateLimit-*`, the reset
as an ISO-8601 instant.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from resonance.sharing.connectors import http, oauth
from resonance.sharing.connectors.base import (
    Connector,
    Listing,
    NetworkAccount,
    PostStats,
    Published,
    Rejected,
    Tokens,
)
from resonance.sharing.domain.share_state import RecentPost

_LIST_PAGE = 40
_HREF = re.compile(r'href="([^"]+)"')
_TAG = re.compile(r"<[^<>]*>")
_PARAGRAPH = re.compile(r"</p>\s*<p>")


def plain_text(content: str) -> str:
    """A status's HTML as the text that was posted (paragraphs → blank lines)."""
    text = _PARAGRAPH.sub("\n\n", content).replace("<br>", "\n").replace("<br />", "\n")
    return html.unescape(_TAG.sub("", text))


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class MastodonConnector(Connector):
    network = "mastodon"
    idempotent_posts = True

    def __init__(self, app: oauth.OAuthApp, api_url: str, client: httpx.AsyncClient) -> None:
        self.app = app
        self.api = api_url.rstrip("/")
        self.http = client

    async def authorization_url(self, state: str, code_verifier: str, redirect_uri: str) -> str:
        return await oauth.authorization_url(self.app, state, code_verifier, redirect_uri)

    async def exchange_code(self, code: str, code_verifier: str, redirect_uri: str) -> Tokens:
        return await oauth.exchange_code(self.app, code, code_verifier, redirect_uri)

    async def revoke(self, tokens: Tokens) -> bool:
        return await oauth.revoke(self.app, tokens.access_token)

    async def account(self, access_token: str) -> NetworkAccount:
        response = await http.send(
            self.network,
            self.http,
            "GET",
            f"{self.api}/api/v1/accounts/verify_credentials",
            headers=http.bearer(access_token),
        )
        body = http.json_object(response)
        if not isinstance(body.get("id"), str):
            raise Rejected("verify_credentials answered no account id")
        followers = body.get("followers_count")
        name = body.get("display_name") or body.get("username")
        return NetworkAccount(
            user_id=body["id"],
            name=name if isinstance(name, str) else None,
            username=body.get("acct") if isinstance(body.get("acct"), str) else None,
            audience_size=followers if isinstance(followers, int) else None,
        )

    async def create_post(
        self, access_token: str, author_id: str, text: str, idempotency_key: str | None
    ) -> Published:
        headers = http.bearer(access_token)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = await http.send(
            self.network,
            self.http,
            "POST",
            f"{self.api}/api/v1/statuses",
            data={"status": text, "visibility": "public"},
            headers=headers,
        )
        body = http.json_object(response)
        if not isinstance(body.get("id"), str):
            raise Rejected("the status was created but Mastodon gave no id")
        url = body.get("url") or body.get("uri")
        return Published(
            body["id"],
            url if isinstance(url, str) else None,
            http.rate_headers(response.headers),
        )

    async def recent_posts(
        self, access_token: str, author_id: str, since: datetime
    ) -> Listing | None:
        response = await http.send(
            self.network,
            self.http,
            "GET",
            f"{self.api}/api/v1/accounts/{author_id}/statuses",
            params={"limit": str(_LIST_PAGE)},
            headers=http.bearer(access_token),
        )
        try:
            items: Any = response.json()
        except ValueError as exc:
            raise Rejected("statuses answered something that is not JSON") from exc
        posts: list[RecentPost] = []
        for item in items if isinstance(items, list) else []:
            created = _instant(item.get("created_at")) if isinstance(item, dict) else None
            if created is None or not isinstance(item.get("id"), str):
                continue
            content = str(item.get("content") or "")
            url = item.get("url")
            posts.append(
                RecentPost(
                    post_id=item["id"],
                    created_at=created,
                    text=plain_text(content),
                    links=tuple(html.unescape(h) for h in _HREF.findall(content)),
                    permalink=url if isinstance(url, str) else None,
                )
            )
        # A page not full lists everything; a full one everything since its oldest status.
        if len(posts) < _LIST_PAGE:
            return Listing(posts, datetime.min.replace(tzinfo=UTC))
        return Listing(posts, min(p.created_at for p in posts))

    async def fetch_metrics(
        self, access_token: str, author_id: str, post_ids: Sequence[str]
    ) -> dict[str, PostStats]:
        stats: dict[str, PostStats] = {}
        for post_id in post_ids:
            response = await http.send(
                self.network,
                self.http,
                "GET",
                f"{self.api}/api/v1/statuses/{post_id}",
                headers=http.bearer(access_token),
            )
            body = http.json_object(response)
            stats[post_id] = PostStats(
                post_id=post_id,
                reactions=_count(body, "favourites_count"),
                comments=_count(body, "replies_count"),
                reshares=_count(body, "reblogs_count"),
            )
        return stats


def _count(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    return value if isinstance(value, int) else 0
