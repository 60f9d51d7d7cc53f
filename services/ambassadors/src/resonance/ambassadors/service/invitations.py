"""Invitations: scheduled for whoever an audience or a nomination names, sent once the
onboarding delay has passed, answered by the person alone (yes with consent, or no)."""

from dataclasses import dataclass
from datetime import datetime

from resonance.ambassadors.domain.access import is_self, is_staff
from resonance.ambassadors.domain.audience import AudienceRules, matches
from resonance.ambassadors.domain.errors import ProgrammeClosed
from resonance.ambassadors.domain.participation import (
    AUTOMATIC_REASONS,
    asked_already,
    check_acceptance,
    check_answerable,
    check_capacity,
    invite_at,
    onboarding_delay,
)
from resonance.ambassadors.service.people import (
    Uow,
    next_nudge,
    person_for,
    person_of,
    profile_of,
)
from resonance.ambassadors.store import participation, people, programmes
from resonance.ambassadors.store.tables import (
    ConsentRecord,
    Employee,
    Enrolment,
    Invitation,
    Programme,
)
from resonance.common.auth import Principal
from resonance.common.domain_errors import Forbidden, NotFound
from resonance.common.events.catalogue import AmbassadorEnrolled, AmbassadorInvited
from resonance.common.paging import BY_TIME_AND_TEXT_ID, Paged, after, paged


async def schedule_invitation(
    uow: Uow,
    programme: Programme,
    employee_id: str,
    reason: str,
    not_before: datetime,
    cohort_id: str | None = None,
) -> Invitation | None:
    """An invitation to be sent at `not_before`, unless it would pester or duplicate."""
    session, tenant = uow.session, programme.tenant
    if await participation.is_enrolled(session, tenant, programme.id, employee_id):
        return None
    statuses = await participation.invitation_statuses(session, tenant, programme.id, employee_id)
    if asked_already(statuses, reason):
        return None
    # Someone who left a programme is not asked back into it by a machine either.
    if reason in AUTOMATIC_REASONS and await participation.has_withdrawn(
        session, tenant, programme.id, employee_id
    ):
        return None
    invitation = Invitation(
        tenant=tenant,
        programme_id=programme.id,
        employee_id=employee_id,
        cohort_id=cohort_id,
        reason=reason,
        not_before=not_before,
    )
    session.add(invitation)
    await session.flush()
    return invitation


async def matching_programmes(uow: Uow, employee: Employee) -> set[str]:
    person = person_of(employee)
    return {
        p.id
        for p in await programmes.programmes_of(uow.session, employee.tenant)
        if matches(AudienceRules.model_validate(p.audience), person)
    }


async def invite_matching(
    uow: Uow,
    employee: Employee,
    reason: str,
    default_delay_s: float,
    only_newly_matching: set[str] | None = None,
) -> list[Invitation]:
    """Invites `employee` to every programme whose audience they match (joiners, movers)."""
    person = person_of(employee)
    made = []
    for programme in await programmes.programmes_of(uow.session, employee.tenant):
        if reason == "joiner" and not programme.invite_joiners:
            continue
        if programme.kind == "vip_cohort":
            continue  # VIP cohorts are by nomination only
        if only_newly_matching is not None and programme.id not in only_newly_matching:
            continue
        if not matches(AudienceRules.model_validate(programme.audience), person):
            continue
        starts = invite_at(uow.now(), employee.hired_at, reason)
        delay = onboarding_delay(programme.onboarding_delay_s, default_delay_s)
        invitation = await schedule_invitation(uow, programme, employee.id, reason, starts + delay)
        if invitation is not None:
            made.append(invitation)
    return made


async def dispatch_due(uow: Uow, limit: int = 200) -> int:
    """Sends the invitations whose onboarding delay has passed (one replica each)."""
    sent = 0
    for invitation in await participation.invitations_due(uow.session, limit):
        employee = await uow.session.get(Employee, invitation.employee_id)
        if employee is None or not employee.active or employee.erased_at is not None:
            invitation.status = "cancelled"
            continue
        invitation.status = "sent"
        invitation.sent_at = uow.now()
        await uow.emit(
            invitation.tenant,
            AmbassadorInvited(
                ambassador_id=invitation.employee_id,
                programme_id=invitation.programme_id,
                invitation_id=invitation.id,
                cohort_id=invitation.cohort_id,
                reason=invitation.reason,
                not_before=next_nudge(employee, uow.now()),
            ),
        )
        sent += 1
    return sent


