"""Content items: creation, editing, captions and the editorial workflow."""

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.auth import Principal
from resonance.common.errors import Problem
from resonance.common.service import Runtime, runtime_of
from resonance.content.api.checks import (
    NO_NUL,
    approver,
    check_captions,
    fetch_policy,
    preview_or_problem,
    writer,
)
from resonance.content.api.schemas import (
    AuditOut,
    CaptionIn,
    CaptionOut,
    Comment,
    ItemIn,
    ItemOut,
    ItemPage,
    ItemPatch,
    PublishRequest,
    Rejection,
)
from resonance.content.domain.captions import number_variants
from resonance.content.domain.targeting import normalise
from resonance.content.domain.taxonomy import category_error
from resonance.content.domain.urls import canonical_url
from resonance.content.domain.workflow import (
    Action,
    NotAllowed,
    Status,
    TransitionRefused,
    approval_required,
    decide,
)
from resonance.content.events.publishing import announce_retired, publish
from resonance.content.settings import ContentSettings
from resonance.content.store.items import (
    audit_of,
    captions_of,
    get_item,
    record,
    replace_captions,
    set_targeting,
    targeting_of,
)
from resonance.content.store.tables import Campaign, Caption, ContentItem, TenantSettings
from resonance.content.store.tenants import tenant_settings

router = APIRouter(prefix="/v1/items", tags=["items"], dependencies=NO_NUL)

CONFLICT = {"description": "Not possible in the item's current state (problem+json)"}
NOT_FOUND = {"description": "No such item in the caller's tenant (problem+json)"}
INVALID = {"description": "Invalid input, blocked term, caption too long (problem+json)"}


def item_out(item: ContentItem, captions: list[Caption]) -> ItemOut:
    return ItemOut(
        id=str(item.id),
        family=item.family,
        category=item.category,
        format=item.format,
        title=item.title,
        body=item.body,
        url=item.url,
        canonical_url=item.canonical_url,
        image_url=item.image_url,
        preview_title=item.preview_title,
        preview_description=item.preview_description,
        language=item.language,
        brand=item.brand,
        tags=list(item.tags),
        captions=[
            CaptionOut(network=c.network, language=c.language, variant=c.variant, text=c.text)  # type: ignore[arg-type]
            for c in captions
        ],
        targeting=targeting_of(item),
        campaign_id=str(item.campaign_id) if item.campaign_id else None,
        status=item.status,
        pinned=item.pinned,
        must_read=item.must_read,
        publish_at=item.publish_at,
        expires_at=item.expires_at,
        published_at=item.published_at,
        submitted_by=item.submitted_by,
        created_by=item.created_by,
        created_at=item.created_at,
    )


def _caption_tuples(captions: list[CaptionIn]) -> list[tuple[str, str, str]]:
    return [(c.network, c.language, c.text) for c in captions]


async def _campaign(session: AsyncSession, tenant: str, campaign_id: uuid.UUID) -> Campaign:
    campaign = (
        await session.execute(
            select(Campaign).where(Campaign.tenant == tenant, Campaign.id == campaign_id)
        )
    ).scalar_one_or_none()
    if campaign is None:
        raise Problem(422, "Unknown campaign", f"no campaign {campaign_id} in this tenant")
    return campaign


async def _load(session: AsyncSession, principal: Principal, item_id: uuid.UUID) -> ContentItem:
    item = await get_item(session, principal.tenant, item_id, for_update=True)
    if item is None:
        raise Problem(404, "Not Found", f"no item {item_id}")
    return item


def _decide(action: Action, item: ContentItem, principal: Principal, **kwargs: Any) -> Status:
    try:
        return decide(action, Status(item.status), principal.roles, **kwargs).status
    except TransitionRefused as exc:
        raise Problem(
            409,
            "Invalid transition",
            str(exc),
            type_="https://resonance.dev/problems/invalid-transition",
            status_now=item.status,
            action=action.value,
        ) from exc
    except NotAllowed as exc:
        raise Problem(403, "Forbidden", str(exc)) from exc


