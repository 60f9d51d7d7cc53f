"""Cohorts with a start and an end, nominations by communicators, and yearly renewal: the old
cohort's members leave, the next cohort's nominees are invited (and decide)."""

from dataclasses import dataclass
from datetime import date

from resonance.ambassadors.domain.errors import (
    AlreadyNominated,
    CohortClosed,
    InvalidNextCohort,
    NotAnActiveEmployee,
)
from resonance.ambassadors.service.enrolments import end_enrolment
from resonance.ambassadors.service.invitations import schedule_invitation
from resonance.ambassadors.service.people import Uow, known_person
from resonance.ambassadors.service.programmes import load_programme
from resonance.ambassadors.store import participation, people, programmes
from resonance.ambassadors.store.tables import Cohort, Nomination, Programme
from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.paging import BY_TIME_AND_TEXT_ID, Paged, after, paged


@dataclass(frozen=True)
class Renewal:
    closed: Cohort
    opened: Cohort
    left: int
    invited: int


async def _cohort(uow: Uow, tenant: str, cohort_id: str, lock: bool = False) -> Cohort:
    row = await programmes.get_cohort(uow.session, cohort_id, lock=lock)
    if row is None or row.tenant != tenant:
        raise NotFound("no such cohort")
    return row


async def _invite_nominee(
    uow: Uow, programme: Programme, cohort: Cohort, nomination: Nomination, reason: str
) -> None:
    invitation = await schedule_invitation(
        uow, programme, nomination.employee_id, reason, uow.now(), cohort_id=cohort.id
    )
    if invitation is not None:
        nomination.invitation_id = invitation.id


async def create_cohort(
    uow: Uow,
    actor: Principal,
    programme_id: str,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    status: str,
) -> Cohort:
    await load_programme(uow, actor.tenant, programme_id)
    row = Cohort(
        tenant=actor.tenant,
        programme_id=programme_id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    uow.session.add(row)
    await uow.session.flush()
    return row


async def list_cohorts(
    uow: Uow, actor: Principal, programme_id: str, cursor: str | None, limit: int
) -> Paged[Cohort]:
    """A programme's cohorts by start date, a page after `cursor`."""
    await load_programme(uow, actor.tenant, programme_id)
    found = await programmes.cohorts_of(
        uow.session, actor.tenant, programme_id, after(cursor, date, str), limit + 1
    )
    return paged(found, limit, lambda c: (c.starts_on, c.id))


async def nominate(
    uow: Uow, actor: Principal, cohort_id: str, employee_id: str, note: str | None
) -> Nomination:
    """A nomination; the nominee is invited at once if the cohort is open."""
    cohort = await _cohort(uow, actor.tenant, cohort_id, lock=True)
    if cohort.status == "closed":
        raise CohortClosed("nominate for the next cohort instead")
    employee = await known_person(uow, actor.tenant, employee_id, "no such person")
    if not employee.active:
        raise NotAnActiveEmployee("only active employees can be nominated")
    if await programmes.is_nominated(uow.session, cohort.id, employee.id):
        raise AlreadyNominated("this person is already nominated for this cohort")
    nomination = Nomination(
        tenant=actor.tenant,
        cohort_id=cohort.id,
        employee_id=employee.id,
        nominated_by=actor.subject,
        note=note,
    )
    uow.session.add(nomination)
    if cohort.status == "open":
        programme = await load_programme(uow, actor.tenant, cohort.programme_id)
        await _invite_nominee(uow, programme, cohort, nomination, "nomination")
    await uow.session.flush()
    return nomination


async def list_nominations(
    uow: Uow, actor: Principal, cohort_id: str, cursor: str | None, limit: int
) -> Paged[Nomination]:
    """A cohort's nominations, oldest first, a page after `cursor`."""
    await _cohort(uow, actor.tenant, cohort_id)
    found = await programmes.nominations_of(
        uow.session,
        actor.tenant,
        cohort_id,
        after=after(cursor, *BY_TIME_AND_TEXT_ID),
        limit=limit + 1,
    )
    return paged(found, limit, lambda n: (n.created_at, n.id))


async def renew(uow: Uow, actor: Principal, cohort_id: str, next_cohort_id: str) -> Renewal:
    """Closes this cohort (its members leave, `cohort_closed`) and opens the next one,
    inviting its nominees (`cohort_renewal`)."""
    tenant, session = actor.tenant, uow.session
    old = await _cohort(uow, tenant, cohort_id, lock=True)
    new = await _cohort(uow, tenant, next_cohort_id, lock=True)
    if old.id == new.id or new.programme_id != old.programme_id:
        raise InvalidNextCohort("the next cohort must be another cohort of the same programme")
    if old.status == "closed":
        raise CohortClosed("this cohort was already closed")
    if new.status == "closed":
        raise CohortClosed("the next cohort is closed")
    programme = await load_programme(uow, tenant, old.programme_id)
    now = uow.now()
    old.status = "closed"
    old.closed_at = now
    members = await participation.cohort_members(session, tenant, old.id)
    for enrolment in members:
        employee = await people.get_employee(session, tenant, enrolment.employee_id)
        if employee is not None:
            await end_enrolment(uow, employee, enrolment, "cohort_closed")
    await participation.cancel_open_invitations(session, tenant, now, cohort_id=old.id)
    new.status = "open"
    new.previous_cohort_id = old.id
    invited = 0
    for nomination in await programmes.nominations_of(session, tenant, new.id):
        if nomination.invitation_id is None:
            await _invite_nominee(uow, programme, new, nomination, "cohort_renewal")
            invited += nomination.invitation_id is not None
    await session.flush()
    return Renewal(old, new, len(members), invited)
