"""LinkedIn: Sign In with OpenID Connect + Share on LinkedIn (posts as the member).

Self-serve apps get 60-day access tokens and no refresh token (the member re-authorises);
a post answers 201 with an empty body and its URN in `x-restli-id`. Quotas are daily (reset
at midnight UTC) and a 429 carries no rate-limit headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from resonance.sharing.connectors import http, oauth
from resonance.sharing.connectors.base import (
    Connector,
    DuplicatePost,
    Listing,
    NetworkAccount,
    NetworkError,
    PostStats,
    Published,
    Rejected,
    Tokens,
)
from resonance.sharing.domain.share_state import RecentPost

_DUPLICATE = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)", re.IGNORECASE)
_LIST_PAGE = 50
# memberCreatorPostAnalytics answers one metric per call.
_METRICS = {
    "IMPRESSION": "impressions",
    "REACTION": "reactions",
    "COMMENT": "comments",
    "RESHARE": "reshares",
}


def person_urn(member_id: str) -> str:
    return f"urn:li:person:{member_id}"


def permalink(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


class LinkedInConnector(Connector):
    network = "linkedin"
    names_duplicates = True

    def __init__(
        self, app: oauth.OAuthApp, api_url: str, version: str, client: httpx.AsyncClient
    ) -> None:
        self.app = app
        self.api = api_url.rstrip("/")
        self.version = version
        self.http = client

    def _rest(self, access_token: str) -> dict[str, str]:
        return {
            **http.bearer(access_token),
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": "2.0.0",
        }

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
            f"{self.api}/v2/userinfo",
            headers=http.bearer(access_token),
        )
        body = http.json_object(response)
        sub = body.get("sub")
        if not isinstance(sub, str) or not sub:
            raise Rejected("userinfo answered no member id")
        return NetworkAccount(
            user_id=sub,
            name=body.get("name") if isinstance(body.get("name"), str) else None,
            audience_size=await self._followers(access_token),
        )

    async def _followers(self, access_token: str) -> int | None:
        """Needs r_member_profileAnalytics (an approved product): None without it."""
        try:
            response = await http.send(
                self.network,
                self.http,
                "GET",
                f"{self.api}/rest/memberFollowersCount",
                params={"q": "me"},
                headers=self._rest(access_token),
            )
        except NetworkError:
            return None
        elements = http.json_object(response).get("elements")
        if isinstance(elements, list) and elements and isinstance(elements[0], dict):
            count = elements[0].get("memberFollowersCount")
            return count if isinstance(count, int) else None
        return None

    async def create_post(
        self, access_token: str, author_id: str, text: str, idempotency_key: str | None
    ) -> Published:
        body: dict[str, Any] = {
            "author": person_urn(author_id),
            "commentary": text,
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        try:
            response = await http.send(
                self.network,
                self.http,
                "POST",
                f"{self.api}/rest/posts",
                ok=(201,),
                json=body,
                headers=self._rest(access_token),
            )
        except Rejected as exc:
            found = _DUPLICATE.search(exc.detail)
            if exc.status == 422 and found:
                raise DuplicatePost(
                    exc.detail, status=422, existing_post_id=found.group(1)
                ) from exc
            raise
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise Rejected("the post was created but LinkedIn gave no id", status=201)
        return Published(urn, permalink(urn), http.rate_headers(response.headers))

    async def recent_posts(
        self, access_token: str, author_id: str, since: datetime
    ) -> Listing | None:
        """Needs r_member_social (restricted): None when the app does not hold it."""
        try:
            response = await http.send(
                self.network,
                self.http,
                "GET",
                # The URN goes encoded, as Rest.li protocol 2.0 wants.
                f"{self.api}/rest/posts?q=author&author={quote(person_urn(author_id), safe='')}"
                f"&count={_LIST_PAGE}&sortBy=CREATED",
                headers=self._rest(access_token),
            )
        except Rejected as exc:
            if exc.status == 403:
                return None
            raise
        elements = http.json_object(response).get("elements")
        posts: list[RecentPost] = []
        for element in elements if isinstance(elements, list) else []:
            if not isinstance(element, dict) or not isinstance(element.get("id"), str):
                continue
            created = element.get("createdAt") or element.get("publishedAt")
            if not isinstance(created, int):
                continue
            posts.append(
                RecentPost(
                    post_id=element["id"],
                    created_at=datetime.fromtimestamp(created / 1000, UTC),
                    text=str(element.get("commentary") or ""),
                    permalink=permalink(element["id"]),
                )
            )
        return Listing(posts, _complete_since(posts, _LIST_PAGE))

    async def fetch_metrics(
        self, access_token: str, author_id: str, post_ids: Sequence[str]
    ) -> dict[str, PostStats]:
        """Member post analytics (r_member_postAnalytics); one call per metric and post."""
        stats: dict[str, PostStats] = {}
        for urn in post_ids:
            kind = "share" if ":share:" in urn else "ugc"
            counts: dict[str, int] = {}
            for query_type, name in _METRICS.items():
                response = await http.send(
                    self.network,
                    self.http,
                    "GET",
                    f"{self.api}/rest/memberCreatorPostAnalytics?q=entity"
                    f"&entity=({kind}:{quote(urn, safe='')})"
                    f"&queryType={query_type}&aggregation=TOTAL",
                    headers=self._rest(access_token),
                )
                elements = http.json_object(response).get("elements")
                first = elements[0] if isinstance(elements, list) and elements else {}
                count = first.get("count") if isinstance(first, dict) else None
                counts[name] = count if isinstance(count, int) else 0
            stats[urn] = PostStats(post_id=urn, **counts)
        return stats


def _complete_since(posts: list[RecentPost], page: int) -> datetime | None:
    """A page not full lists everything; a full one everything since its oldest post."""
    if len(posts) < page:
        return datetime.min.replace(tzinfo=UTC)
    return min(p.created_at for p in posts)
