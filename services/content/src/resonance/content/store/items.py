"""Content items, their captions and their audit trail: queries and writes, no rules."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.events.catalogue import Targeting
from resonance.content.domain.cursor import ListPosition
from resonance.content.domain.workflow import Status
from resonance.content.store.paging import page
from resonance.content.store.tables import AuditEntry, Caption, ContentItem

TARGET_COLUMNS: dict[str, str] = {name: f"t_{name}" for name in Targeting.model_fields}


def set_targeting(item: ContentItem, targeting: Targeting) -> None:
    for name, column in TARGET_COLUMNS.items():
        setattr(item, column, list(getattr(targeting, name)))


def targeting_of(item: ContentItem) -> Targeting:
    return Targeting(**{name: list(getattr(item, col)) for name, col in TARGET_COLUMNS.items()})


async def get_item(
    session: AsyncSession, tenant: str, item_id: uuid.UUID, *, for_update: bool = False
) -> ContentItem | None:
    query = select(ContentItem).where(ContentItem.tenant == tenant, ContentItem.id == item_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def add_item(session: AsyncSession, item: ContentItem) -> None:
    """Inserts the item now, so that its captions and audit rows can refer to it."""
    session.add(item)
    await session.flush()


async def list_items(
    session: AsyncSession,
    tenant: str,
    *,
    status: str | None,
    family: str | None,
    campaign_id: uuid.UUID | None,
    after: ListPosition | None,
    offset: int,
    limit: int,
) -> list[ContentItem]:
    """Newest first, after the cursor's row (or, deprecated, skipping `offset` rows)."""
    query = select(ContentItem).where(ContentItem.tenant == tenant)
    if status is not None:
        query = query.where(ContentItem.status == status)
    if family is not None:
        query = query.where(ContentItem.family == family)
    if campaign_id is not None:
        query = query.where(ContentItem.campaign_id == campaign_id)
    query = page(
        query, ContentItem.created_at, ContentItem.id, after, newest_first=True, limit=limit
    )
    return list((await session.execute(query.offset(offset))).scalars())


async def due_for_release(session: AsyncSession, now: datetime, limit: int) -> list[ContentItem]:
    """Scheduled items whose publish time has come, locked; rows another replica holds are
    skipped, not waited for."""
    query = (
        select(ContentItem)
        .where(
            ContentItem.status == Status.SCHEDULED,
            ContentItem.publish_at <= now,
        )
        .order_by(ContentItem.publish_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def past_expiry(session: AsyncSession, now: datetime, limit: int) -> list[ContentItem]:
    """Published items whose window has ended, locked (skipping rows held elsewhere)."""
    query = (
        select(ContentItem)
        .where(
            ContentItem.status == Status.PUBLISHED,
            ContentItem.expires_at.is_not(None),
            ContentItem.expires_at <= now,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def ids_in_campaign(session: AsyncSession, campaign_id: uuid.UUID) -> list[str]:
    rows = await session.execute(
        select(ContentItem.id)
        .where(ContentItem.campaign_id == campaign_id)
        .order_by(ContentItem.created_at)
    )
    return [str(r) for r in rows.scalars()]


async def in_campaign_with_status(
    session: AsyncSession, tenant: str, campaign_id: uuid.UUID, status: str
) -> list[ContentItem]:
    query = (
        select(ContentItem)
        .where(
            ContentItem.tenant == tenant,
            ContentItem.campaign_id == campaign_id,
            ContentItem.status == status,
        )
        .with_for_update()
    )
    return list((await session.execute(query)).scalars())


async def canonical_url_known(session: AsyncSession, tenant: str, canonical: str) -> bool:
    found = await session.execute(
        select(ContentItem.id)
        .where(ContentItem.tenant == tenant, ContentItem.canonical_url == canonical)
        .limit(1)
    )
    return found.first() is not None


async def captions_of(
    session: AsyncSession, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Caption]]:
    found: dict[uuid.UUID, list[Caption]] = defaultdict(list)
    if not item_ids:
        return found
    rows = (
        await session.execute(
            select(Caption)
            .where(Caption.item_id.in_(item_ids))
            .order_by(Caption.network, Caption.language, Caption.variant)
        )
    ).scalars()
    for caption in rows:
        found[caption.item_id].append(caption)
    return found


async def replace_captions(
    session: AsyncSession, item: ContentItem, numbered: list[tuple[str, str, int, str]]
) -> list[Caption]:
    await session.execute(delete(Caption).where(Caption.item_id == item.id))
    captions = [
        Caption(item_id=item.id, tenant=item.tenant, network=n, language=lang, variant=v, text=t)
        for n, lang, v, t in numbered
    ]
    session.add_all(captions)
    await session.flush()
    return captions


def record(
    session: AsyncSession,
    item: ContentItem,
    actor: str,
    action: str,
    from_status: str | None,
    at: datetime,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            tenant=item.tenant,
            item_id=item.id,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=item.status,
            detail={k: v for k, v in detail.items() if v is not None},
            at=at,
        )
    )


async def audit_of(
    session: AsyncSession, tenant: str, item_id: uuid.UUID, after: int | None, limit: int
) -> list[AuditEntry]:
    """Oldest first by sequence number (unique; ix_item_audit_item covers it), after `after`."""
    query = select(AuditEntry).where(AuditEntry.tenant == tenant, AuditEntry.item_id == item_id)
    if after is not None:
        query = query.where(AuditEntry.seq > after)
    query = query.order_by(AuditEntry.seq).limit(limit)
    return list((await session.execute(query)).scalars())
