"""RSS/Atom sources: configured by staff, polled on a schedule or on request. New entries
(deduplicated by GUID per source and canonical URL per tenant) become drafts or, for
auto-approved sources, published items."""

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.service import Runtime
from resonance.content.api.schemas_sources import SourceIn
from resonance.content.domain.cursor import ListPosition, next_cursor
from resonance.content.domain.items import check_category, clean_tags
from resonance.content.domain.sources import check_auto_approve, next_attempt
from resonance.content.domain.workflow import Action, Status, auto_approved_source
from resonance.content.preview.feeds import Entry, read_entries
from resonance.content.preview.fetcher import UNREADABLE, FetchFailed, FetchRefused
from resonance.content.service import Paged, Uow, previews, workflow
from resonance.content.settings import ContentSettings
from resonance.content.store.items import add_item, canonical_url_known, record
from resonance.content.store.sources import (
    claim_entry,
    due_source_ids,
    get_source,
    link_entry,
    source_of,
    sources_of,
)
from resonance.content.store.tables import ContentItem, Source

log = logging.getLogger(__name__)

# Sources polled per round of the background poller.
DUE_BATCH = 20
# Recorded when a poll fails for a reason of ours (a bug, the database): no detail leaks.
POLL_FAILED = "the poll failed; it will be retried"


@dataclass
class PollResult:
    created: int = 0
    duplicates: int = 0
    error: str | None = None


async def create_source(uow: Uow, principal: Principal, body: SourceIn) -> Source:
    """Adds a source; it is due at once."""
    _check(body, principal)
    row = Source(
        tenant=principal.tenant,
        created_by=principal.subject,
        next_poll_at=uow.now(),
        **_settings(body),
    )
    uow.session.add(row)
    return row


async def list_sources(
    uow: Uow, principal: Principal, cursor: str | None, limit: int
) -> Paged[Source]:
    after = ListPosition.decode(cursor) if cursor else None
    found = await sources_of(uow.session, principal.tenant, after, limit + 1)
    return Paged(
        found[:limit], next_cursor(found, limit, lambda s: ListPosition(s.created_at, s.id))
    )


async def replace_source(
    uow: Uow, principal: Principal, source_id: uuid.UUID, body: SourceIn
) -> Source:
    _check(body, principal)
    row = await source_of(uow.session, principal.tenant, source_id, for_update=True)
    if row is None:
        raise NotFound(f"no source {source_id}")
    for name, value in _settings(body).items():
        setattr(row, name, value)
    return row


async def poll_now(
    rt: Runtime[ContentSettings], principal: Principal, source_id: uuid.UUID
) -> PollResult:
    """Polls one of the caller's tenant's sources at once."""
    async with rt.unit_of_work() as uow:
        if await source_of(uow.session, principal.tenant, source_id) is None:
            raise NotFound(f"no source {source_id}")
    return await poll(rt, source_id)


async def poll_due(rt: Runtime[ContentSettings]) -> int:
    """Polls the sources that are due (the background poller's round), a few at once. Each
    source is on its own: one failing, slow or oversized is recorded and backed off, and the
    others of the round (any tenant's) are polled all the same. Returns how many were due."""
    async with rt.unit_of_work() as uow:
        due = await due_source_ids(uow.session, uow.now(), DUE_BATCH)
    slots = asyncio.Semaphore(max(1, rt.settings.source_poll_concurrency))

    async def one(source_id: uuid.UUID) -> None:
        async with slots:
            await poll(rt, source_id)

    await asyncio.gather(*(one(source_id) for source_id in due))
    return len(due)


async def poll(rt: Runtime[ContentSettings], source_id: uuid.UUID) -> PollResult:
    """Reads the feed (no transaction open while it answers), then records what is new in
    one transaction. A poll that fails, whatever the reason, is recorded as the source's
    last error and backs the source off; it never raises (but for cancellation)."""
    now = rt.clock()
    try:
        return await _poll(rt, source_id, now)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("poll of source %s failed", source_id)
        await _record_failure(rt, source_id, now, POLL_FAILED)
        return PollResult(error=POLL_FAILED)


async def _poll(rt: Runtime[ContentSettings], source_id: uuid.UUID, now: datetime) -> PollResult:
    async with rt.unit_of_work() as uow:
        source = await get_source(uow.session, source_id)
        if source is None:
            return PollResult(error="unknown source")
    result = PollResult()
    try:
        entries = await read_entries(
            source.url, previews.fetch_policy(rt.settings), rt.settings.source_poll_deadline_s
        )
    except (FetchFailed, FetchRefused) as exc:
        log.info("source %s unreadable: %s", source_id, exc.cause)
        await _record_failure(rt, source_id, now, str(exc))
        return PollResult(error=str(exc))
    except ValueError:  # what a parser may raise on a hostile document
        log.exception("source %s unparsable", source_id)
        await _record_failure(rt, source_id, now, UNREADABLE)
        return PollResult(error=UNREADABLE)
    async with rt.unit_of_work() as uow:
        locked = await get_source(uow.session, source_id, for_update=True)
        if locked is None:
            return PollResult(error="unknown source")
        locked.last_polled_at = now
        locked.last_error = None
        locked.failures = 0
        locked.next_poll_at = next_attempt(now, locked.poll_interval_s, 0, 0)
        for entry in entries:
            if await _ingest(uow, locked, entry, now):
                result.created += 1
            else:
                result.duplicates += 1
    return result


async def _record_failure(
    rt: Runtime[ContentSettings], source_id: uuid.UUID, now: datetime, error: str
) -> None:
    """The source's error, and its next try after a longer wait each failure in a row."""
    async with rt.unit_of_work() as uow:
        locked = await get_source(uow.session, source_id, for_update=True)
        if locked is None:
            return
        locked.failures += 1
        locked.last_polled_at = now
        locked.last_error = error[:500]
        locked.next_poll_at = next_attempt(
            now, locked.poll_interval_s, locked.failures, rt.settings.source_backoff_max_s
        )


async def _ingest(uow: Uow, source: Source, entry: Entry, now: datetime) -> bool:
    """Turns a new entry into an item; False for one already seen (GUID or article)."""
    if not await claim_entry(uow.session, source, entry.guid, now):
        return False
    canonical = entry.canonical
    if canonical is not None and await canonical_url_known(uow.session, source.tenant, canonical):
        return False
    preview = entry.preview
    url = entry.url
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
    await add_item(uow.session, item)
    by = auto_approved_source(source.id)
    record(uow.session, item, by.name, "ingest", None, now, guid=entry.guid)
    if source.auto_approve:
        await workflow.change(uow, item, Action.PUBLISH, by, auto_approved=True)
    await link_entry(uow.session, source.id, entry.guid, item.id)
    return True


def _check(body: SourceIn, principal: Principal) -> None:
    check_category(body.family, body.category)
    check_auto_approve(body.auto_approve, principal.roles)


def _settings(body: SourceIn) -> dict[str, Any]:
    """The source's columns as the staff set them."""
    return {
        "name": body.name,
        "url": str(body.url),
        "family": body.family,
        "category": body.category,
        "language": body.language,
        "brand": body.brand,
        "tags": clean_tags(body.tags),
        "auto_approve": body.auto_approve,
        "poll_interval_s": body.poll_interval_s,
        "active": body.active,
    }
