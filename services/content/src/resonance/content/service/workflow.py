"""The one place an item's status changes.

Whoever asks (a person through the API, a campaign launch, a moderator approving a
submission, an auto-approved source, the scheduler), the change is decided by
`domain.workflow.decide`, applied here with its effects (dates, the content.published or
content.retired event through the outbox) and written to the item's audit trail.
"""

from datetime import datetime
from typing import Any, Literal

from resonance.common.auth import Principal
from resonance.common.events.catalogue import Caption as CaptionPart
from resonance.common.events.catalogue import ContentPublished, ContentRetired
from resonance.content.domain.workflow import (
    SCHEDULER,
    Action,
    Actor,
    Outcome,
    Status,
    audit_action,
    decide,
    when_due,
)
from resonance.content.service import Uow
from resonance.content.store.items import (
    captions_of,
    due_for_release,
    past_expiry,
    record,
    targeting_of,
)
from resonance.content.store.tables import Caption, ContentItem
from resonance.content.store.tenants import tenant_settings

# Items handled per scheduler transaction; the job loops while batches come back full.
BATCH = 200


def actor(principal: Principal) -> Actor:
    return Actor(principal.subject, principal.roles)


async def change(
    uow: Uow,
    item: ContentItem,
    action: Action,
    by: Actor,
    *,
    needs_approval: bool = False,
    respect_window: bool = True,
    **detail: Any,
) -> Outcome:
    """Applies `action` to the (loaded, locked) item, or raises the workflow's refusal.

    `respect_window=False` publishes even an item whose window is over (a campaign launch
    does: the scheduler then expires it). `detail` goes to the audit trail."""
    before = Status(item.status)
    now = uow.now()
    outcome = decide(
        action,
        before,
        by.roles,
        needs_approval=needs_approval,
        publish_at=item.publish_at,
        expires_at=item.expires_at if respect_window else None,
        now=now,
    )
    await _enter(uow, item, before, outcome.status, now)
    if outcome.status == Status.SCHEDULED and item.publish_at is not None:
        detail["publish_at"] = item.publish_at.isoformat()
    if outcome.implicit_approval:
        detail["implicit_approval"] = True
    record(uow.session, item, by.name, audit_action(action, outcome.status), before, now, **detail)
    return outcome


async def _enter(
    uow: Uow, item: ContentItem, before: Status, status: Status, now: datetime
) -> None:
    """The item's new status and what comes with it."""
    item.status = status
    item.updated_at = now
    if status == Status.PUBLISHED:
        item.published_at = now
        # Published now, but offered in feeds from the start of its window.
        item.feed_at = item.publish_at if item.publish_at and item.publish_at > now else now
        tenant = await tenant_settings(uow.session, item.tenant)
        captions = (await captions_of(uow.session, [item.id])).get(item.id, [])
        await uow.emit(item.tenant, published_event(item, captions, tenant.disclosure_text))
    elif status in (Status.EXPIRED, Status.RETIRED):
        reason: Literal["expired", "withdrawn"] = (
            "expired" if status == Status.EXPIRED else "withdrawn"
        )
        item.retired_at = now
        item.retire_reason = reason
        if before == Status.PUBLISHED:  # a scheduled item was never announced
            await uow.emit(item.tenant, ContentRetired(content_id=str(item.id), reason=reason))


def published_event(
    item: ContentItem, captions: list[Caption], disclosure: str | None
) -> ContentPublished:
    return ContentPublished(
        content_id=str(item.id),
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
            CaptionPart(network=c.network, language=c.language, text=c.text) for c in captions
        ],
        targeting=targeting_of(item),
        campaign_id=str(item.campaign_id) if item.campaign_id else None,
        publish_at=item.feed_at,
        expires_at=item.expires_at,
        pinned=item.pinned,
        must_read=item.must_read,
        submitted_by=item.submitted_by,
        disclosure=disclosure,
        published_at=item.published_at,
    )


async def release_due(uow: Uow) -> int:
    """Publishes the scheduled items whose time has come (or expires those whose window
    closed first). Returns how many were handled, at most BATCH."""
    now = uow.now()
    due = await due_for_release(uow.session, now, BATCH)
    for item in due:
        await change(uow, item, when_due(item.expires_at, now), SCHEDULER)
    return len(due)


async def expire_past(uow: Uow) -> int:
    """Expires the published items whose window has ended (announced as content.retired)."""
    past = await past_expiry(uow.session, uow.now(), BATCH)
    for item in past:
        await change(uow, item, Action.EXPIRE, SCHEDULER)
    return len(past)
