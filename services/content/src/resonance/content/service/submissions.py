"""Ambassadors' own content (user-generated) and its moderation: an approved submission
becomes a published item of the `submission` family and emits submission.approved."""

import uuid
from typing import Literal

from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.events.catalogue import SubmissionApproved
from resonance.content.api.schemas_submissions import Approval, SubmissionIn
from resonance.content.domain.compliance import refuse_blocked
from resonance.content.domain.cursor import ListPosition, next_cursor
from resonance.content.domain.items import check_category, check_url, clean_tags
from resonance.content.domain.submissions import approved_category, check_pending
from resonance.content.domain.targeting import normalise
from resonance.content.domain.urls import canonical_url
from resonance.content.domain.workflow import Action, Status
from resonance.content.service import Paged, Uow, captions, workflow
from resonance.content.service.items import ItemView, needs_approval
from resonance.content.store.callers import ambassador_id_of
from resonance.content.store.items import add_item, record, set_targeting
from resonance.content.store.submissions import get_submission, queue, submissions_of
from resonance.content.store.tables import ContentItem, Submission
from resonance.content.store.tenants import tenant_settings


async def submit(uow: Uow, principal: Principal, body: SubmissionIn) -> Submission:
    """Enters the moderation queue under the caller's ambassador id (see store/callers.py)."""
    url = str(body.url) if body.url else None
    check_url(body.format, url, "submission")
    tenant = await tenant_settings(uow.session, principal.tenant)
    refuse_blocked(list(tenant.blocked_terms), title=body.title, body=body.body, note=body.note)
    row = Submission(
        tenant=principal.tenant,
        ambassador_id=await ambassador_id_of(uow.session, principal.tenant, principal.subject),
        format=body.format,
        title=body.title,
        body=body.body,
        url=url,
        language=body.language,
        note=body.note,
    )
    uow.session.add(row)
    return row


async def mine(uow: Uow, principal: Principal, cursor: str | None, limit: int) -> Paged[Submission]:
    after = ListPosition.decode(cursor) if cursor else None
    me = await ambassador_id_of(uow.session, principal.tenant, principal.subject)
    found = await submissions_of(uow.session, principal.tenant, me, after, limit + 1)
    return Paged(found[:limit], next_cursor(found, limit, _position))


async def moderation_queue(
    uow: Uow,
    principal: Principal,
    status: Literal["pending", "approved", "rejected"],
    cursor: str | None,
    limit: int,
) -> Paged[Submission]:
    after = ListPosition.decode(cursor) if cursor else None
    found = await queue(uow.session, principal.tenant, status, after, limit + 1)
    return Paged(found[:limit], next_cursor(found, limit, _position))


def _position(sub: Submission) -> ListPosition:
    return ListPosition(sub.created_at, sub.id)


async def approve(
    uow: Uow, principal: Principal, submission_id: uuid.UUID, edits: Approval
) -> ItemView:
    """Publishes the submission, with the moderator's edits, as an item."""
    check_category("submission", edits.category)
    now = uow.now()
    sub = await _pending(uow, principal, submission_id)
    tenant = await tenant_settings(uow.session, principal.tenant)
    title = edits.title or sub.title
    text = edits.body if edits.body is not None else sub.body
    refuse_blocked(list(tenant.blocked_terms), title=title, body=text)
    captions.check(tenant, edits.captions)
    url = str(edits.url) if edits.url else sub.url
    item = ContentItem(
        tenant=principal.tenant,
        family="submission",
        category=approved_category(edits.category, url),
        format=sub.format,
        title=title,
        body=text,
        url=url,
        canonical_url=canonical_url(url) if url else None,
        language=edits.language or sub.language,
        brand=edits.brand,
        tags=clean_tags(edits.tags),
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
    await add_item(uow.session, item)
    saved = await captions.replace(uow, item, edits.captions)
    record(uow.session, item, principal.subject, "create", None, now, submission=str(sub.id))
    # Publishing follows the tenant's approval rule like any other door: where the brand (or
    # the tenant) requires approval only an approver may publish (their approval is recorded
    # as implicit); a communicator moderating is refused and the submission stays pending.
    await workflow.change(
        uow,
        item,
        Action.PUBLISH,
        workflow.actor(principal),
        needs_approval=needs_approval(tenant, item.brand),
    )
    sub.status = "approved"
    sub.moderated_by = principal.subject
    sub.moderated_at = now
    sub.content_id = item.id
    await uow.emit(
        principal.tenant,
        SubmissionApproved(
            submission_id=str(sub.id),
            content_id=str(item.id),
            ambassador_id=sub.ambassador_id or "",
        ),
    )
    return ItemView(item, saved)


async def reject(
    uow: Uow, principal: Principal, submission_id: uuid.UUID, reason: str
) -> Submission:
    """Refuses the submission with a reason its author can read."""
    sub = await _pending(uow, principal, submission_id)
    sub.status = "rejected"
    sub.reason = reason
    sub.moderated_by = principal.subject
    sub.moderated_at = uow.now()
    return sub


async def _pending(uow: Uow, principal: Principal, submission_id: uuid.UUID) -> Submission:
    sub = await get_submission(uow.session, principal.tenant, submission_id, for_update=True)
    if sub is None:
        raise NotFound(f"no submission {submission_id}")
    check_pending(sub.status)
    return sub
