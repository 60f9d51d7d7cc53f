"""RSS/Atom sources: fetched (SSRF-guarded), parsed with feedparser, deduplicated by GUID and
canonical URL, turned into drafts or, for auto-approved sources, published items."""

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from resonance.common.service import Runtime
from resonance.content.domain.urls import canonical_url
from resonance.content.domain.workflow import Status
from resonance.content.events.publishing import publish
from resonance.content.preview.fetcher import FetchFailed, FetchPolicy, FetchRefused, fetch
from resonance.content.preview.metadata import Preview, parse_preview
from resonance.content.settings import ContentSettings
from resonance.content.store.items import record
from resonance.content.store.tables import ContentItem, Source, SourceEntry
from resonance.content.store.tenants import allows_private_links, tenant_settings

log = logging.getLogger(__name__)

MAX_ENTRIES_PER_POLL = 50
FEED_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"


@dataclass
class PollResult:
    created: int = 0
    duplicates: int = 0
    error: str | None = None


@dataclass(frozen=True)
class _Entry:
    guid: str
    link: str | None
    title: str
    summary: str | None
    preview: Preview | None


def _text(html: str | None) -> str | None:
    if not html:
        return None
    plain = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    return plain[:10_000] or None


async def _read_entries(source: Source, policy: FetchPolicy) -> list[_Entry]:
    page = await fetch(source.url, policy, accept=FEED_ACCEPT)
    parsed = feedparser.parse(page.body)
    if parsed.bozo and not parsed.entries:
        raise FetchFailed("the source is not a readable RSS or Atom feed")
    entries: list[_Entry] = []
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
        entries.append(_Entry(guid, link, title[:300], _text(raw.get("summary")), preview))
    return entries


async def poll_source(runtime: Runtime, source_id: uuid.UUID) -> PollResult:
    settings = runtime.settings
    assert isinstance(settings, ContentSettings)
    async with runtime.db.session() as session:
        source = await session.get(Source, source_id)
        if source is None:
            return PollResult(error="unknown source")
        tenant = await tenant_settings(session, source.tenant)
    policy = FetchPolicy(
        allow_private=allows_private_links(tenant, settings.allow_private_links_default),
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
    )
    result = PollResult()
    now = datetime.now(UTC)
    try:
        entries = await _read_entries(source, policy)
    except (FetchFailed, FetchRefused) as exc:
        result.error = str(exc)
        entries = []
    async with runtime.db.transaction() as session:
        source = await session.get(Source, source_id, with_for_update=True)
        if source is None:
            return PollResult(error="unknown source")
        source.last_polled_at = now
        source.last_error = result.error
        source.next_poll_at = now + timedelta(seconds=source.poll_interval_s)
        for entry in entries:
            claimed = await session.execute(
                insert(SourceEntry)
                .values(source_id=source.id, guid=entry.guid, tenant=source.tenant, seen_at=now)
                .on_conflict_do_nothing()
                .returning(SourceEntry.guid)
            )
            if claimed.first() is None:
                result.duplicates += 1
                continue
            url = entry.preview.url if entry.preview else entry.link
            canonical = (
                canonical_url(entry.preview.canonical_url if entry.preview else (entry.link or ""))
                if (entry.preview or entry.link)
                else None
            )
            if canonical is not None:
                known = await session.execute(
                    select(ContentItem.id)
                    .where(
                        ContentItem.tenant == source.tenant,
                        ContentItem.canonical_url == canonical,
                    )
                    .limit(1)
                )
                if known.first() is not None:
                    result.duplicates += 1
                    continue
            preview = entry.preview
            item = ContentItem(
                tenant=source.tenant,
                family=source.family,
                category=source.category,
                format="link" if url else "text",
                title=entry.title,
                body=entry.summary,
                url=url,
                canonical_url=canonical,
                image_url=preview.image_url if preview else None,
                preview_title=preview.title if preview else None,
                preview_description=preview.description if preview else None,
                preview_site_name=preview.site_name if preview else None,
                language=source.language,
                brand=source.brand,
                tags=list(source.tags),
                source_id=source.id,
                status=Status.DRAFT,
                created_by=f"source:{source.id}",
                created_at=now,
                updated_at=now,
            )
            session.add(item)
            await session.flush()
            record(session, item, f"source:{source.id}", "ingest", None, now, guid=entry.guid[:500])
            if source.auto_approve:
                await publish(session, runtime.outbox, item, now)
                record(
                    session,
                    item,
                    f"source:{source.id}",
                    "publish",
                    Status.DRAFT,
                    now,
                    auto_approved=True,
                )
            await session.execute(
                SourceEntry.__table__.update()  # type: ignore[attr-defined]
                .where(
                    SourceEntry.__table__.c.source_id == source.id,  # type: ignore[attr-defined]
                    SourceEntry.__table__.c.guid == entry.guid,  # type: ignore[attr-defined]
                )
                .values(content_id=item.id)
            )
            result.created += 1
    return result


async def run_source_poller(runtime: Runtime) -> None:
    interval = float(getattr(runtime.settings, "source_poll_interval_s", 30.0))
    while True:
        try:
            async with runtime.db.session() as session:
                due = list(
                    (
                        await session.execute(
                            select(Source.id)
                            .where(
                                Source.active.is_(True), Source.next_poll_at <= datetime.now(UTC)
                            )  # type: ignore[attr-defined,operator]
                            .order_by(Source.next_poll_at)
                            .limit(20)
                        )
                    ).scalars()
                )
            for source_id in due:
                await poll_source(runtime, source_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("source poll failed; retrying")
        await asyncio.sleep(interval)