async def invitations_of(
    uow: Uow, actor: Principal, ambassador_id: str, cursor: str | None, limit: int
) -> Paged[tuple[Invitation, Programme]]:
    """A person's invitations with their programmes, oldest first, a page after `cursor`.
    Staff also see the scheduled ones (with the time they go), so a joiner waiting out the
    onboarding delay is visibly invited; the person sees an invitation only once it is sent."""
    employee = await person_for(uow, actor, ambassador_id)
    found = await participation.invitations_with_programmes(
        uow.session,
        actor.tenant,
        employee.id,
        include_scheduled=is_staff(actor),
        after=after(cursor, *BY_TIME_AND_TEXT_ID),
        limit=limit + 1,
    )
    return paged(found, limit, lambda row: (row[0].created_at, row[0].id))


@dataclass
class _Answer:
    employee: Employee
    invitation: Invitation


async def _answering(uow: Uow, actor: Principal, ambassador_id: str, invitation_id: str) -> _Answer:
    """The invitation the caller answers: only the person invited can say yes or no."""
    employee = await person_for(uow, actor, ambassador_id, lock=True)
    if not is_self(actor, employee.login_subject, employee.user_name):
        raise Forbidden("only the person invited can answer an invitation")
    invitation = await participation.get_invitation(uow.session, invitation_id, lock=True)
    if (
        invitation is None
        or invitation.tenant != employee.tenant
        or invitation.employee_id != employee.id
    ):
        raise NotFound("no such invitation")
    return _Answer(employee, invitation)


async def accept(
    uow: Uow,
    actor: Principal,
    ambassador_id: str,
    invitation_id: str,
    charter_version: str,
    networks: list[str],
) -> Enrolment:
    """Opt-in: the person accepts the charter in force and joins (`ambassador.enrolled`)."""
    answer = await _answering(uow, actor, ambassador_id, invitation_id)
    employee, invitation, session = answer.employee, answer.invitation, uow.session
    programme = await programmes.get_programme(session, invitation.programme_id)
    if programme is None or programme.tenant != employee.tenant:
        raise ProgrammeClosed("this programme no longer accepts ambassadors")
    check_acceptance(
        programme_archived=programme.archived,
        invitation_status=invitation.status,
        charter_version=charter_version,
        current_charter_version=programme.charter_version,
        employee_active=employee.active,
    )
    if programme.capacity is not None:
        taken = await participation.active_enrolment_count(session, employee.tenant, programme.id)
        check_capacity(programme.capacity, taken)
    now = uow.now()
    invitation.status = "accepted"
    invitation.responded_at = now
    enrolment = Enrolment(
        tenant=employee.tenant,
        programme_id=programme.id,
        employee_id=employee.id,
        cohort_id=invitation.cohort_id,
        enrolled_at=now,
    )
    session.add(enrolment)
    session.add(
        ConsentRecord(
            tenant=employee.tenant,
            employee_id=employee.id,
            programme_id=programme.id,
            action="granted",
            charter_version=charter_version,
            networks=networks,
            recorded_at=now,
        )
    )
    await session.flush()
    enrolled_in = await people.active_programme_ids(session, employee.tenant, employee.id)
    await uow.emit(
        employee.tenant,
        AmbassadorEnrolled(
            ambassador_id=employee.id,
            programme_id=programme.id,
            charter_version=charter_version,
            networks=networks,
            profile=profile_of(employee, enrolled_in),
            login_subject=employee.login_subject,
        ),
    )
    return enrolment


async def decline(uow: Uow, actor: Principal, ambassador_id: str, invitation_id: str) -> Invitation:
    """No, with no consequence; nobody asks again automatically."""
    answer = await _answering(uow, actor, ambassador_id, invitation_id)
    check_answerable(answer.invitation.status)
    answer.invitation.status = "declined"
    answer.invitation.responded_at = uow.now()
    return answer.invitation
