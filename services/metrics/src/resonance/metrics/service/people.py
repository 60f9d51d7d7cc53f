"""The people projection from ambassador.* events, and erasure.

Events of one person come in order on the `ambassador` topic, but a replay or a producer's
retry may bring an older one late: each change carries its event time and is applied only if
it is not older than what the row already reflects (`profile_at`, `stage_at`).
"""

import uuid
from datetime import datetime

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorInvited,
    AmbassadorLeft,
    AmbassadorProfile,
    AmbassadorStageChanged,
    AmbassadorUpdated,
)
from resonance.metrics.domain.segments import Profile
from resonance.metrics.service import Uow, populations
from resonance.metrics.store import digests as digests_store
from resonance.metrics.store import people as store
from resonance.metrics.store import rewards as rewards_store
from resonance.metrics.store.activity import Attributes, fill_segments
from resonance.metrics.store.tables import Ambassador, Membership

ANONYMOUS_PREFIX = "erased-"


def is_newer(seen: datetime | None, incoming: datetime) -> bool:
    """Whether a change made at `incoming` may replace one made at `seen` (ties apply)."""
    return seen is None or incoming >= seen


def attributes_of(row: Ambassador | None) -> Attributes | None:
    if row is None or row.profile_at is None:
        return None
    return Attributes(
        programmes=tuple(row.programmes or ()),
        brand=row.brand,
        entity=row.entity,
        site=row.site,
        country=row.country,
        job_family=row.job_family,
    )


def profile_of(row: Ambassador | None) -> Profile:
    if row is None:
        return Profile()
    return Profile(
        programmes=frozenset(row.programmes or ()),
        brand=row.brand,
        entity=row.entity,
        site=row.site,
        country=row.country,
        job_family=row.job_family,
        stage=row.stage,
    )


async def is_erased(uow: Uow, tenant: str, ambassador_id: str | None) -> bool:
    """Whether a fact names someone erased (it arrived after the erasure: dropped)."""
    return bool(ambassador_id) and await store.is_erased(uow.session, tenant, str(ambassador_id))


async def attributes(uow: Uow, tenant: str, ambassador_id: str) -> Attributes | None:
    return attributes_of(await store.person(uow.session, tenant, ambassador_id))


async def _row(uow: Uow, tenant: str, ambassador_id: str) -> Ambassador:
    row = await store.person(uow.session, tenant, ambassador_id, for_update=True)
    if row is None:
        row = Ambassador(tenant=tenant, ambassador_id=ambassador_id, updated_at=uow.now())
        uow.session.add(row)
    return row


async def _membership(uow: Uow, tenant: str, programme_id: str, ambassador_id: str) -> Membership:
    row = await store.membership(uow.session, tenant, programme_id, ambassador_id)
    if row is None:
        row = Membership(tenant=tenant, programme_id=programme_id, ambassador_id=ambassador_id)
        uow.session.add(row)
    return row


async def _apply_profile(
    uow: Uow, row: Ambassador, profile: AmbassadorProfile, at: datetime, extra: list[str]
) -> None:
    if not is_newer(row.profile_at, at):
        return
    row.brand = profile.brand
    row.entity = profile.entity
    row.site = profile.site
    row.country = profile.country
    row.job_family = profile.job_family
    row.worker_type = profile.worker_type
    row.timezone = profile.timezone
    row.quiet_hours_start = profile.quiet_hours_start
    row.quiet_hours_end = profile.quiet_hours_end
    row.working_days = sorted(set(profile.working_days))
    if profile.stage is not None and is_newer(row.stage_at, at):
        row.stage, row.stage_at = profile.stage, at
    row.programmes = sorted({*(profile.programmes or row.programmes or []), *extra})
    row.profile_at = at
    await uow.session.flush()
    found = attributes_of(row)
    assert found is not None
    await fill_segments(uow.session, row.tenant, row.ambassador_id, found)


