"""Ambassador submissions (user-generated content) and their moderation queue."""

import uuid
from typing import Literal

from fastapi import APIRouter, Query, status

from resonance.common.api_paging import CURSOR_DOC, Page
from resonance.content.api.deps import NO_NUL, Ambassador, Editor, Rt
from resonance.content.api.schemas import ItemOut, item_out
from resonance.content.api.schemas_submissions import (
    Approval,
    Rejection,
    SubmissionIn,
    SubmissionOut,
)
from resonance.content.service import submissions
from resonance.content.store.tables import Submission

router = APIRouter(prefix="/v1/submissions", tags=["submissions"], dependencies=NO_NUL)

MODERATION_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "No such submission"},
    409: {"description": "Already moderated"},
}


def _out(s: Submission) -> SubmissionOut:
    return SubmissionOut(
        id=str(s.id),
        ambassador_id=s.ambassador_id,
        format=s.format,
        title=s.title,
        body=s.body,
        url=s.url,
        language=s.language,
        note=s.note,
        status=s.status,
        reason=s.reason,
        content_id=str(s.content_id) if s.content_id else None,
        created_at=s.created_at,
        moderated_at=s.moderated_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmissionOut,
    summary="Propose a link or a post (ambassadors); it enters the moderation queue",
    responses={422: {"description": "Invalid input or blocked term (problem+json)"}},
)
async def submit(body: SubmissionIn, principal: Ambassador, rt: Rt) -> SubmissionOut:
    async with rt.unit_of_work() as uow:
        row = await submissions.submit(uow, principal, body)
    return _out(row)


@router.get(
    "/mine",
    response_model=Page[SubmissionOut],
    summary="The caller's own submissions (newest first) with their status and any reason",
)
async def mine(
    principal: Ambassador,
    rt: Rt,
    cursor: str | None = Query(default=None, max_length=200, description=CURSOR_DOC),
    limit: int = Query(default=50, ge=1, le=200),
) -> Page[SubmissionOut]:
    async with rt.unit_of_work() as uow:
        page = await submissions.mine(uow, principal, cursor, limit)
    return Page(items=[_out(s) for s in page.rows], next_cursor=page.next_cursor)


@router.get(
    "",
    response_model=Page[SubmissionOut],
    summary="The moderation queue (oldest first), or past decisions",
)
async def queue(
    principal: Editor,
    rt: Rt,
    status_: Literal["pending", "approved", "rejected"] = Query(default="pending", alias="status"),
    cursor: str | None = Query(default=None, max_length=200, description=CURSOR_DOC),
    limit: int = Query(default=50, ge=1, le=200),
) -> Page[SubmissionOut]:
    async with rt.unit_of_work() as uow:
        page = await submissions.moderation_queue(uow, principal, status_, cursor, limit)
    return Page(items=[_out(s) for s in page.rows], next_cursor=page.next_cursor)


@router.post(
    "/{submission_id}/approve",
    response_model=ItemOut,
    summary="Approve (possibly edited): publishes it and emits submission.approved",
    responses=MODERATION_ERRORS,
)
async def approve(
    submission_id: uuid.UUID, principal: Editor, rt: Rt, body: Approval | None = None
) -> ItemOut:
    async with rt.unit_of_work() as uow:
        view = await submissions.approve(uow, principal, submission_id, body or Approval())
    return item_out(view.item, view.captions)


@router.post(
    "/{submission_id}/reject",
    response_model=SubmissionOut,
    summary="Reject with a reason the ambassador can read",
    responses=MODERATION_ERRORS,
)
async def reject(
    submission_id: uuid.UUID, body: Rejection, principal: Editor, rt: Rt
) -> SubmissionOut:
    async with rt.unit_of_work() as uow:
        row = await submissions.reject(uow, principal, submission_id, body.reason)
    return _out(row)
