"""The social networks we know: how we share to each, how long a post may be, share intents.

Sources and uncertain facts ([U]) are in docs `shared/social-networks.md`. Two ways to share:

- `ShareMode.API`: we post for the ambassador through the network's API with their
  connected account (LinkedIn, X, Mastodon).
- `ShareMode.INTENT`: the network has no posting API for personal accounts (Facebook,
  Instagram) or none we use (WhatsApp, Xing, Threads): we hand out the network's own share
  page with the tracked link, and the caption to copy where the page cannot carry it. Such
  a share counts as self-reported until a tracked click confirms it.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlencode

from resonance.socialtext.length import (
    MASTODON_URL_LENGTH,
    X_RULE,
    LengthRule,
    LengthUnit,
)


class Network(StrEnum):
    LINKEDIN = "linkedin"
    X = "x"
    MASTODON = "mastodon"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    WHATSAPP = "whatsapp"
    XING = "xing"
    THREADS = "threads"


class ShareMode(StrEnum):
    API = "api"
    INTENT = "intent"


class DailyWindow(StrEnum):
    UTC_DAY = "utc_day"  # a calendar day in UTC (LinkedIn's quotas reset at midnight UTC)
    ROLLING_24H = "rolling_24h"  # any 24 hours (X's 24-hour caps, Meta's publishing limits)


@dataclass(frozen=True)
class DailyLimit:
    """The network's own limit of posts per member per day (not the tenant's cap)."""

    posts: int
    window: DailyWindow


@dataclass(frozen=True)
class NetworkProfile:
    """What the sharing service needs to know about one network.

    `length`: how the post text is counted and its limit (disclosure and link included).
    `intent_prefills_text`: its share page carries our text; otherwise the person pastes it.
    `links_clickable`: False where a link in the caption is plain text (Instagram).
    `refreshes_tokens`: an expired access token can be refreshed without the person (X).
    `idempotency_keys`: the post endpoint honours an `Idempotency-Key` header (Mastodon,
    kept one hour), so a retry after a crash cannot post twice.
    `daily_limit`: the network's own per-member posting limit, None where none is known.
    """

    network: Network
    label: str
    mode: ShareMode
    length: LengthRule
    intent_prefills_text: bool
    links_clickable: bool = True
    refreshes_tokens: bool = False
    idempotency_keys: bool = False
    daily_limit: DailyLimit | None = None


PROFILES: dict[Network, NetworkProfile] = {
    Network.LINKEDIN: NetworkProfile(
        Network.LINKEDIN,
        "LinkedIn",
        ShareMode.API,
        LengthRule(3000),
        intent_prefills_text=False,
        daily_limit=DailyLimit(150, DailyWindow.UTC_DAY),  # [U] third-party figure
    ),
    Network.X: NetworkProfile(
        Network.X,
        "X",
        ShareMode.API,
        X_RULE,
        intent_prefills_text=True,
        refreshes_tokens=True,
        daily_limit=DailyLimit(100, DailyWindow.ROLLING_24H),  # Basic plan per user [U]
    ),
    Network.MASTODON: NetworkProfile(
        Network.MASTODON,
        "Mastodon",
        ShareMode.API,
        # 500 is the default; an instance may allow more (`configuration.statuses`).
        LengthRule(500, LengthUnit.GRAPHEMES, MASTODON_URL_LENGTH),
        intent_prefills_text=True,
        idempotency_keys=True,
    ),
    Network.FACEBOOK: NetworkProfile(
        Network.FACEBOOK,
        "Facebook",
        ShareMode.INTENT,
        LengthRule(63206),
        intent_prefills_text=False,  # Meta's policy forbids prefilling the message
    ),
    Network.INSTAGRAM: NetworkProfile(
        Network.INSTAGRAM,
        "Instagram",
        ShareMode.INTENT,
        LengthRule(2200),
        intent_prefills_text=False,
        links_clickable=False,
        daily_limit=DailyLimit(50, DailyWindow.ROLLING_24H),
    ),
    Network.WHATSAPP: NetworkProfile(
        Network.WHATSAPP,
        "WhatsApp",
        ShareMode.INTENT,
        LengthRule(65536),  # [U] message length
        intent_prefills_text=True,
    ),
    Network.XING: NetworkProfile(
        Network.XING,
        "XING",
        ShareMode.INTENT,
        LengthRule(420),  # [U] status update length, as the content service checks it
        intent_prefills_text=False,
    ),
    Network.THREADS: NetworkProfile(
        Network.THREADS,
        "Threads",
        ShareMode.INTENT,  # Threads has a publishing API; we do not connect it (yet)
        LengthRule(500),
        intent_prefills_text=True,
        daily_limit=DailyLimit(250, DailyWindow.ROLLING_24H),
    ),
}

_ALIASES = {"twitter": Network.X}


class UnknownNetwork(ValueError):
    def __init__(self, network: str) -> None:
        super().__init__(f"unknown network: {network!r}")
        self.network = network


def parse_network(value: str) -> Network | None:
    """The network called `value` ("LinkedIn", "x", "twitter"...), None when unknown."""
    key = value.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return Network(key)
    except ValueError:
        return None


def profile(network: str | Network) -> NetworkProfile:
    """The profile of `network`; UnknownNetwork (a ValueError) when we do not know it."""
    found = network if isinstance(network, Network) else parse_network(network)
    if found is None:
        raise UnknownNetwork(str(network))
    return PROFILES[found]


def api_networks() -> tuple[Network, ...]:
    return tuple(p.network for p in PROFILES.values() if p.mode is ShareMode.API)


def intent_networks() -> tuple[Network, ...]:
    return tuple(p.network for p in PROFILES.values() if p.mode is ShareMode.INTENT)


# --- share intents ---------------------------------------------------------------------

_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?")


@dataclass(frozen=True)
class ShareIntent:
    """Where to send the person to share, and what they must paste themselves.

    `url` is None where the network has no web share page (Instagram: open the app).
    `text_to_copy` is the post text when the page cannot carry it, else None.
    """

    network: Network
    url: str | None
    text_to_copy: str | None


def _with_query(base: str, params: dict[str, str]) -> str:
    # quote (not quote_plus): a space is %20, which every share page reads as a space, where
    # "+" would stay a plus on some; safe="" also encodes "/", "&", "#" and "+".
    return f"{base}?{urlencode(params, quote_via=quote)}"


def share_intent(
    network: str | Network,
    *,
    post_text: str,
    link: str,
    facebook_app_id: str | None = None,
    hashtag: str | None = None,
    mastodon_instance: str | None = None,
) -> ShareIntent:
    """The share page of `network` for a post.

    `post_text` is the whole composed text (caption, disclosure and tracked link, see
    `captions.compose_post_text`); `link` is the tracked link alone, for pages that only take
    a URL. `facebook_app_id` selects Facebook's documented Share dialog (which also takes one
    `hashtag`) over the app-less sharer page. `mastodon_instance` is the person's home server
    ("mastodon.social"), since Mastodon's share page lives on each server.
    """
    p = profile(network)
    match p.network:
        case Network.X:
            url: str | None = _with_query("https://twitter.com/intent/tweet", {"text": post_text})
        case Network.LINKEDIN:
            url = _with_query("https://www.linkedin.com/sharing/share-offsite/", {"url": link})
        case Network.MASTODON:
            if mastodon_instance is None or not _HOST.fullmatch(mastodon_instance):
                raise ValueError("a Mastodon share page needs the person's server host name")
            url = _with_query(f"https://{mastodon_instance}/share", {"text": post_text})
        case Network.FACEBOOK:
            if facebook_app_id:
                params = {"app_id": facebook_app_id, "display": "popup", "href": link}
                if hashtag:
                    params["hashtag"] = hashtag if hashtag.startswith("#") else f"#{hashtag}"
                url = _with_query("https://www.facebook.com/dialog/share", params)
            else:
                url = _with_query("https://www.facebook.com/sharer/sharer.php", {"u": link})
        case Network.WHATSAPP:
            url = _with_query("https://wa.me/", {"text": post_text})
        case Network.XING:
            url = _with_query("https://www.xing.com/spi/shares/new", {"url": link})  # [U]
        case Network.THREADS:
            url = _with_query("https://www.threads.net/intent/post", {"text": post_text})  # [U]
        case Network.INSTAGRAM:
            url = None
    prefilled = url is not None and p.intent_prefills_text
    return ShareIntent(p.network, url, None if prefilled else post_text)
