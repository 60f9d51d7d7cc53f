"""The local projections built from other services' events: ambassadors (for targeting and
to know who a token's subject is) and what each of them already shared (for the feed).
Called by events/projections.py inside the consumer's transaction, with each event's
envelope time `at`: an event older than the projection's state, or from before the person's
erasure, changes nothing (domain/membership.event_applies)."""

import uuid
from datetime import datetime

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorLeft,
    AmbassadorProfile,
    AmbassadorUpdated,
    ShareMade,
)
from resonance.content.domain.membership import after_leaving, erasure_key, event_applies
from resonance.content.service import Uow
from resonance.content.store.projections import (
    add_share,
    add_tombstone,
    ambassador_for_update,
    delete_ambassador,
    erased_at,
    forget_people,
    move_authorship,
)
from resonance.content.store.tables import AmbassadorView


async def enrol(uow: Uow, tenant: str, event: AmbassadorEnrolled, at: datetime) -> None:
    row = await _row(uow, tenant, event.ambassador_id, at)
    if row is None:
        return
    _apply_profile(row, event.profile)
    await _link_login(uow, row, event.login_subject)
    row.programmes = sorted({*row.programmes, event.programme_id})
    row.active = True
    row.updated_at = uow.now()
    row.event_at = at


async def update(uow: Uow, tenant: str, event: AmbassadorUpdated, at: datetime) -> None:
    row = await _row(uow, tenant, event.ambassador_id, at)
    if row is None:
        return
    _apply_profile(row, event.profile)
    await _link_login(uow, row, event.login_subject)
    row.active = event.active
    row.updated_at = uow.now()
    row.event_at = at


async def leave(uow: Uow, tenant: str, event: AmbassadorLeft, at: datetime) -> None:
    row = await ambassador_for_update(uow.session, tenant, event.ambassador_id)
    if row is None or not event_applies(at, row.event_at, None):
        return
    row.programmes, row.active = after_leaving(
        list(row.programmes), event.programme_id, event.reason
    )
    row.updated_at = uow.now()
    row.event_at = at


async def erase(uow: Uow, tenant: str, event: AmbassadorErased, at: datetime) -> None:
    """Purges what this service holds about the person: profile (with its login subject),
    shares, submissions not published; published submissions stay as company content
    without their author. Submissions made before the projection knew the person's login
    subject were recorded under that subject: they go too."""
    login_subject = await delete_ambassador(uow.session, tenant, event.ambassador_id)
    who = [event.ambassador_id] + ([login_subject] if login_subject else [])
    await forget_people(uow.session, tenant, who)
    await add_tombstone(uow.session, tenant, erasure_key(event.ambassador_id), at)


async def record_share(uow: Uow, tenant: str, event: ShareMade, at: datetime) -> None:
    if event.content_id is None:
        return  # the ambassador's own post: nothing of ours to hide
    erased = await erased_at(uow.session, tenant, erasure_key(event.ambassador_id))
    if not event_applies(at, None, erased):
        return  # a late share of an erased person: nothing of theirs is recreated
    try:
        content_id = uuid.UUID(event.content_id)
    except ValueError:
        return  # not one of our items
    await add_share(uow.session, tenant, event.ambassador_id, content_id, event.shared_at)


async def _row(uow: Uow, tenant: str, ambassador_id: str, at: datetime) -> AmbassadorView | None:
    """The person's projection row, locked (a new one for a person not seen before), or None
    when an event written at `at` may not change it."""
    row = await ambassador_for_update(uow.session, tenant, ambassador_id)
    if row is not None:
        return row if event_applies(at, row.event_at, None) else None
    erased = await erased_at(uow.session, tenant, erasure_key(ambassador_id))
    if not event_applies(at, None, erased):
        return None
    row = AmbassadorView(tenant=tenant, ambassador_id=ambassador_id)
    uow.session.add(row)
    return row


def _apply_profile(row: AmbassadorView, profile: AmbassadorProfile) -> None:
    row.brand = profile.brand
    row.entity = profile.entity
    row.job_family = profile.job_family
    row.site = profile.site
    row.country = profile.country
    row.worker_type = profile.worker_type
    row.languages = sorted(set(profile.languages))
    if profile.programmes:
        row.programmes = sorted(set(profile.programmes))


async def _link_login(uow: Uow, row: AmbassadorView, subject: str | None) -> None:
    """Records the person's login subject. Older producers do not send it: an absent one
    keeps what is known. What the person submitted before this service knew the link was
    recorded under their subject (store/callers.py): it now moves to their ambassador_id."""
    if not subject or subject == row.login_subject:
        return
    row.login_subject = subject
    if subject == row.ambassador_id:
        return
    await move_authorship(uow.session, row.tenant, subject, row.ambassador_id)
