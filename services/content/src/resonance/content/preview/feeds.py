"""Reading an RSS/Atom feed (SSRF-guarded fetch, feedparser) into entries, each with the
preview of the page it links to when that page can be read.

feedparser is only ever given a stream: handed a string or bytes, it takes one that looks like
a path or a URL for a file to open or a page to fetch (a feed server answering `/etc/passwd`
made it read that file). The article pages are read within the poll's overall deadline."""

import asyncio
import io
from dataclasses import dataclass, replace

import feedparser
from bs4 import BeautifulSoup

from resonance.content.domain.sources import entry_key, usable_link
from resonance.content.domain.urls import canonical_url
from resonance.content.preview.fetcher import FetchFailed, FetchPolicy, FetchRefused, fetch
from resonance.content.preview.metadata import Preview, parse_preview

MAX_ENTRIES_PER_POLL = 50
FEED_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class Entry:
    guid: str
    link: str | None
    title: str
    summary: str | None
    preview: Preview | None

    @property
    def url(self) -> str | None:
        """Where the entry leads: the page read (after redirects), else the feed's link."""
        return usable_link(self.preview.url if self.preview else self.link) or self.link

    @property
    def canonical(self) -> str | None:
        """What recognises the same article behind another entry or link."""
        found = self.preview.canonical_url if self.preview else self.link
        return usable_link(canonical_url(found)) if found else None


def plain_text(html: str | None) -> str | None:
    """An entry's HTML summary as plain text, whitespace collapsed, at most 10,000 chars."""
    if not html:
        return None
    plain = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    return plain[:10_000] or None


NOT_A_FEED = "the source is not a readable RSS or Atom feed"


def parse_feed(body: bytes) -> list[tuple[str, str | None, str, str | None]]:
    """(key, link, title, plain summary) of the feed's first entries with a GUID (or link) and
    a title, each GUID once; the key is the GUID as stored (domain/sources.entry_key)."""
    parsed = feedparser.parse(io.BytesIO(body))
    if parsed.bozo and not parsed.entries:
        raise FetchFailed("not a feed", public=NOT_A_FEED)
    found: list[tuple[str, str | None, str, str | None]] = []
    seen: set[str] = set()
    for raw in parsed.entries[:MAX_ENTRIES_PER_POLL]:
        link = usable_link(raw.get("link"))
        guid = raw.get("id") or link
        title = (raw.get("title") or "").strip()
        if not guid or not title:
            continue
        key = entry_key(guid)
        if key in seen:
            continue
        seen.add(key)
        found.append((key, link, title[:300], plain_text(raw.get("summary"))))
    return found


async def read_entries(url: str, policy: FetchPolicy, deadline_s: float) -> list[Entry]:
    """The feed's entries (parse_feed), each with its page's preview when that page can be
    read before the deadline (`deadline_s` for the whole poll).

    Raises FetchFailed or FetchRefused when the feed itself cannot be read."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + deadline_s
    feed_policy = replace(policy, timeout_s=min(policy.timeout_s, deadline_s))
    page = await fetch(url, feed_policy, accept=FEED_ACCEPT)
    entries: list[Entry] = []
    for key, link, title, summary in parse_feed(page.body):
        preview = None
        left = ends - loop.time()
        if link and left > 0.05:
            try:
                article = await fetch(link, replace(policy, timeout_s=min(policy.timeout_s, left)))
                preview = parse_preview(article.body, article.url)
            except (FetchFailed, FetchRefused):
                preview = None  # the entry is still usable without its page
        entries.append(Entry(key, link, title, summary, preview))
    return entries
