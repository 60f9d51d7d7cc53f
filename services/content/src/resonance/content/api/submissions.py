"""Ambassador submissions (user-generated content) and their moderation queue."""

import uuid
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.errors import Problem
from resonance.common.events.catalogue import SubmissionApproved, Targeting
from resonance.common.service import Runtime, runtime_of
from resonance.content.api.checks import NO_NUL, check_captions, refuse_blocked, writer
from resonance.content.api.items import item_out
from resonance.content.api.schemas import LANGUAGE, CaptionIn, ItemOut
from resonance.content.domain.captions import number_variants
from resonance.content.domain.targeting import normalise
from resonance.content.domain.taxonomy import category_error
from resonance.content.domain.urls import canonical_url
from resonance.content.domain.workflow import Status
from resonance.content.events.publishing import publish
from resonance.content.store.callers import ambassador_id_of
from resonance.content.store.items import record, replace_captions, set_targeting
from resonance.content.store.tables import ContentItem, Submission
from resonance.content.store.tenants import tenant_settings

router = APIRouter(prefix="/v1/submissions", tags=["submissions"], dependencies=NO_NUL)
ambassador = require_roles(Role.AMBASSADOR)


class SubmissionIn(BaseModel):
    format: Literal["link", "text", "image", "video"] = "link"
    title: str = Field(min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10_000)
    url: HttpUrl | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    note: str | None = Field(default=None, max_length=2000, description="For the moderators")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "format": "link",
                    "title": "Our team at the Lyon robotics fair",
                    "url": "https://blog.example.net/robotics-fair",
                    "language": "fr",
                    "note": "Photos from yesterday",
                }
            ]
        }
    }


class SubmissionOut(BaseModel):
    id: str
    ambassador_id: str | None
    format: str
    title: str
    body: str | None
    url: str | None
    language: str | None
    note: str | None
    status: Literal["pending", "approved", "rejected"]
    reason: str | None
    content_id: str | None
    created_at: datetime
    moderated_at: datetime | None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": "0f9e4b7a-3c55-4c8e-9a51-2b3c1d7e8f90",
                    "ambassador_id": "amb-42",
                    "format": "link",
                    "title": "Our team at the Lyon robotics fair",
                    "body": None,
                    "url": "https://blog.example.net/robotics-fair",
                    "language": "fr",
                    "note": "Photos from yesterday",
                    "status": "rejected",
                    "reason": "Please remove the customer's logo",
                    "content_id": None,
                    "created_at": "2026-11-22T09:00:00Z",
                    "moderated_at": "2026-11-22T11:00:00Z",
                }
            ]
        }
    }


