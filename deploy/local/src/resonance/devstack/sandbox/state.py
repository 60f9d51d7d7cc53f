"""Everything the sandbox remembers, in memory, behind one lock.

The server runs on a thread in tests and as a process in `make run`; control calls, OAuth flows
and API calls may arrive together, so every read-modify-write goes through `SandboxState.lock`
(re-entrant: a route holds it while calling the helpers below). Every collection is bounded:
the oldest entries go first, and dropped posts are counted so the ground truth says so.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from resonance.devstack.sandbox.clock import SandboxClock, iso
from resonance.devstack.sandbox.config import (
    NETWORKS,
    Network,
    OAuthClient,
    Quota,
    SandboxConfig,
    account_id,
    default_followers,
)

K = TypeVar("K")
V = TypeVar("V")

IDEMPOTENCY_TTL = 3_600  # Mastodon keeps an Idempotency-Key for one hour
DUPLICATE_WINDOW = 86_400  # X and LinkedIn refuse the same text from the same author [U]
MAX_UNFURL_RECORDS = 100
MAX_RATE_COUNTERS = 200_000


class BoundedMap(OrderedDict[K, V], Generic[K, V]):
    """Insertion-ordered map that forgets its oldest entries past `max_items`."""

    def __init__(self, max_items: int) -> None:
        super().__init__()
        self.max_items = max_items

    def put(self, key: K, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.max_items:
            self.popitem(last=False)


@dataclass
class Account:
    network: Network
    username: str
    id: str
    name: str
    email: str
    followers: int
    created_at: float


@dataclass
class AuthCode:
    code: str
    network: Network
    client_id: str
    account_id: str
    redirect_uri: str
    scopes: frozenset[str]
    challenge: str | None
    expires_at: float
    used: bool = False
    family: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class AccessToken:
    token: str
    network: Network
    client_id: str
    account_id: str
    scopes: frozenset[str]
    issued_at: float
    expires_at: float | None
    family: str
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    network: Network
    client_id: str
    account_id: str
    scopes: frozenset[str]
    issued_at: float
    expires_at: float | None
    family: str
    used: bool = False
    revoked: bool = False


@dataclass
class Post:
    network: Network
    id: str  # X / Mastodon snowflake, LinkedIn URN
    account_id: str
    username: str
    text: str
    created_at: float
    client_id: str
    idempotency_key: str | None = None
    visibility: str = "PUBLIC"
    extra: dict[str, Any] = field(default_factory=dict)

    def ground_truth(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "post_id": self.id,
            "account_id": self.account_id,
            "username": self.username,
            "text": self.text,
            "idempotency_key": self.idempotency_key,
            "client_id": self.client_id,
            "visibility": self.visibility,
            "created_at": iso(self.created_at),
        }


FaultKind = Literal["5xx", "429", "timeout"]


@dataclass
class Fault:
    id: str
    network: Network
    op: str  # an operation name or "*"
    kind: FaultKind
    remaining: int
    status: int = 503
    hang_s: float = 30.0
    after_effect: bool = False  # the call takes effect, then the client sees the failure

    def matches(self, network: Network, op: str) -> bool:
        return self.remaining > 0 and self.network == network and self.op in ("*", op)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "network": self.network,
            "op": self.op,
            "kind": self.kind,
            "remaining": self.remaining,
            "status": self.status,
            "hang_s": self.hang_s,
            "after_effect": self.after_effect,
        }


class SandboxState:
    def __init__(self, config: SandboxConfig, clock: SandboxClock) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        # Bumped by reset: requests hanging in a "timeout" fault give up when it changes.
        self.generation = 0
        self.signing_key: Any = None  # LinkedIn's id_token key, made on first use, kept on reset
        self._init()

    def _init(self) -> None:
        cfg = self.config
        self.accounts: dict[tuple[Network, str], Account] = {}
        self.usernames: dict[tuple[Network, str], str] = {}
        self.clients: BoundedMap[tuple[Network, str], OAuthClient] = BoundedMap(cfg.max_clients)
        for net in cfg.networks.values():
            for client in net.clients:
                self.clients.put((net.network, client.client_id), client)
        self.codes: BoundedMap[str, AuthCode] = BoundedMap(cfg.max_codes)
        self.tokens: BoundedMap[str, AccessToken] = BoundedMap(cfg.max_tokens)
        self.refresh_tokens: BoundedMap[str, RefreshToken] = BoundedMap(cfg.max_tokens)
        self.consents: BoundedMap[tuple[Network, str, str], frozenset[str]] = BoundedMap(
            cfg.max_tokens
        )
        self.posts: deque[Post] = deque()
        self.posts_by_id: dict[tuple[Network, str], Post] = {}
        self.posts_by_author: dict[tuple[Network, str], deque[Post]] = {}
        self.dropped_posts = 0
        self.rejected_duplicates = 0
        self.idempotency: BoundedMap[tuple[Network, str, str], tuple[str, float]] = BoundedMap(
            cfg.max_idempotency_keys
        )
        self.quotas: dict[Network, dict[str, Quota]] = {
            n: {q.name: q for q in cfg.networks[n].quotas} for n in NETWORKS
        }
        self.limits_enabled: dict[Network, bool] = dict.fromkeys(NETWORKS, True)
        self.counters: dict[tuple[str, ...], int] = {}
        self.faults: list[Fault] = []
        self.latency: dict[tuple[Network, str], float] = {}
        self.reject_duplicates = True
        self.unfurls: deque[dict[str, Any]] = deque(maxlen=MAX_UNFURL_RECORDS)
        self._last_snowflake: dict[Network, int] = dict.fromkeys(NETWORKS, 0)
        for demo in cfg.accounts:
            for network in NETWORKS:
                self.upsert_account(
                    network,
                    demo.username,
                    name=demo.name,
                    email=demo.email,
                    followers=demo.followers.get(network),
                )

    def reset(self, start: float | None = None, *, frozen: bool = False) -> None:
        with self.lock:
            self.generation += 1
            self.clock.reset(start, frozen=frozen)
            self._init()

    def now(self) -> float:
        return self.clock.now()

    # -- accounts -------------------------------------------------------------------------

    def upsert_account(
        self,
        network: Network,
        username: str,
        *,
        name: str | None = None,
        email: str | None = None,
        followers: int | None = None,
    ) -> Account:
        with self.lock:
            ident = self.usernames.get((network, username))
            account = self.accounts.get((network, ident)) if ident else None
            if account is None:
                if len(self.usernames) >= self.config.max_accounts_per_network * len(NETWORKS):
                    raise OverflowError("too many sandbox accounts")
                account = Account(
                    network=network,
                    username=username,
                    id=account_id(network, username),
                    name=name or username.replace(".", " ").replace("_", " ").title(),
                    email=email or f"{username}@example.com",
                    followers=default_followers(network, username)
                    if followers is None
                    else followers,
                    created_at=self.now(),
                )
                self.accounts[(network, account.id)] = account
                self.usernames[(network, username)] = account.id
                return account
            if name is not None:
                account.name = name
            if email is not None:
                account.email = email
            if followers is not None:
                account.followers = followers
            return account

    def account(self, network: Network, ident: str) -> Account | None:
        return self.accounts.get((network, ident))

    def account_by_username(self, network: Network, username: str) -> Account | None:
        ident = self.usernames.get((network, username))
        return self.accounts.get((network, ident)) if ident else None

    # -- clients --------------------------------------------------------------------------

    def client(self, network: Network, client_id: str) -> OAuthClient | None:
        return self.clients.get((network, client_id))

    def register_client(self, client: OAuthClient) -> None:
        with self.lock:
            self.clients.put((client.network, client.client_id), client)

    # -- posts ----------------------------------------------------------------------------

    def next_snowflake(self, network: Network) -> int:
        """Time-ordered ids like the real ones: milliseconds in the high bits, then a counter."""
        with self.lock:
            ms = int(self.now() * 1000)
            # Mastodon: ms << 16. X: Twitter's snowflake epoch; LinkedIn ids are shaped alike.
            candidate = ms << 16 if network == "mastodon" else (ms - 1_288_834_974_657) << 22
            value = max(candidate, self._last_snowflake[network] + 1)
            self._last_snowflake[network] = value
            return value

    def add_post(self, post: Post) -> None:
        with self.lock:
            self.posts.append(post)
            self.posts_by_id[(post.network, post.id)] = post
            self.posts_by_author.setdefault((post.network, post.account_id), deque()).append(post)
            while len(self.posts) > self.config.max_posts:
                old = self.posts.popleft()
                self.posts_by_id.pop((old.network, old.id), None)
                author = self.posts_by_author.get((old.network, old.account_id))
                if author and author[0] is old:
                    author.popleft()
                self.dropped_posts += 1

    def post(self, network: Network, post_id: str) -> Post | None:
        return self.posts_by_id.get((network, post_id))

    def posts_of(self, network: Network, account: str) -> list[Post]:
        """An author's posts, newest first."""
        with self.lock:
            return list(reversed(self.posts_by_author.get((network, account), ())))

    def recent_duplicate(self, network: Network, account: str, text: str) -> Post | None:
        if not self.reject_duplicates:
            return None
        horizon = self.now() - DUPLICATE_WINDOW
        for post in reversed(self.posts_by_author.get((network, account), ())):
            if post.created_at < horizon:
                return None
            if post.text == text:
                return post
        return None

    def idempotent_post(self, network: Network, account: str, key: str) -> Post | None:
        entry = self.idempotency.get((network, account, key))
        if entry is None or self.now() - entry[1] > IDEMPOTENCY_TTL:
            return None
        return self.post(network, entry[0])

    def remember_idempotency(self, network: Network, account: str, key: str, post_id: str) -> None:
        self.idempotency.put((network, account, key), (post_id, self.now()))

    # -- faults and latency ----------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            if len(self.faults) >= 1_000:
                raise OverflowError("too many pending faults")
            self.faults.append(fault)

    def take_fault(self, network: Network, op: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(network, op):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def latency_for(self, network: Network, op: str) -> float:
        with self.lock:
            return self.latency.get((network, op), self.latency.get((network, "*"), 0.0))
