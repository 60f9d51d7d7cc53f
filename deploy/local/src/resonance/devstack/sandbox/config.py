"""What the sandbox plays: OAuth clients, demo accounts, token lifetimes and rate limits.

Every value marked [U] in /work/shared/social-networks.md (not confirmed from a primary source)
is a default here, changeable through the control API (`PUT /_control/limits/{network}`).
Client secrets below are public demo values for a development machine: never reuse them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Network = Literal["linkedin", "x", "mastodon"]
NETWORKS: tuple[Network, ...] = ("linkedin", "x", "mastodon")

# Operation names: the unit for faults, latency and rate limits (`*` matches all of them).
OPS = (
    "authorize",
    "token",
    "revoke",
    "register",
    "me",
    "followers",
    "post",
    "list_posts",
    "metrics",
)

DAY = 86_400
HOUR = 3_600
MINUTES_15 = 900
MINUTES_5 = 300


@dataclass(frozen=True)
class OAuthClient:
    """An app registered with one network.

    `allow_loopback_redirects` accepts any http://127.0.0.1:<port>/… or http://localhost:<port>/…
    redirect (RFC 8252 §7.3 lets the port vary on loopback), so the local stack needs no exact
    callback list; the redirect_uri given at authorization must still match at the token call.
    """

    network: Network
    client_id: str
    secret: str | None  # None: a public client (X only; PKCE then authenticates it)
    scopes: frozenset[str]  # what this app may request
    redirect_uris: tuple[str, ...] = ()
    allow_loopback_redirects: bool = False
    name: str = "Resonance"
    website: str | None = None


@dataclass(frozen=True)
class OAuthPolicy:
    """Token lifetimes and grant rules of one network."""

    access_ttl: int | None  # None: the token never expires (Mastodon)
    code_ttl: int
    require_pkce: bool
    rotating_refresh: bool  # X: single-use refresh tokens, only with `offline.access`
    refresh_ttl: int | None = None
    skip_consent_when_granted: bool = False  # LinkedIn redirects straight back


@dataclass(frozen=True)
class Quota:
    """A fixed window of `limit` calls per `period_s`, aligned on the Unix epoch.

    Windows aligned on the epoch give LinkedIn's "reset at midnight UTC" for a day and
    rack-attack's (Mastodon's) 5-minute periods; X's 15-minute windows are close enough.
    `scope` "user" counts per account (per client IP when a call carries no token), "app" per
    client id. `ops` lists the operations counted ("*" = every operation of the network);
    `per_op` gives each operation its own counter (LinkedIn quotas are per endpoint).
    `headers` names the header family this quota reports in (None: no headers, LinkedIn).
    """

    name: str
    ops: tuple[str, ...]
    scope: Literal["user", "app"]
    limit: int
    period_s: int
    headers: str | None = None
    per_op: bool = False

    def applies_to(self, op: str) -> bool:
        return "*" in self.ops or op in self.ops


@dataclass(frozen=True)
class NetworkConfig:
    network: Network
    policy: OAuthPolicy
    clients: tuple[OAuthClient, ...]
    quotas: tuple[Quota, ...]
    max_text: int
    reset_style: Literal["epoch", "iso", "none"]
    reach_percent: int  # impressions at saturation, in % of followers (analytics.py)
    saturation_s: int  # age at which a post's reach stops growing


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    email: str
    followers: dict[Network, int]


@dataclass(frozen=True)
class SandboxConfig:
    networks: dict[Network, NetworkConfig]
    accounts: tuple[DemoAccount, ...]
    default_username: str = "adam"
    max_accounts_per_network: int = 20_000
    max_tokens: int = 200_000
    max_codes: int = 20_000
    max_posts: int = 200_000
    max_idempotency_keys: int = 100_000
    max_clients: int = 1_000
    extra: dict[str, str] = field(default_factory=dict)


LINKEDIN_SCOPES = frozenset(
    {
        "openid",
        "profile",
        "email",
        "w_member_social",
        # Restricted products, granted to the demo app as if LinkedIn had approved it.
        "r_member_social",
        "r_member_postAnalytics",
        "r_member_profileAnalytics",
    }
)
X_SCOPES = frozenset(
    {
        "tweet.read",
        "tweet.write",
        "users.read",
        "offline.access",
        "like.read",
        "follows.read",
    }
)
MASTODON_SCOPES = frozenset(
    {
        "read",
        "write",
        "follow",
        "push",
        "profile",
        "read:accounts",
        "read:statuses",
        "write:statuses",
        "write:media",
    }
)

DEFAULT_CLIENTS: dict[Network, OAuthClient] = {
    "linkedin": OAuthClient(
        "linkedin",
        "resonance-linkedin",
        "resonance-linkedin-secret",
        LINKEDIN_SCOPES,
        allow_loopback_redirects=True,
    ),
    "x": OAuthClient(
        "x", "resonance-x", "resonance-x-secret", X_SCOPES, allow_loopback_redirects=True
    ),
    "mastodon": OAuthClient(
        "mastodon",
        "resonance-mastodon",
        "resonance-mastodon-secret",
        MASTODON_SCOPES,
        redirect_uris=("urn:ietf:wg:oauth:2.0:oob",),
        allow_loopback_redirects=True,
    ),
}
# A public X client (no secret): PKCE alone authenticates it, as for a native app.
X_PUBLIC_CLIENT = OAuthClient(
    "x", "resonance-x-public", None, X_SCOPES, allow_loopback_redirects=True
)


def default_quotas(network: Network) -> tuple[Quota, ...]:
    if network == "linkedin":
        reads = ("me", "followers", "list_posts", "metrics")
        return (
            # Third parties cite 150 posts a day per member [U]; app quotas are unpublished [U].
            Quota("posts_member_day", ("post",), "user", 150, DAY),
            Quota("posts_app_day", ("post",), "app", 100_000, DAY),
            Quota("reads_member_day", reads, "user", 1_000, DAY, per_op=True),
            Quota("reads_app_day", reads, "app", 100_000, DAY, per_op=True),
        )
    if network == "x":
        return (
            Quota("tweets_post_user_15m", ("post",), "user", 100, MINUTES_15, "x-rate-limit"),
            # Plan caps (Basic: 100 posts a day per user, X sends x-user-limit-24hour-*) [U].
            Quota("tweets_post_user_24h", ("post",), "user", 100, DAY, "x-user-limit-24hour"),
            Quota("tweets_post_app_24h", ("post",), "app", 10_000, DAY, "x-app-limit-24hour"),
            Quota(
                "tweets_lookup_user_15m", ("metrics",), "user", 5_000, MINUTES_15, "x-rate-limit"
            ),
            Quota("tweets_lookup_app_15m", ("metrics",), "app", 3_500, MINUTES_15, "x-rate-limit"),
            Quota("users_me_user_15m", ("me",), "user", 75, MINUTES_15, "x-rate-limit"),
            Quota("user_tweets_user_15m", ("list_posts",), "user", 900, MINUTES_15, "x-rate-limit"),
            Quota("user_tweets_app_15m", ("list_posts",), "app", 1_500, MINUTES_15, "x-rate-limit"),
        )
    api = ("me", "post", "list_posts", "metrics", "register")
    return (
        # rack-attack: 300 calls per 5 minutes per account on /api/* (per IP without a token).
        Quota("api_5m", api, "user", 300, MINUTES_5, "X-RateLimit"),
        # Mastodon's RateLimiter family `statuses`: 300 statuses per 3 hours per account.
        Quota("statuses_3h", ("post",), "user", 300, 3 * HOUR, "X-RateLimit"),
    )


def default_networks() -> dict[Network, NetworkConfig]:
    return {
        "linkedin": NetworkConfig(
            "linkedin",
            OAuthPolicy(
                access_ttl=60 * DAY,
                code_ttl=30 * 60,
                require_pkce=False,
                rotating_refresh=False,
                skip_consent_when_granted=True,
            ),
            (DEFAULT_CLIENTS["linkedin"],),
            default_quotas("linkedin"),
            max_text=3_000,
            reset_style="none",
            reach_percent=100,
            saturation_s=2 * DAY,
        ),
        "x": NetworkConfig(
            "x",
            # X: "the authorization code is valid for 30 seconds" [U]; refresh tokens live
            # until used, about six months [U].
            OAuthPolicy(
                access_ttl=2 * HOUR,
                code_ttl=30,
                require_pkce=True,
                rotating_refresh=True,
                refresh_ttl=180 * DAY,
            ),
            (DEFAULT_CLIENTS["x"], X_PUBLIC_CLIENT),
            default_quotas("x"),
            max_text=280,
            reset_style="epoch",
            reach_percent=200,
            saturation_s=DAY,
        ),
        "mastodon": NetworkConfig(
            "mastodon",
            # Doorkeeper's default grant lifetime is 10 minutes; PKCE is optional.
            OAuthPolicy(
                access_ttl=None, code_ttl=10 * 60, require_pkce=False, rotating_refresh=False
            ),
            (DEFAULT_CLIENTS["mastodon"],),
            default_quotas("mastodon"),
            max_text=500,
            reset_style="iso",
            reach_percent=50,
            saturation_s=DAY,
        ),
    }


def _demo(username: str, name: str, tenant: str, li: int, x: int, masto: int) -> DemoAccount:
    return DemoAccount(
        username, name, f"{username}@{tenant}.example", {"linkedin": li, "x": x, "mastodon": masto}
    )


# The same people as the OIDC provider's demo users (demo_identities.py), with an audience each.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    _demo("adam", "Adam Ambassador", "acme", 1_200, 340, 85),
    _demo("chloe", "Chloe Comms", "acme", 4_200, 2_100, 310),
    _demo("alice", "Alice Admin", "acme", 850, 120, 40),
    _demo("paul", "Paul Programme", "acme", 640, 75, 12),
    _demo("gus", "Gus Globex", "globex", 300, 60, 25),
    _demo("gina", "Gina Globex", "globex", 2_500, 900, 150),
)


def default_config() -> SandboxConfig:
    return SandboxConfig(networks=default_networks(), accounts=DEMO_ACCOUNTS)


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("/".join(parts).encode()).digest()


def account_id(network: Network, username: str) -> str:
    """Stable per (network, username), so a restarted sandbox keeps the ids services stored."""
    digest = _digest("account", network, username)
    if network == "linkedin":
        # A member `sub` looks like "782bbtaQ": short, case-sensitive, URL-safe.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        number = int.from_bytes(digest[:8], "big")
        chars = []
        for _ in range(10):
            number, rest = divmod(number, len(alphabet))
            chars.append(alphabet[rest])
        return "".join(chars)
    # X and Mastodon ids are decimal snowflakes (18 to 19 digits), sent as strings.
    return str(10**17 + int.from_bytes(digest[:8], "big") % (9 * 10**17))


def default_followers(network: Network, username: str) -> int:
    """Audience of an account nobody configured: 50 to 2049, stable per name."""
    return 50 + int.from_bytes(_digest("followers", network, username)[:4], "big") % 2_000
