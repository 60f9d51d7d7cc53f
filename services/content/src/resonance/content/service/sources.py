"""RSS/Atom sources: configured by staff, polled on a schedule or on request. New entries
(deduplicated by GUID per source and canonical URL per tenant) become drafts or, for
auto-approved sources, published items."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.service import Runtime
from resonance.content.api.schemas_sources import SourceIn
from resonance.content.domain.items import check_category, clean_tags
from resonance.content.domain.sources import check_auto_approve
from resonance.content.domain.workflow import Action, Status, auto_approved_source
from resonance.content.preview.feeds import Entry, read_entries
from resonance.content.preview.fetcher import FetchFailed, FetchRefused
from resonance.content.service import Uow, previews, workflow
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
from resonance.content.store.tenants import tenant_settings

# Sources polled per round of the background poller.
DUE_BATCH = 20


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


async def list_sources(uow: Uow, principal: Principal) -> list[Source]:
    return await sources_of(uow.session, principal.tenant)


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


async def poll_due(rt: Runtime[ContentSettings]) -> None:
    """Polls the sources that are due (the background poller's round)."""
    async with rt.unit_of_work() as uow:
        due = await due_source_ids(uow.session, uow.now(), DUE_BATCH)
    for source_id in due:
        await poll(rt, source_id)


async def poll(rt: Runtime[ContentSettings], source_id: uuid.UUID) -> PollResult:
    """Reads the feed (no transaction open while it answers), then records what is new in
    one transaction. A feed that cannot be read is recorded as the source's last error."""
    async with rt.unit_of_work() as uow:
        source = await get_source(uow.session, source_id)
        if source is None:
            return PollResult(error="unknown source")
        tenant = await tenant_settings(uow.session, source.tenant)
    result = PollResult()
    now = rt.clock()
    try:
        entries = await read_entries(source.url, previews.fetch_policy(rt.settings, tenant))
    except (FetchFailed, FetchRefused) as exc:
        result.error = str(exc)
        entries = []
    async with rt.unit_of_work() as uow:
        locked = await get_source(uow.session, source_id, for_update=True)
        if locked is None:
            return PollResult(error="unknown source")
        locked.last_polled_at = now
        locked.last_error = result.error
        locked.next_poll_at = now + timedelta(seconds=locked.poll_interval_s)
        for entry in entries:
            if await _ingest(uow, locked, entry, now):
                result.created += 1
            else:
                result.duplicates += 1
    return result


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
    record(uow.session, item, by.name, "ingest", None, now, guid=entry.guid[:500])
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
