"""Link-unfurl bot bursts: the sandbox fetches a URL the way networks' preview bots do.

A shared link is fetched by LinkedInBot, Twitterbot, Bluesky's Cardyb and every Mastodon
instance that sees the post (HEAD then GET, each instance with its own user agent). The
tracked-link service must not count those as clicks. Targets are loopback only, redirects are
followed only while they stay on loopback, and a burst is at most MAX_REQUESTS requests.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REQUESTS = 200
MAX_REDIRECTS = 5
CONCURRENCY = 8
TIMEOUT_S = 5.0

# Real user agents; the Cardyb string is [U] (social-networks.md §5).
BOT_AGENTS: dict[str, str] = {
    "linkedin": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "x": "Twitterbot/1.0",
    "bluesky": "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
}
DEFAULT_BOTS = ("linkedin", "x", "mastodon", "bluesky")


def mastodon_agent(instance: int) -> str:
    host = "mastodon.social" if instance == 0 else f"instance{instance}.mastodon.example"
    return f"http.rb/5.1.1 (Mastodon/4.2.0; +https://{host}/)"


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False  # a name: never resolved, so the sandbox cannot be aimed elsewhere


def agents(bots: list[str], mastodon_instances: int) -> list[tuple[str, str]]:
    """(bot, user agent) pairs, Mastodon expanded to one agent per instance."""
    pairs: list[tuple[str, str]] = []
    for bot in bots:
        if bot == "mastodon":
            pairs.extend(("mastodon", mastodon_agent(i)) for i in range(mastodon_instances))
        else:
            pairs.append((bot, BOT_AGENTS[bot]))
    return pairs


async def _fetch(client: httpx.AsyncClient, method: str, url: str, agent: str) -> dict[str, Any]:
    current = url
    status: int | None = None
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = await client.request(method, current, headers={"User-Agent": agent})
        except httpx.HTTPError as exc:
            return {"url": current, "status": None, "error": type(exc).__name__}
        status = response.status_code
        location = response.headers.get("location")
        if not response.is_redirect or not location:
            break
        following = urljoin(current, location)
        if not is_loopback(following):
            return {"url": current, "status": status, "stopped_at": following}
        current = following
    return {"url": current, "status": status}


async def burst(
    url: str,
    bots: list[str],
    mastodon_instances: int,
    methods: list[str],
    spread_s: float = 0.0,
) -> list[dict[str, Any]]:
    """Runs the burst; each bot runs its methods in order (HEAD, then GET)."""
    pairs = agents(bots, mastodon_instances)
    gate = asyncio.Semaphore(CONCURRENCY)
    step = spread_s / len(pairs) if pairs else 0.0

    async def one(index: int, bot: str, agent: str) -> list[dict[str, Any]]:
        if step:
            await asyncio.sleep(index * step)
        async with gate:
            out = []
            for method in methods:
                result = await _fetch(client, method, url, agent)
                out.append({"bot": bot, "user_agent": agent, "method": method, **result})
            return out

    async with httpx.AsyncClient(
        timeout=TIMEOUT_S, follow_redirects=False, trust_env=False
    ) as client:
        batches = await asyncio.gather(*(one(i, b, a) for i, (b, a) in enumerate(pairs)))
    return [item for batch in batches for item in batch]
