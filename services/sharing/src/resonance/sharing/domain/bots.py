"""Does a request to a tracked link count as a click? (Bots, unfurlers and prefetches don't.)

The redirect is answered whatever this says; only the counting depends on it. The bulk of the
crawler list is `crawlerdetect`, the Python port of JayBizzle/Crawler-Detect (about 1,500
patterns, kept in step with upstream, with an exclusion list that keeps real browsers and
in-app browsers from matching). It already knows LinkedInBot, Twitterbot, facebookexternalhit,
Slackbot, Discordbot, TelegramBot, WhatsApp, SkypeUriPreview, Iframely, Embedly, Mastodon's
`http.rb`, Pleroma and XING's fetcher. Added here are the link-preview fetchers it misses
(Bluesky's Cardyb, Misskey, Akkoma, Matrix's Synapse...) and, as a belt to its braces, the
fediverse signature "(Mastodon/x.y; +https://server/)" that every Mastodon server sends when a
post with the link federates to it (hundreds of HEAD then GET requests within a minute).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from crawlerdetect import CrawlerDetect

# Longer user agents are not browsers; refusing them also bounds the regex work per request.
MAX_USER_AGENT_CHARS = 1024

# Unfurlers and fetchers crawlerdetect 0.4.2 does not know (checked in the tests).
EXTRA_UNFURLERS = re.compile(
    r"Cardyb"  # Bluesky's link card fetcher
    r"|\(Mastodon/[0-9]"  # any Mastodon server: "http.rb/5.1.1 (Mastodon/4.2.0; +https://...)"
    r"|\bhttp\.rb/"  # the Ruby HTTP client Mastodon uses
    r"|Misskey/|Akkoma|Pleroma|Friendica|GoToSocial|Iceshrimp|Sharkey|Firefish"  # fediverse
    r"|Synapse \(bot"  # Matrix URL previews
    r"|Slackbot|Discordbot|TelegramBot|WhatsApp/|SkypeUriPreview|Iframely|Embedly"
    r"|redditbot|Bitlybot|Google-PageRenderer|MicrosoftPreview|LinkedInBot|Twitterbot"
    r"|facebookexternalhit|Facebot|Applebot",
    re.IGNORECASE,
)

# Prefetch and preview requests browsers announce in a header: nobody has clicked yet.
_PREFETCH_HEADERS = {
    "sec-purpose": ("prefetch", "prerender"),
    "purpose": ("prefetch", "preview"),
    "x-purpose": ("preview", "prefetch"),
    "x-moz": ("prefetch",),
}

NotCountedReason = Literal[
    "not_get", "no_user_agent", "oversized_user_agent", "prefetch", "bot", "unfurler"
]


@dataclass(frozen=True)
class ClickVerdict:
    """`counted`: a person clicked. Otherwise `reason` says why not, `matched` what matched."""

    counted: bool
    reason: NotCountedReason | None = None
    matched: str | None = None


COUNTED = ClickVerdict(True)
_detector = CrawlerDetect()


@lru_cache(maxsize=4096)
def bot_match(user_agent: str) -> tuple[Literal["bot", "unfurler"], str] | None:
    """What marks `user_agent` as a robot (kind, matched text), or None for a person.

    Cached: a link-unfurl burst repeats the same few user agents hundreds of times.
    """
    extra = EXTRA_UNFURLERS.search(user_agent)
    if extra is not None:
        return "unfurler", extra.group()
    # CrawlerDetect keeps the last match on the instance; nothing can run between the two
    # calls (no await), so sharing one instance is safe.
    if _detector.is_crawler(user_agent):
        return "bot", _detector.get_matches() or "crawler"
    return None


def classify_request(
    method: str, user_agent: str | None, headers: Mapping[str, str] | None = None
) -> ClickVerdict:
    """Whether a request to a tracked link counts as a click.

    Only GET counts: HEAD and OPTIONS are link checkers and unfurlers probing. A request
    without a user agent, with an absurdly long one, announcing a prefetch, or from a known
    bot or link unfurler does not count either.
    """
    if method.upper() != "GET":
        return ClickVerdict(False, "not_get")
    agent = (user_agent or "").strip()
    if not agent:
        return ClickVerdict(False, "no_user_agent")
    if len(agent) > MAX_USER_AGENT_CHARS:
        return ClickVerdict(False, "oversized_user_agent")
    for name, value in (headers or {}).items():
        announced = _PREFETCH_HEADERS.get(name.lower())
        # Chrome sends "prefetch", "prefetch;prerender" or "prefetch;anonymous-client-ip".
        if announced and any(part.strip() in announced for part in value.lower().split(";")):
            return ClickVerdict(False, "prefetch", f"{name}: {value.strip()}")
    found = bot_match(agent)
    if found is not None:
        return ClickVerdict(False, found[0], found[1])
    return COUNTED
