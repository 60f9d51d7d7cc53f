"""Reading an RSS/Atom feed (SSRF-guarded fetch, feedparser) into entries, each with the
preview of the page it links to when that page can be read."""

from dataclasses import dataclass

import feedparser
from bs4 import BeautifulSoup

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
        return self.preview.url if self.preview else self.link

    @property
    def canonical(self) -> str | None:
        """What recognises the same article behind another entry or link."""
        if self.preview:
            return canonical_url(self.preview.canonical_url)
        return canonical_url(self.link) if self.link else None


def plain_text(html: str | None) -> str | None:
    """An entry's HTML summary as plain text, whitespace collapsed, at most 10,000 chars."""
    if not html:
        return None
    plain = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    return plain[:10_000] or None


async def read_entries(url: str, policy: FetchPolicy) -> list[Entry]:
    """The feed's first entries with a GUID (or link) and a title, each GUID once.

    Raises FetchFailed or FetchRefused when the feed itself cannot be read."""
    page = await fetch(url, policy, accept=FEED_ACCEPT)
    parsed = feedparser.parse(page.body)
    if parsed.bozo and not parsed.entries:
        raise FetchFailed("the source is not a readable RSS or Atom feed")
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in parsed.entries[:MAX_ENTRIES_PER_POLL]:
        link = raw.get("link")
        guid = raw.get("id") or link
        title = (raw.get("title") or "").strip()
        if not guid or not title or guid in seen:
            continue
        seen.add(guid)
        preview = None
        if link:
            try:
                article = await fetch(link, policy)
                preview = parse_preview(article.body, article.url)
            except (FetchFailed, FetchRefused):
                preview = None  # the entry is still usable without its page
        entries.append(Entry(guid, link, title[:300], plain_text(raw.get("summary")), preview))
    return entries