def _needs_approval(settings: TenantSettings, brand: str | None) -> bool:
    return approval_required(
        brand, settings.approval_required, list(settings.approval_required_brands)
    )


async def _publish_or_schedule(
    session: AsyncSession,
    runtime: Runtime,
    item: ContentItem,
    principal: Principal,
    settings: TenantSettings,
    now: datetime,
) -> None:
    before = item.status
    needs = _needs_approval(settings, item.brand)
    try:
        outcome = decide(
            Action.PUBLISH,
            Status(before),
            principal.roles,
            needs_approval=needs,
            publish_at=item.publish_at,
            now=now,
        )
    except TransitionRefused as exc:
        raise Problem(
            409,
            "Invalid transition",
            str(exc),
            type_="https://resonance.dev/problems/invalid-transition",
            status_now=before,
            action="publish",
        ) from exc
    except NotAllowed as exc:
        raise Problem(403, "Forbidden", str(exc)) from exc
    if item.expires_at is not None and item.expires_at <= now:
        raise Problem(422, "Window over", "expires_at is already past: nothing to publish")
    if outcome.status == Status.SCHEDULED:
        item.status = Status.SCHEDULED
        item.updated_at = now
        record(
            session,
            item,
            principal.subject,
            "schedule",
            before,
            now,
            publish_at=item.publish_at.isoformat() if item.publish_at else None,
            implicit_approval=outcome.implicit_approval or None,
        )
        return
    await publish(session, runtime.outbox, item, now)
    record(
        session,
        item,
        principal.subject,
        "publish",
        before,
        now,
        implicit_approval=outcome.implicit_approval or None,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemOut,
    summary="Create a content item (and publish it, submit it for review, or keep a draft)",
    responses={409: CONFLICT, 422: INVALID},
)
async def create_item(
    body: ItemIn,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    error = category_error(body.family, body.category)
    if error:
        raise Problem(422, "Invalid category", error)
    if body.format in ("link", "video") and body.url is None:
        raise Problem(422, "Missing url", f"a {body.format} item needs a url")
    settings_ = runtime.settings
    assert isinstance(settings_, ContentSettings)
    now = datetime.now(UTC)
    async with runtime.db.session() as session:
        tenant = await tenant_settings(session, principal.tenant)
    check_captions(tenant, _caption_tuples(body.captions))
    url = str(body.url) if body.url else None
    # Read outside the transaction: the page may take seconds to answer.
    preview = (
        await preview_or_problem(url, fetch_policy(settings_, tenant))
        if body.fetch_preview and url
        else None
    )
    async with runtime.db.transaction() as session:
        targeting = normalise(body.targeting)
        if body.campaign_id is not None:
            campaign = await _campaign(session, principal.tenant, body.campaign_id)
            if targeting == normalise(type(targeting)()) and campaign.targeting:
                targeting = normalise(type(targeting)(**campaign.targeting))
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
            tags=sorted({t.strip().lower() for t in body.tags if t.strip()}),
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
        set_targeting(item, targeting)
        if preview is not None:
            item.canonical_url = canonical_url(preview.canonical_url)
            item.preview_title = preview.title
            item.preview_description = preview.description
            item.preview_site_name = preview.site_name
            item.image_url = item.image_url or preview.image_url
        session.add(item)
        await session.flush()
        captions = await replace_captions(
            session, item, number_variants(_caption_tuples(body.captions))
        )
        record(session, item, principal.subject, "create", None, now)
        if body.submit == "review":
            item.status = _decide(Action.SUBMIT, item, principal)
            record(session, item, principal.subject, "submit", Status.DRAFT, now)
        elif body.submit == "publish":
            await _publish_or_schedule(session, runtime, item, principal, tenant, now)
    return item_out(item, captions)


@router.get("", response_model=ItemPage, summary="List the tenant's items (back office)")
async def list_items(
    status_: Status | None = Query(default=None, alias="status"),
    family: str | None = None,
    campaign_id: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=100_000),
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemPage:
    query = select(ContentItem).where(ContentItem.tenant == principal.tenant)
    if status_ is not None:
        query = query.where(ContentItem.status == status_.value)
    if family is not None:
        query = query.where(ContentItem.family == family)
    if campaign_id is not None:
        query = query.where(ContentItem.campaign_id == campaign_id)
    query = query.order_by(ContentItem.created_at.desc(), ContentItem.id.desc())  # type: ignore[attr-defined]
    async with runtime.db.session() as session:
        items = list((await session.execute(query.offset(offset).limit(limit + 1))).scalars())
        more = len(items) > limit
        items = items[:limit]
        captions = await captions_of(session, [i.id for i in items])
    return ItemPage(
        items=[item_out(i, captions.get(i.id, [])) for i in items],
        next_offset=offset + limit if more else None,
    )


@router.get(
    "/{item_id}", response_model=ItemOut, summary="Read one item", responses={404: NOT_FOUND}
)
async def read_item(
    item_id: uuid.UUID,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    async with runtime.db.session() as session:
        item = await get_item(session, principal.tenant, item_id)
        if item is None:
            raise Problem(404, "Not Found", f"no item {item_id}")
        captions = await captions_of(session, [item.id])
    return item_out(item, captions.get(item.id, []))


@router.patch(
    "/{item_id}",
    response_model=ItemOut,
    summary="Edit an item before publication (an approved item goes back to draft)",
    responses={404: NOT_FOUND, 409: CONFLICT, 422: INVALID},
)
async def edit_item(
    item_id: uuid.UUID,
    patch: ItemPatch,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    changes = patch.model_dump(exclude_unset=True)
    now = datetime.now(UTC)
    async with runtime.db.transaction() as session:
        item = await _load(session, principal, item_id)
        before = item.status
        new_status = _decide(Action.EDIT, item, principal)
        tenant = await tenant_settings(session, principal.tenant)
        if "category" in changes:
            error = category_error(item.family, patch.category)
            if error:
                raise Problem(422, "Invalid category", error)
        if patch.campaign_id is not None:
            await _campaign(session, principal.tenant, patch.campaign_id)
        for name in (
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
        ):
            if name in changes:
                if name in ("title", "format", "pinned", "must_read") and changes[name] is None:
                    raise Problem(422, "Invalid value", f"{name} cannot be null")
                setattr(item, name, getattr(patch, name))
        for name in ("publish_at", "expires_at"):
            value = getattr(item, name)
            if value is not None and value.tzinfo is None:
                raise Problem(422, "Invalid value", f"{name} needs a timezone")
        if item.publish_at and item.expires_at and item.expires_at <= item.publish_at:
            raise Problem(422, "Invalid window", "expires_at must be after publish_at")
        if "url" in changes:
            item.url = str(patch.url) if patch.url else None
            item.canonical_url = canonical_url(item.url) if item.url else None
        if "image_url" in changes:
            item.image_url = str(patch.image_url) if patch.image_url else None
        if patch.tags is not None:
            item.tags = sorted({t.strip().lower() for t in patch.tags if t.strip()})
        if patch.targeting is not None:
            set_targeting(item, normalise(patch.targeting))
        if patch.captions is not None:
            check_captions(tenant, _caption_tuples(patch.captions))
            await replace_captions(session, item, number_variants(_caption_tuples(patch.captions)))
        if item.format in ("link", "video") and not item.url:
            raise Problem(422, "Missing url", f"a {item.format} item needs a url")
        item.status = new_status
        item.updated_at = now
        record(session, item, principal.subject, "edit", before, now, fields=sorted(changes))
        captions = await captions_of(session, [item.id])
    return item_out(item, captions.get(item.id, []))


@router.put(
    "/{item_id}/captions",
    response_model=ItemOut,
    summary="Replace the item's suggested captions",
    responses={404: NOT_FOUND, 409: CONFLICT, 422: INVALID},
)
async def put_captions(
    item_id: uuid.UUID,
    captions: list[CaptionIn] = Body(max_length=100),
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    return await edit_item(item_id, ItemPatch(captions=captions), principal, runtime)


async def _transition(
    runtime: Runtime,
    principal: Principal,
    item_id: uuid.UUID,
    action: Action,
    **detail: Any,
) -> ItemOut:
    now = datetime.now(UTC)
    async with runtime.db.transaction() as session:
        item = await _load(session, principal, item_id)
        before = item.status
        item.status = _decide(action, item, principal)
        item.updated_at = now
        if action == Action.RETIRE:
            item.retired_at = now
            item.retire_reason = "withdrawn"
            if before == Status.PUBLISHED:  # a scheduled item was never announced
                await announce_retired(session, runtime.outbox, item, "withdrawn")
        record(session, item, principal.subject, action.value, before, now, **detail)
        captions = await captions_of(session, [item.id])
    return item_out(item, captions.get(item.id, []))


@router.post(
    "/{item_id}/submit",
    response_model=ItemOut,
    summary="Submit a draft for review",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def submit_item(
    item_id: uuid.UUID,
    body: Comment | None = None,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    return await _transition(
        runtime, principal, item_id, Action.SUBMIT, comment=body.comment if body else None
    )


@router.post(
    "/{item_id}/approve",
    response_model=ItemOut,
    summary="Approve an item in review (programme managers)",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def approve_item(
    item_id: uuid.UUID,
    body: Comment | None = None,
    principal: Principal = Depends(approver),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    return await _transition(
        runtime, principal, item_id, Action.APPROVE, comment=body.comment if body else None
    )


@router.post(
    "/{item_id}/reject",
    response_model=ItemOut,
    summary="Send an item in review back to draft with a reason (programme managers)",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def reject_item(
    item_id: uuid.UUID,
    body: Rejection,
    principal: Principal = Depends(approver),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    return await _transition(runtime, principal, item_id, Action.REJECT, reason=body.reason)


@router.post(
    "/{item_id}/publish",
    response_model=ItemOut,
    summary="Publish at once or schedule (approved items; drafts when no approval is required)",
    responses={404: NOT_FOUND, 409: CONFLICT, 422: INVALID},
)
async def publish_item(
    item_id: uuid.UUID,
    body: PublishRequest | None = None,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    now = datetime.now(UTC)
    async with runtime.db.transaction() as session:
        item = await _load(session, principal, item_id)
        if body is not None and body.publish_at is not None:
            if body.publish_at.tzinfo is None:
                raise Problem(422, "Invalid value", "publish_at needs a timezone")
            if item.expires_at and body.publish_at >= item.expires_at:
                raise Problem(422, "Invalid window", "publish_at must be before expires_at")
            item.publish_at = body.publish_at
        tenant = await tenant_settings(session, principal.tenant)
        await _publish_or_schedule(session, runtime, item, principal, tenant, now)
        captions = await captions_of(session, [item.id])
    return item_out(item, captions.get(item.id, []))


@router.post(
    "/{item_id}/retire",
    response_model=ItemOut,
    summary="Withdraw an item (emits content.retired if it was live)",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def retire_item(
    item_id: uuid.UUID,
    body: Comment | None = None,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    return await _transition(
        runtime, principal, item_id, Action.RETIRE, comment=body.comment if body else None
    )


@router.get(
    "/{item_id}/audit",
    response_model=list[AuditOut],
    summary="Who did what to the item, and when",
    responses={404: NOT_FOUND},
)
async def item_audit(
    item_id: uuid.UUID,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> list[AuditOut]:
    async with runtime.db.session() as session:
        if await get_item(session, principal.tenant, item_id) is None:
            raise Problem(404, "Not Found", f"no item {item_id}")
        entries = await audit_of(session, principal.tenant, item_id)
    return [
        AuditOut(
            actor=e.actor,
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            detail=e.detail,
            at=e.at,
        )
        for e in entries
    ]
