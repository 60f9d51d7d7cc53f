"""Content items: creation, editing, captions, the editorial workflow on request, reading.

Status changes go through service/workflow.py; the rules on an item's content are in
domain/items.py.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.service import Runtime
from resonance.content.api.schemas import CaptionIn, ItemIn, ItemPatch
from resonance.content.domain.cursor import ListPosition, SeqPosition, next_cursor
from resonance.content.domain.errors import UnknownCampaign
from resonance.content.domain.items import (
    audience,
    check_category,
    check_not_null,
    check_publish_at,
    check_url,
    check_window,
    clean_tags,
)
from resonance.content.domain.targeting import normalise
from resonance.content.domain.urls import canonical_url
from resonance.content.domain.workflow import Action, Status, approval_required
from resonance.content.preview.metadata import Preview
from resonance.content.service import Uow, captions, previews, workflow
from resonance.content.settings import ContentSettings
from resonance.content.store.campaigns import get_campaign
from resonance.content.store.items import (
    add_item,
    audit_of,
    captions_of,
    get_item,
    list_items,
    record,
    set_targeting,
)
from resonance.content.store.tables import (
    AuditEntry,
    Campaign,
    Caption,
    ContentItem,
    TenantSettings,
)
from resonance.content.store.tenants import tenant_settings

# Fields an edit copies as sent (the others are normalised on the way in).
COPIED_FIELDS = (
    "category",
    "format",
    "title",
    "body",
    "language",
    "brand",
    "campaign_id",
    "publish_at",
    "expires_at",
    "pinned",
    "must_read",
)


@dataclass(frozen=True)
class ItemView:
    item: ContentItem
    captions: list[Caption]


@dataclass(frozen=True)
class ItemPage:
    items: list[ItemView]
    next_cursor: str | None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: str | None


async def create_item(rt: Runtime[ContentSettings], principal: Principal, body: ItemIn) -> ItemView:
    """Creates an item, then submits it for review, publishes (or schedules) it, or leaves
    it a draft, as `body.submit` says. Takes the runtime: a preview is read from the link's
    page between two short transactions, never inside one."""
    check_category(body.family, body.category)
    url = str(body.url) if body.url else None
    check_url(body.format, url)
    async with rt.unit_of_work() as uow:
        tenant = await tenant_settings(uow.session, principal.tenant)
    captions.check(tenant, body.captions)
    preview = (
        await previews.read_preview(url, previews.fetch_policy(rt.settings))
        if body.fetch_preview and url
        else None
    )
    async with rt.unit_of_work() as uow:
        return await _create(uow, principal, body, tenant, preview)


async def _create(
    uow: Uow,
    principal: Principal,
    body: ItemIn,
    tenant: TenantSettings,
    preview: Preview | None,
) -> ItemView:
    now = uow.now()
    campaign = await _campaign(uow, principal.tenant, body.campaign_id)
    url = str(body.url) if body.url else None
    item = ContentItem(
        tenant=principal.tenant,
        family=body.family,
        category=body.category,
        format=body.format,
        title=body.title,
        body=body.body,
        url=url,
        canonical_url=canonical_url(url) if url else None,
        image_url=str(body.image_url) if body.image_url else None,
        language=body.language,
        brand=body.brand,
        tags=clean_tags(body.tags),
        campaign_id=body.campaign_id,
        pinned=body.pinned,
        must_read=body.must_read,
        publish_at=body.publish_at,
        expires_at=body.expires_at,
        status=Status.DRAFT,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    set_targeting(item, audience(body.targeting, campaign.targeting if campaign else None))
    if preview is not None:
        item.canonical_url = canonical_url(preview.canonical_url)
        item.preview_title = preview.title
        item.preview_description = preview.description
        item.preview_site_name = preview.site_name
        item.image_url = item.image_url or preview.image_url
    await add_item(uow.session, item)
    saved = await captions.replace(uow, item, body.captions)
    record(uow.session, item, principal.subject, "create", None, now)
    by = workflow.actor(principal)
    if body.submit == "review":
        await workflow.change(uow, item, Action.SUBMIT, by)
    elif body.submit == "publish":
        await workflow.change(
            uow, item, Action.PUBLISH, by, needs_approval=needs_approval(tenant, item.brand)
        )
    return ItemView(item, saved)


async def edit_item(
    uow: Uow, principal: Principal, item_id: uuid.UUID, patch: ItemPatch
) -> ItemView:
    """Changes what `patch` sends, before publication; an approved item goes back to draft."""
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    item = await _load(uow, principal, item_id)
    # Refused edits roll the whole transaction back, this change of status included.
    await workflow.change(uow, item, Action.EDIT, workflow.actor(principal), fields=sorted(changes))
    tenant = await tenant_settings(uow.session, principal.tenant)
    if "category" in changes:
        check_category(item.family, patch.category)
    await _campaign(uow, principal.tenant, patch.campaign_id)
    check_not_null(changes)
    for name in COPIED_FIELDS:
        if name in changes:
            setattr(item, name, getattr(patch, name))
    check_window(item.publish_at, item.expires_at)
    if "url" in changes:
        item.url = str(patch.url) if patch.url else None
        item.canonical_url = canonical_url(item.url) if item.url else None
    if "image_url" in changes:
        item.image_url = str(patch.image_url) if patch.image_url else None
    if patch.tags is not None:
        item.tags = clean_tags(patch.tags)
    if patch.targeting is not None:
        set_targeting(item, normalise(patch.targeting))
    if patch.captions is not None:
        captions.check(tenant, patch.captions)
        await captions.replace(uow, item, patch.captions)
    check_url(item.format, item.url)
    return await _view(uow, item)


async def replace_captions(
    uow: Uow, principal: Principal, item_id: uuid.UUID, new: list[CaptionIn]
) -> ItemView:
    """An edit of the captions alone."""
    return await edit_item(uow, principal, item_id, ItemPatch(captions=new))


async def act(
    uow: Uow, principal: Principal, item_id: uuid.UUID, action: Action, **detail: Any
) -> ItemView:
    """Submit, approve, reject or retire, as the caller's roles allow."""
    item = await _load(uow, principal, item_id)
    await workflow.change(uow, item, action, workflow.actor(principal), **detail)
    return await _view(uow, item)


