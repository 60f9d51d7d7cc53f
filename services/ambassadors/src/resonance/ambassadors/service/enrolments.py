"""Enrolments and consent: leaving is possible at any time, and every grant and withdrawal
stays in the history."""

from datetime import datetime

from resonance.ambassadors.service.people import Uow, person_for
from resonance.ambassadors.store import participation
from resonance.ambassadors.store.tables import ConsentRecord, Employee, Enrolment
from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.events.catalogue import AmbassadorLeft
from resonance.common.paging import BY_TIME_AND_TEXT_ID, Paged, after, paged


async def end_enrolment(
    uow: Uow, employee: Employee, enrolment: Enrolment, reason: str, note: str | None = None
) -> None:
    """Participation ends at once; consent is marked withdrawn and kept in the history."""
    now = uow.now()
    enrolment.status = "left"
    enrolment.left_at = now
    enrolment.left_reason = reason
    grant = await participation.last_grant(
        uow.session, employee.tenant, employee.id, enrolment.programme_id
    )
    uow.session.add(
        ConsentRecord(
            tenant=employee.tenant,
            employee_id=employee.id,
            programme_id=enrolment.programme_id,
            action="withdrawn",
            charter_version=grant.charter_version if grant else "unknown",
            networks=[],
            reason=note or reason,
            recorded_at=now,
        )
    )
    await uow.emit(
        employee.tenant,
        AmbassadorLeft(
            ambassador_id=employee.id,
            programme_id=enrolment.programme_id,
            reason=reason,
        ),
    )


async def end_all_participation(uow: Uow, employee: Employee, reason: str) -> int:
    """Someone leaves every programme and loses every open invitation (leaver, erasure)."""
    enrolments = await participation.active_enrolments(uow.session, employee.tenant, employee.id)
    for enrolment in enrolments:
        await end_enrolment(uow, employee, enrolment, reason)
    await participation.cancel_open_invitations(
        uow.session, employee.tenant, uow.now(), employee_id=employee.id
    )
    return len(enrolments)


async def opt_out(
    uow: Uow, actor: Principal, ambassador_id: str, programme_id: str, note: str | None
) -> Enrolment:
    """Leaving a programme, by the person or recorded by staff on their behalf."""
    employee = await person_for(uow, actor, ambassador_id, lock=True, action="change")
    enrolment = await participation.active_enrolment(
        uow.session, actor.tenant, employee.id, programme_id
    )
    if enrolment is None:
        raise NotFound("not enrolled in this programme")
    await end_enrolment(uow, employee, enrolment, "opt_out", note=note)
    return enrolment


async def enrolments_of(
    uow: Uow, actor: Principal, ambassador_id: str, cursor: str | None, limit: int
) -> Paged[Enrolment]:
    """A person's enrolments, oldest first, a page after `cursor`."""
    employee = await person_for(uow, actor, ambassador_id)
    found = await participation.enrolments_of(
        uow.session, actor.tenant, employee.id, after(cursor, *BY_TIME_AND_TEXT_ID), limit + 1
    )
    return paged(found, limit, lambda e: (e.enrolled_at, e.id))


async def consents_of(
    uow: Uow, actor: Principal, ambassador_id: str, cursor: str | None, limit: int | None
) -> tuple[Employee, Paged[ConsentRecord]]:
    """A person's consent history, oldest first: a page after `cursor`, or all of it when
    `limit` is None (the CSV download)."""
    employee = await person_for(uow, actor, ambassador_id, action="consents")
    if limit is None:
        every = await participation.consents_of(uow.session, actor.tenant, employee.id)
        return employee, Paged(every, None)
    found = await participation.consents_of(
        uow.session, actor.tenant, employee.id, after(cursor, *BY_TIME_AND_TEXT_ID), limit + 1
    )
    return employee, paged(found, limit, _consent_key)


async def tenant_consents(
    uow: Uow, actor: Principal, programme_id: str | None, cursor: str | None, limit: int
) -> Paged[ConsentRecord]:
    """The tenant's consent records, for an audit (pseudonymous after erasure), oldest first."""
    found = await participation.tenant_consents(
        uow.session, actor.tenant, programme_id, after(cursor, *BY_TIME_AND_TEXT_ID), limit + 1
    )
    return paged(found, limit, _consent_key)


def _consent_key(record: ConsentRecord) -> tuple[datetime, str]:
    return record.recorded_at, record.id