async def invited(uow: Uow, tenant: str, event: AmbassadorInvited, at: datetime) -> None:
    await _row(uow, tenant, event.ambassador_id)
    member = await _membership(uow, tenant, event.programme_id, event.ambassador_id)
    if member.invited_at is None or at < member.invited_at:
        member.invited_at = at
    await populations.membership_changed(uow, tenant, event.ambassador_id)


async def enrolled(uow: Uow, tenant: str, event: AmbassadorEnrolled, at: datetime) -> None:
    row = await _row(uow, tenant, event.ambassador_id)
    if event.login_subject:
        row.login_subject = event.login_subject
    row.active = True
    row.updated_at = uow.now()
    await _apply_profile(uow, row, event.profile, at, [event.programme_id])
    if event.programme_id not in (row.programmes or []):
        row.programmes = sorted({*(row.programmes or []), event.programme_id})
    member = await _membership(uow, tenant, event.programme_id, event.ambassador_id)
    if member.enrolled_at is None or at < member.enrolled_at:
        member.enrolled_at = at
    if member.left_at is not None and member.left_at <= at:
        member.left_at = None  # enrolled again after leaving
    await populations.membership_changed(uow, tenant, event.ambassador_id)


async def updated(uow: Uow, tenant: str, event: AmbassadorUpdated, at: datetime) -> None:
    row = await _row(uow, tenant, event.ambassador_id)
    if not is_newer(row.profile_at, at):
        return
    if event.login_subject:
        row.login_subject = event.login_subject
    row.active = event.active
    row.next_allowed_nudge_at = event.next_allowed_nudge_at
    row.updated_at = uow.now()
    await _apply_profile(uow, row, event.profile, at, [])


async def stage_changed(uow: Uow, tenant: str, event: AmbassadorStageChanged, at: datetime) -> None:
    row = await _row(uow, tenant, event.ambassador_id)
    if is_newer(row.stage_at, at):
        row.stage, row.stage_at = event.stage, at


async def left(uow: Uow, tenant: str, event: AmbassadorLeft, at: datetime) -> None:
    row = await store.person(uow.session, tenant, event.ambassador_id, for_update=True)
    members = await store.memberships_of(uow.session, tenant, event.ambassador_id)
    for member in members:
        if event.programme_id is not None and member.programme_id != event.programme_id:
            continue
        if member.enrolled_at is not None and member.enrolled_at > at:
            continue  # an enrolment newer than this leave stands
        if member.left_at is None or member.left_at < at:
            member.left_at = at
    await populations.membership_changed(uow, tenant, event.ambassador_id)
    if row is None:
        return
    if event.programme_id is None:
        row.programmes, row.active = [], False
    else:
        row.programmes = [p for p in row.programmes or [] if p != event.programme_id]
        row.active = bool(row.programmes)
    row.updated_at = uow.now()


async def erased(uow: Uow, tenant: str, event: AmbassadorErased) -> str:
    """Drops what is personal (login subject, working time, preferences and address, points,
    badges, progress, redemptions, suggestions; their id in past digests) and moves the aggregates the person counted in
    to a fresh anonymous id, unrelated to them: totals, participation and reach stay right.
    Stock held by their open redemptions goes back to the catalogue. Returns the anonymous id.
    """
    who = event.ambassador_id
    await uow.session.flush()
    await store.record_erasure(uow.session, tenant, who, uow.now())
    await rewards_store.release_open_redemptions(uow.session, tenant, who)
    await digests_store.scrub_person(uow.session, tenant, who)
    await store.delete_personal(uow.session, tenant, who)
    anon = f"{ANONYMOUS_PREFIX}{uuid.uuid4().hex}"
    await store.rekey_person(uow.session, tenant, who, anon)
    await store.clear_personal_fields(uow.session, tenant, anon)
    # The ORM may hold the old row; forget it so nothing writes it back.
    uow.session.expunge_all()
    return anon