async def publish_item(
    uow: Uow, principal: Principal, item_id: uuid.UUID, publish_at: datetime | None
) -> ItemView:
    """Publishes at once, or schedules for `publish_at` (or the item's own date) if later."""
    item = await _load(uow, principal, item_id)
    if publish_at is not None:
        check_publish_at(publish_at, item.expires_at)
        item.publish_at = publish_at
    tenant = await tenant_settings(uow.session, principal.tenant)
    await workflow.change(
        uow,
        item,
        Action.PUBLISH,
        workflow.actor(principal),
        needs_approval=needs_approval(tenant, item.brand),
    )
    return await _view(uow, item)


async def read_item(uow: Uow, principal: Principal, item_id: uuid.UUID) -> ItemView:
    item = await get_item(uow.session, principal.tenant, item_id)
    if item is None:
        raise NotFound(f"no item {item_id}")
    return await _view(uow, item)


async def items_of(
    uow: Uow,
    principal: Principal,
    *,
    status: Status | None,
    family: str | None,
    campaign_id: uuid.UUID | None,
    cursor: str | None,
    offset: int,
    limit: int,
) -> ItemPage:
    """The tenant's items, newest first, a page at a time (after `cursor`; `offset` is the
    deprecated way, kept for old clients)."""
    after = ListPosition.decode(cursor) if cursor else None
    found = await list_items(
        uow.session,
        principal.tenant,
        status=status.value if status else None,
        family=family,
        campaign_id=campaign_id,
        after=after,
        offset=0 if after else offset,
        limit=limit + 1,
    )
    page = found[:limit]
    by_item = await captions_of(uow.session, [i.id for i in page])
    return ItemPage(
        items=[ItemView(i, by_item.get(i.id, [])) for i in page],
        next_cursor=next_cursor(found, limit, lambda i: ListPosition(i.created_at, i.id)),
    )


async def audit(
    uow: Uow, principal: Principal, item_id: uuid.UUID, cursor: str | None, limit: int
) -> AuditPage:
    """The item's audit trail, oldest first, a page at a time after `cursor`."""
    after = SeqPosition.decode(cursor).seq if cursor else None
    if await get_item(uow.session, principal.tenant, item_id) is None:
        raise NotFound(f"no item {item_id}")
    found = await audit_of(uow.session, principal.tenant, item_id, after, limit + 1)
    return AuditPage(found[:limit], next_cursor(found, limit, lambda e: SeqPosition(e.seq or 0)))


async def _load(uow: Uow, principal: Principal, item_id: uuid.UUID) -> ContentItem:
    """The caller's tenant's item, locked for the change to come."""
    item = await get_item(uow.session, principal.tenant, item_id, for_update=True)
    if item is None:
        raise NotFound(f"no item {item_id}")
    return item


async def _view(uow: Uow, item: ContentItem) -> ItemView:
    return ItemView(item, (await captions_of(uow.session, [item.id])).get(item.id, []))


async def _campaign(uow: Uow, tenant: str, campaign_id: uuid.UUID | None) -> Campaign | None:
    """The campaign an item joins (None when it joins none); an unknown one is refused."""
    if campaign_id is None:
        return None
    campaign = await get_campaign(uow.session, tenant, campaign_id)
    if campaign is None:
        raise UnknownCampaign(f"no campaign {campaign_id} in this tenant")
    return campaign


def needs_approval(tenant: TenantSettings, brand: str | None) -> bool:
    """Whether publishing an item of `brand` takes an approver (tenant or brand rule)."""
    return approval_required(brand, tenant.approval_required, list(tenant.approval_required_brands))
