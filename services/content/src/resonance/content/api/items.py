"""Content items: creation, editing, captions and the editorial workflow."""

import uuid

from fastapi import APIRouter, Body, Query, status

from resonance.common.api_paging import CURSOR_DOC
from resonance.content.api.deps import NO_NUL, Editor, ProgrammeManager, Rt
from resonance.content.api.schemas import (
    AuditOut,
    AuditPage,
    CaptionIn,
    Comment,
    ItemIn,
    ItemOut,
    ItemPage,
    ItemPatch,
    PublishRequest,
    Rejection,
    item_out,
)
from resonance.content.domain.captions import MAX_CAPTIONS
from resonance.content.domain.workflow import Action, Status
from resonance.content.service import items
from resonance.content.service.items import ItemView

router = APIRouter(prefix="/v1/items", tags=["items"], dependencies=NO_NUL)

CONFLICT = {"description": "Not possible in the item's current state (problem+json)"}
NOT_FOUND = {"description": "No such item in the caller's tenant (problem+json)"}
INVALID = {"description": "Invalid input, blocked term, caption too long (problem+json)"}


def _out(view: ItemView) -> ItemOut:
    return item_out(view.item, view.captions)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemOut,
    summary="Create a content item (and publish it, submit it for review, or keep a draft)",
    responses={409: CONFLICT, 422: INVALID},
)
async def create_item(body: ItemIn, principal: Editor, rt: Rt) -> ItemOut:
    # Not in one unit of work: the service reads the link's preview between two.
    return _out(await items.create_item(rt, principal, body))


@router.get("", response_model=ItemPage, summary="List the tenant's items (back office)")
async def list_items(
    principal: Editor,
    rt: Rt,
    status_: Status | None = Query(default=None, alias="status"),
    family: str | None = None,
    campaign_id: uuid.UUID | None = None,
    cursor: str | None = Query(default=None, max_length=200, description=CURSOR_DOC),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(
        default=0, ge=0, le=100_000, deprecated=True, description="Use `cursor` instead."
    ),
) -> ItemPage:
    async with rt.unit_of_work() as uow:
        page = await items.items_of(
            uow,
            principal,
            status=status_,
            family=family,
            campaign_id=campaign_id,
            cursor=cursor,
            offset=offset,
            limit=limit,
        )
    return ItemPage(items=[_out(v) for v in page.items], next_cursor=page.next_cursor)


@router.get(
    "/{item_id}", response_model=ItemOut, summary="Read one item", responses={404: NOT_FOUND}
)
async def read_item(item_id: uuid.UUID, principal: Editor, rt: Rt) -> ItemOut:
    async with rt.unit_of_work() as uow:
        return _out(await items.read_item(uow, principal, item_id))


@router.patch(
    "/{item_id}",
    response_model=ItemOut,
    summary="Edit an item before publication (an approved item goes back to draft)",
    responses={404: NOT_FOUND, 409: CONFLICT, 422: INVALID},
)
async def edit_item(item_id: uuid.UUID, patch: ItemPatch, principal: Editor, rt: Rt) -> ItemOut:
    async with rt.unit_of_work() as uow:
        return _out(await items.edit_item(uow, principal, item_id, patch))


@router.put(
    "/{item_id}/captions",
    response_model=ItemOut,
    summary="Replace the item's suggested captions",
    responses={404: NOT_FOUND, 409: CONFLICT, 422: INVALID},
)
async def put_captions(
    item_id: uuid.UUID,
    principal: Editor,
    rt: Rt,
    captions: list[CaptionIn] = Body(max_length=MAX_CAPTIONS),
) -> ItemOut:
    async with rt.unit_of_work() as uow:
        return _out(await items.replace_captions(uow, principal, item_id, captions))


@router.post(
    "/{item_id}/submit",
    response_model=ItemOut,
    summary="Submit a draft for review",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def submit_item(
    item_id: uuid.UUID, principal: Editor, rt: Rt, body: Comment | None = None
) -> ItemOut:
    async with rt.unit_of_work() as uow:
        view = await items.act(
            uow, principal, item_id, Action.SUBMIT, comment=body.comment if body else None
        )
    return _out(view)


@router.post(
    "/{item_id}/approve",
    response_model=ItemOut,
    summary="Approve an item in review (programme managers)",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def approve_item(
    item_id: uuid.UUID, principal: ProgrammeManager, rt: Rt, body: Comment | None = None
) -> ItemOut:
    async with rt.unit_of_work() as uow:
        view = await items.act(
            uow, principal, item_id, Action.APPROVE, comment=body.comment if body else None
        )
    return _out(view)


@router.post(
    "/{item_id}/reject",
    response_model=ItemOut,
    summary="Send an item in review back to draft with a reason (programme managers)",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def reject_item(
    item_id: uuid.UUID, body: Rejection, principal: ProgrammeManager, rt: Rt
) -> ItemOut:
    async with rt.unit_of_work() as uow:
        return _out(await items.act(uow, principal, item_id, Action.REJECT, reason=body.reason))


@router.post(
    "/{item_id}/publish",
    response_model=ItemOut,
    summary="Publish at once or schedule (approved items; drafts when no approval is required)",
    responses={404: NOT_FOUND, 409: CONFLICT, 422: INVALID},
)
async def publish_item(
    item_id: uuid.UUID, principal: Editor, rt: Rt, body: PublishRequest | None = None
) -> ItemOut:
    async with rt.unit_of_work() as uow:
        view = await items.publish_item(uow, principal, item_id, body.publish_at if body else None)
    return _out(view)


@router.post(
    "/{item_id}/retire",
    response_model=ItemOut,
    summary="Withdraw an item (emits content.retired if it was live)",
    responses={404: NOT_FOUND, 409: CONFLICT},
)
async def retire_item(
    item_id: uuid.UUID, principal: Editor, rt: Rt, body: Comment | None = None
) -> ItemOut:
    async with rt.unit_of_work() as uow:
        view = await items.act(
            uow, principal, item_id, Action.RETIRE, comment=body.comment if body else None
        )
    return _out(view)


@router.get(
    "/{item_id}/audit",
    response_model=AuditPage,
    summary="Who did what to the item, and when (oldest first)",
    responses={404: NOT_FOUND},
)
async def item_audit(
    item_id: uuid.UUID,
    principal: Editor,
    rt: Rt,
    cursor: str | None = Query(default=None, max_length=200, description=CURSOR_DOC),
    limit: int = Query(default=50, ge=1, le=200),
) -> AuditPage:
    async with rt.unit_of_work() as uow:
        page = await items.audit(uow, principal, item_id, cursor, limit)
    return AuditPage(
        items=[
            AuditOut(
                actor=e.actor,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                detail=e.detail,
                at=e.at,
            )
            for e in page.entries
        ],
        next_cursor=page.next_cursor,
    )
