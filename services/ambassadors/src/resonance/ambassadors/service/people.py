"""Finding the person a caller may act on, and what a person looks like to the rules and to
other services (targeting profile, right to disconnect)."""

from datetime import datetime
from typing import TypeAlias

from resonance.ambassadors.domain.access import is_self, may_act_on
from resonance.ambassadors.domain.audience import Person
from resonance.ambassadors.domain.event_bounds import bounded_label, bounded_labels
from resonance.ambassadors.domain.hr import EmployeeFacts
from resonance.ambassadors.domain.quiet_hours import (
    ALL_DAYS,
    DisconnectRules,
    next_allowed_nudge,
    parse_hhmm,
)
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store import people
from resonance.ambassadors.store.tables import Employee, PersonalDataAudit
from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.events.catalogue import AmbassadorProfile, AmbassadorUpdated
from resonance.common.unit_of_work import UnitOfWork

# The unit of work every use case of this service runs in.
Uow: TypeAlias = UnitOfWork[AmbassadorsSettings]


async def person_for(
    uow: Uow, actor: Principal, ambassador_id: str, *, lock: bool = False, action: str = "read"
) -> Employee:
    """The employee `actor` may act on: `me` is the caller; staff may name anyone of their
    tenant, others only themselves (someone else's id answers as if it did not exist).

    Staff acting on someone else's record leave an audit row (`action`: read, change,
    export, erase, consents, link_login), in the same transaction as what they do."""
    session = uow.session
    if ambassador_id == "me":
        row = await people.employee_signed_in_as(session, actor.tenant, actor.subject, lock=lock)
        if lock and row is not None and row.login_subject is None:
            # First action of a person matched by userName: remember their token subject, so
            # the events of this write carry it and other services recognise their tokens.
            # (An explicit link is looked up first, so no other row holds this subject.)
            row.login_subject = actor.subject
    else:
        row = await people.get_employee(session, actor.tenant, ambassador_id, lock=lock)
        if row is not None and not may_act_on(actor, row.login_subject, row.user_name):
            row = None
    if row is None or row.erased_at is not None:
        raise NotFound("no such ambassador")
    if not is_self(actor, row.login_subject, row.user_name):
        uow.session.add(
            PersonalDataAudit(
                tenant=actor.tenant,
                actor=actor.subject,
                actor_roles=sorted(str(r) for r in actor.roles),
                action=action,
                employee_id=row.id,
                at=uow.now(),
            )
        )
    return row


async def known_person(uow: Uow, tenant: str, employee_id: str, detail: str) -> Employee:
    """An employee of the tenant by id, not erased (for staff naming someone)."""
    row = await people.get_employee(uow.session, tenant, employee_id)
    if row is None or row.erased_at is not None:
        raise NotFound(detail)
    return row


def current_facts(row: Employee) -> EmployeeFacts:
    return EmployeeFacts(
        **{
            name: getattr(row, name)
            for name in EmployeeFacts.__dataclass_fields__
            if name != "active"
        },
        active=row.active,
    )


def _languages(row: Employee) -> list[str]:
    return list(dict.fromkeys([*(row.languages or []), *([row.language] if row.language else [])]))


def person_of(row: Employee) -> Person:
    """What audience rules see of someone."""
    return Person(
        brand=row.brand,
        entity=row.entity,
        job_family=row.job_family,
        site=row.site,
        country=row.country,
        languages=tuple(_languages(row)),
        worker_type=row.worker_type,
        age_band=row.age_band,
        social_media_maturity=row.social_media_maturity,
    )


def disconnect_rules(row: Employee) -> DisconnectRules:
    return DisconnectRules(
        timezone=row.timezone or "UTC",
        quiet_start=parse_hhmm(row.quiet_hours_start) if row.quiet_hours_start else None,
        quiet_end=parse_hhmm(row.quiet_hours_end) if row.quiet_hours_end else None,
        working_days=tuple(row.working_days or ALL_DAYS),
    )


def next_nudge(row: Employee, now: datetime) -> datetime:
    return next_allowed_nudge(now, disconnect_rules(row))


def profile_of(row: Employee, programmes: list[str]) -> AmbassadorProfile:
    """What other services may target on (never contact details)."""
    worker_type = row.worker_type if row.worker_type in ("office", "frontline") else None
    # Every HR / SCIM string is bounded here, where it enters an event (see event_bounds).
    return AmbassadorProfile(
        brand=bounded_label(row.brand),
        entity=bounded_label(row.entity),
        job_family=bounded_label(row.job_family),
        site=bounded_label(row.site),
        country=bounded_label(row.country),
        languages=bounded_labels(_languages(row)),
        worker_type=worker_type,
        timezone=bounded_label(row.timezone),
        quiet_hours_start=bounded_label(row.quiet_hours_start),
        quiet_hours_end=bounded_label(row.quiet_hours_end),
        programmes=bounded_labels(programmes),
        age_band=bounded_label(row.age_band),
        social_media_maturity=bounded_label(row.social_media_maturity),
        working_days=list(row.working_days or [])[:7],
        stage=row.stage,
    )


async def publish_updated(uow: Uow, employee: Employee) -> None:
    """Tells other services what they may target on, for ambassadors only."""
    programmes = await people.active_programme_ids(uow.session, employee.tenant, employee.id)
    if not programmes:
        return
    await uow.emit(
        employee.tenant,
        AmbassadorUpdated(
            ambassador_id=employee.id,
            profile=profile_of(employee, programmes),
            active=employee.active,
            next_allowed_nudge_at=next_nudge(employee, uow.now()),
            login_subject=employee.login_subject,
        ),
    )