class Approval(BaseModel):
    """Optional edits made by the moderator before publishing."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=10_000)
    url: HttpUrl | None = None
    category: str | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    brand: str | None = None
    tags: list[str] = Field(default_factory=list, max_length=30)
    captions: list[CaptionIn] = Field(default_factory=list, max_length=100)
    targeting: Targeting = Field(default_factory=Targeting)
    pinned: bool = False
    must_read: bool = False

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Our team at the Lyon robotics fair 🤖",
                    "captions": [
                        {"network": "linkedin", "language": "fr", "text": "Bravo à l'équipe !"}
                    ],
                    "targeting": {"countries": ["FR"]},
                }
            ]
        }
    }


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Shown to the ambassador")

    model_config = {
        "json_schema_extra": {"examples": [{"reason": "Please remove the customer's name"}]}
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
        status=s.status,  # type: ignore[arg-type]
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
async def submit(
    body: SubmissionIn,
    principal: Principal = Depends(ambassador),
    runtime: Runtime = Depends(runtime_of),
) -> SubmissionOut:
    if body.format in ("link", "video") and body.url is None:
        raise Problem(422, "Missing url", f"a {body.format} submission needs a url")
    async with runtime.db.transaction() as session:
        settings = await tenant_settings(session, principal.tenant)
        refuse_blocked(settings, title=body.title, body=body.body, note=body.note)
        row = Submission(
            tenant=principal.tenant,
            ambassador_id=await ambassador_id_of(session, principal.tenant, principal.subject),
            format=body.format,
            title=body.title,
            body=body.body,
            url=str(body.url) if body.url else None,
            language=body.language,
            note=body.note,
        )
        session.add(row)
    return _out(row)


@router.get(
    "/mine",
    response_model=list[SubmissionOut],
    summary="The caller's own submissions with their status and any rejection reason",
)
async def mine(
    principal: Principal = Depends(ambassador), runtime: Runtime = Depends(runtime_of)
) -> list[SubmissionOut]:
    async with runtime.db.session() as session:
        me = await ambassador_id_of(session, principal.tenant, principal.subject)
        rows = (
            await session.execute(
                select(Submission)
                .where(Submission.tenant == principal.tenant, Submission.ambassador_id == me)
                .order_by(Submission.created_at.desc())  # type: ignore[attr-defined]
                .limit(200)
            )
        ).scalars()
        return [_out(s) for s in rows]


@router.get(
    "",
    response_model=list[SubmissionOut],
    summary="The moderation queue (oldest first), or past decisions",
)
async def queue(
    status_: Literal["pending", "approved", "rejected"] = Query(default="pending", alias="status"),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> list[SubmissionOut]:
    async with runtime.db.session() as session:
        rows = (
            await session.execute(
                select(Submission)
                .where(Submission.tenant == principal.tenant, Submission.status == status_)
                .order_by(Submission.created_at)
                .limit(limit)
            )
        ).scalars()
        return [_out(s) for s in rows]


async def _pending(session, principal: Principal, submission_id: uuid.UUID) -> Submission:  # type: ignore[no-untyped-def]
    row = (
        await session.execute(
            select(Submission)
            .where(Submission.tenant == principal.tenant, Submission.id == submission_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise Problem(404, "Not Found", f"no submission {submission_id}")
    if row.status != "pending":
        raise Problem(
            409,
            "Already moderated",
            f"the submission is already {row.status}",
            type_="https://resonance.dev/problems/invalid-transition",
        )
    return row


@router.post(
    "/{submission_id}/approve",
    response_model=ItemOut,
    summary="Approve (possibly edited): publishes it and emits submission.approved",
    responses={
        404: {"description": "No such submission"},
        409: {"description": "Already moderated"},
    },
)
async def approve(
    submission_id: uuid.UUID,
    body: Approval | None = None,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> ItemOut:
    edits = body or Approval()
    error = category_error("submission", edits.category)
    if error:
        raise Problem(422, "Invalid category", error)
    now = datetime.now(UTC)
    async with runtime.db.transaction() as session:
        sub = await _pending(session, principal, submission_id)
        settings = await tenant_settings(session, principal.tenant)
        title = edits.title or sub.title
        text = edits.body if edits.body is not None else sub.body
        refuse_blocked(settings, title=title, body=text)
        captions = [(c.network, c.language, c.text) for c in edits.captions]
        check_captions(settings, captions)
        url = str(edits.url) if edits.url else sub.url
        item = ContentItem(
            tenant=principal.tenant,
            family="submission",
            category=edits.category or ("curated_link" if url else "own_post"),
            format=sub.format,
            title=title,
            body=text,
            url=url,
            canonical_url=canonical_url(url) if url else None,
            language=edits.language or sub.language,
            brand=edits.brand,
            tags=sorted({t.strip().lower() for t in edits.tags if t.strip()}),
            pinned=edits.pinned,
            must_read=edits.must_read,
            submission_id=sub.id,
            submitted_by=sub.ambassador_id,
            status=Status.DRAFT,
            created_by=principal.subject,
            created_at=now,
            updated_at=now,
        )
        set_targeting(item, normalise(edits.targeting))
        session.add(item)
        await session.flush()
        saved = await replace_captions(session, item, number_variants(captions))
        record(session, item, principal.subject, "create", None, now, submission=str(sub.id))
        await publish(session, runtime.outbox, item, now)
        record(session, item, principal.subject, "publish", Status.DRAFT, now)
        sub.status = "approved"
        sub.moderated_by = principal.subject
        sub.moderated_at = now
        sub.content_id = item.id
        await runtime.outbox.add(
            session,
            principal.tenant,
            SubmissionApproved(
                submission_id=str(sub.id),
                content_id=str(item.id),
                ambassador_id=sub.ambassador_id or "",
            ),
        )
    return item_out(item, saved)


@router.post(
    "/{submission_id}/reject",
    response_model=SubmissionOut,
    summary="Reject with a reason the ambassador can read",
    responses={
        404: {"description": "No such submission"},
        409: {"description": "Already moderated"},
    },
)
async def reject(
    submission_id: uuid.UUID,
    body: Rejection,
    principal: Principal = Depends(writer),
    runtime: Runtime = Depends(runtime_of),
) -> SubmissionOut:
    async with runtime.db.transaction() as session:
        sub = await _pending(session, principal, submission_id)
        sub.status = "rejected"
        sub.reason = body.reason
        sub.moderated_by = principal.subject
        sub.moderated_at = datetime.now(UTC)
    return _out(sub)
