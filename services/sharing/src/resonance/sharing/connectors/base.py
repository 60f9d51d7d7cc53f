"""What every network connector offers, and the errors it raises.

A connector is I/O only: it speaks one network's HTTP API and maps its answers to these
values and errors; what to do about them (retry, refresh, fail) is decided by service/.
No token is ever logged or put in an error message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from resonance.sharing.domain.share_state import RecentPost


@dataclass(frozen=True)
class Tokens:
    """What a token endpoint answered. `expires_at` None: the token does not expire."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NetworkAccount:
    """The connected account as the network describes it."""

    user_id: str
    name: str | None = None
    username: str | None = None
    audience_size: int | None = None


@dataclass(frozen=True)
class Published:
    post_id: str
    url: str | None
    # The response's rate-limit headers: a success with nothing left paces the next call.
    rate_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Listing:
    """The author's recent posts, newest first as the network lists them.

    `complete_since`: every post made since then is in `posts` (None: cannot tell, e.g. the
    page was full and reaches back no further than its oldest post)."""

    posts: list[RecentPost]
    complete_since: datetime | None


@dataclass(frozen=True)
class PostStats:
    """Cumulative counts of one post, as far as the network reports them."""

    post_id: str
    impressions: int = 0
    reactions: int = 0
    comments: int = 0
    reshares: int = 0
    clicks: int = 0


# --- errors ----------------------------------------------------------------------------


class NetworkError(Exception):
    """A call to a network did not give what was asked. `detail` is the network's own words
    (never a token); `status` the HTTP status when there was an answer."""

    retryable = False

    def __init__(
        self, detail: str, *, status: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail[:500]
        self.status = status
        # Rate-limit headers of the answer (domain/pacing.py reads them).
        self.headers = headers or {}


class Unauthorized(NetworkError):
    """The token is expired, revoked or unknown (401, or a refused refresh grant)."""


class RateLimited(NetworkError):
    """429. `retry_at`: when the spent budget frees, as announced (None: not said)."""

    retryable = True

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = 429,
        headers: dict[str, str] | None = None,
        retry_at: datetime | None = None,
        scope: str = "account",
    ) -> None:
        super().__init__(detail, status=status, headers=headers)
        self.retry_at = retry_at
        # "account" (the member's own quota) or "app" (the whole application's).
        self.scope = scope


class Unavailable(NetworkError):
    """5xx, a timeout or a broken connection: the outcome of a write is unknown."""

    retryable = True


class Rejected(NetworkError):
    """A permanent refusal (4xx other than 401/429): retrying the same call cannot help."""


class DuplicatePost(Rejected):
    """The network refuses the text as a duplicate of a recent post (possibly ours: a post
    whose answer was lost). Reconcile before calling it failed."""

    def __init__(
        self, detail: str, *, status: int | None = None, existing_post_id: str | None = None
    ) -> None:
        super().__init__(detail, status=status)
        # LinkedIn names the post it considers the original.
        self.existing_post_id = existing_post_id


class NotSupported(NetworkError):
    """The network (or this app's grant) offers no such operation."""


# --- the interface ---------------------------------------------------------------------


class Connector(ABC):
    """One social network's API, as the sharing service uses it."""

    network: str
    # An expired access token can be renewed without the person (X, offline.access).
    refreshes_tokens: bool = False
    # The post endpoint honours an Idempotency-Key header (Mastodon).
    idempotent_posts: bool = False
    # Most ids a metrics call accepts (X: 100).
    metrics_batch: int = 1
    # A repost of the same text is refused naming the original (LinkedIn's DuplicatePost).
    names_duplicates: bool = False

    @abstractmethod
    async def authorization_url(self, state: str, code_verifier: str, redirect_uri: str) -> str:
        """Where to send the browser to grant access (PKCE S256 where the network takes it)."""

    @abstractmethod
    async def exchange_code(self, code: str, code_verifier: str, redirect_uri: str) -> Tokens:
        """Trades the authorization code for tokens."""

    async def refresh(self, refresh_token: str) -> Tokens:
        raise NotSupported(f"{self.network} tokens cannot be refreshed")

    @abstractmethod
    async def revoke(self, tokens: Tokens) -> bool:
        """Revokes the grant at the network; False where the network offers no way."""

    @abstractmethod
    async def account(self, access_token: str) -> NetworkAccount:
        """The connected account: id, name and audience size where available."""

    @abstractmethod
    async def create_post(
        self, access_token: str, author_id: str, text: str, idempotency_key: str | None
    ) -> Published:
        """Posts `text` as the account. Raises Unavailable when the outcome is unknown."""

    @abstractmethod
    async def recent_posts(
        self, access_token: str, author_id: str, since: datetime
    ) -> Listing | None:
        """The author's posts since about `since`; None where the network cannot list them."""

    @abstractmethod
    async def fetch_metrics(
        self, access_token: str, author_id: str, post_ids: Sequence[str]
    ) -> dict[str, PostStats]:
        """Metrics of up to `metrics_batch` posts of the author, by post id."""
