"""Programmes: the customer's own name, a kind, an audience, an optional capacity; and
inviting an audience (never enrolling it)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from resonance.ambassadors.domain.audience import AudienceRules, matches
from resonance.ambassadors.domain.errors import NominationOnly, ProgrammeArchived
from resonance.ambassadors.service.invitations import schedule_invitation
from resonance.ambassadors.service.people import Uow, person_of
from resonance.ambassadors.store import people, programmes
from resonance.ambassadors.store.tables import Programme
from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.paging import BY_TIME_AND_TEXT_ID, Paged, after, paged


@dataclass(frozen=True)
class NewProgramme:
    display_name: str
    kind: str
    description: str | None = None
    audience: AudienceRules = field(default_factory=AudienceRules)
    capacity: int | None = None
    charter_version: str = "1"
    onboarding_delay_s: float | None = None
    invite_joiners: bool = True


@dataclass(frozen=True)
class AudienceInvitation:
    scheduled: int
    not_before: datetime


# Fields a PATCH may set to null; the others keep their value when sent as null.
NULLABLE = frozenset({"description", "capacity", "onboarding_delay_s"})


async def load_programme(uow: Uow, tenant: str, programme_id: str) -> Programme:
    row = await programmes.get_programme(uow.session, programme_id)
    if row is None or row.tenant != tenant:
        raise NotFound("no such programme")
    return row


async def create_programme(uow: Uow, actor: Principal, new: NewProgramme) -> Programme:
    row = Programme(
        tenant=actor.tenant,
        display_name=new.display_name,
        kind=new.kind,
        description=new.description,
        audience=new.audience.model_dump(),
        capacity=new.capacity,
        charter_version=new.charter_version,
        onboarding_delay_s=new.onboarding_delay_s,
        invite_joiners=new.invite_joiners,
    )
    uow.session.add(row)
    return row


async def list_programmes(
    uow: Uow, actor: Principal, include_archived: bool, cursor: str | None, limit: int
) -> Paged[Programme]:
    """The tenant's programmes, oldest first, a page after `cursor`."""
    found = await programmes.programmes_of(
        uow.session,
        actor.tenant,
        include_archived=include_archived,
        after=after(cursor, *BY_TIME_AND_TEXT_ID),
        limit=limit + 1,
    )
    return paged(found, limit, lambda p: (p.created_at, p.id))


async def get_programme(uow: Uow, actor: Principal, programme_id: str) -> Programme:
    return await load_programme(uow, actor.tenant, programme_id)


async def change_programme(
    uow: Uow, actor: Principal, programme_id: str, changes: dict[str, Any]
) -> Programme:
    """Applies the fields a PATCH named: Programme column names, `audience` as a dict."""
    row = await load_programme(uow, actor.tenant, programme_id)
    for name, value in changes.items():
        if name == "audience":
            row.audience = value or {}
        elif value is not None or name in NULLABLE:
            setattr(row, name, value)
    row.updated_at = uow.now()
    return row


async def invite_audience(uow: Uow, actor: Principal, programme_id: str) -> AudienceInvitation:
    """Invites everyone in the audience who was never asked; each person decides."""
    programme = await load_programme(uow, actor.tenant, programme_id)
    if programme.archived:
        raise ProgrammeArchived("an archived programme invites nobody")
    if programme.kind == "vip_cohort":
        raise NominationOnly("a VIP cohort invites its nominees, not an audience")
    rules = AudienceRules.model_validate(programme.audience)
    # People already here are no joiners: no onboarding delay to wait out.
    not_before = uow.now()
    scheduled = 0
    for person in await people.current_employees(uow.session, actor.tenant):
        if not matches(rules, person_of(person)):
            continue
        made = await schedule_invitation(uow, programme, person.id, "audience_match", not_before)
        scheduled += made is not None
    return AudienceInvitation(scheduled, not_before)
