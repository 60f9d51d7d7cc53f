"""Invitations, enrolments and consent: participation is voluntary, recorded and reversible."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.domain.audience import AudienceRules, matches
from resonance.ambassadors.store.people import (
    active_programme_ids,
    next_nudge,
    person_of,
    profile_of,
)
from resonance.ambassadors.store.tables import (
    ConsentRecord,
    Employee,
    Enrolment,
    Invitation,
    Programme,
)
from resonance.common.errors import Problem
from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorInvited,
    AmbassadorLeft,
    AmbassadorUpdated,
)
from resonance.common.outbox import Outbox

AUTOMATIC_REASONS = ("joiner", "audience_match")


def _now() -> datetime:
    return datetime.now(UTC)


async def programmes_of(session: AsyncSession, tenant: str) -> list[Programme]:
    rows = await session.execute(
        select(Programme).where(Programme.tenant == tenant, Programme.archived.is_(False))  # type: ignore[attr-defined]
    )
    return list(rows.scalars().all())


async def schedule_invitation(
    session: AsyncSession,
    tenant: str,
    programme: Programme,
    employee_id: str,
    reason: str,
    not_before: datetime,
    cohort_id: str | None = None,
) -> Invitation | None:
    """An invitation to be sent at `not_before`, unless it would pester or duplicate."""
    enrolled = await session.execute(
        select(Enrolment.id).where(
            Enrolment.tenant == tenant,
            Enrolment.programme_id == programme.id,
            Enrolment.employee_id == employee_id,
            Enrolment.status == "active",
        )
    )
    if enrolled.first() is not None:
        return None
    history = select(Invitation.status).where(
        Invitation.tenant == tenant,
        Invitation.programme_id == programme.id,
        Invitation.employee_id == employee_id,
    )
    statuses = set((await session.execute(history)).scalars().all())
    if statuses & {"scheduled", "sent"}:
        return None
    if reason in AUTOMATIC_REASONS:
        # Someone who said no, or left, is not asked again by a machine.
        if statuses & {"declined", "accepted"}:
            return None
        withdrawn = await session.execute(
            select(ConsentRecord.id).where(
                ConsentRecord.tenant == tenant,
                ConsentRecord.programme_id == programme.id,
                ConsentRecord.employee_id == employee_id,
                ConsentRecord.action == "withdrawn",
            )
        )
        if withdrawn.first() is not None:
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


def _invite_at(employee: Employee, reason: str) -> datetime:
    """A joiner announced before their first day counts the delay from that day."""
    now = _now()
    if reason == "joiner" and employee.hired_at is not None and employee.hired_at > now:
        return employee.hired_at
    return now


def onboarding_delay(programme: Programme, default_s: float) -> timedelta:
    seconds = (
        programme.onboarding_delay_s if programme.onboarding_delay_s is not None else default_s
    )
    return timedelta(seconds=seconds)


async def invite_matching(
    session: AsyncSession,
    employee: Employee,
    reason: str,
    default_delay_s: float,
    only_newly_matching: set[str] | None = None,
) -> list[Invitation]:
    """Invites `employee` to every programme whose audience they match (joiners, movers)."""
    person = person_of(employee)
    made = []
    for programme in await programmes_of(session, employee.tenant):
        if reason == "joiner" and not programme.invite_joiners:
            continue
        if programme.kind == "vip_cohort":
            continue  # VIP cohorts are by nomination only
        if only_newly_matching is not None and programme.id not in only_newly_matching:
            continue
        if not matches(AudienceRules.model_validate(programme.audience), person):
            continue
        invitation = await schedule_invitation(
            session,
            employee.tenant,
            programme,
            employee.id,
            reason,
            _invite_at(employee, reason) + onboarding_delay(programme, default_delay_s),
        )
        if invitation is not None:
            made.append(invitation)
    return made


async def matching_programmes(session: AsyncSession, employee: Employee) -> set[str]:
    person = person_of(employee)
    return {
        p.id
        for p in await programmes_of(session, employee.tenant)
        if matches(AudienceRules.model_validate(p.audience), person)
    }


async def dispatch_due_invitations(session: AsyncSession, outbox: Outbox, limit: int = 200) -> int:
    """Sends the invitations whose onboarding delay has passed (one replica each)."""
    due = (
        (
            await session.execute(
                select(Invitation)
                .where(Invitation.status == "scheduled", Invitation.not_before <= func.now())
                .order_by(Invitation.not_before)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    sent = 0
    for invitation in due:
        employee = await session.get(Employee, invitation.employee_id)
        if employee is None or not employee.active or employee.erased_at is not None:
            invitation.status = "cancelled"
            continue
        invitation.status = "sent"
        invitation.sent_at = _now()
        await outbox.add(
            session,
            invitation.tenant,
            AmbassadorInvited(
                ambassador_id=invitation.employee_id,
                programme_id=invitation.programme_id,
                invitation_id=invitation.id,
                cohort_id=invitation.cohort_id,
                reason=invitation.reason,  # type: ignore[arg-type]
                not_before=next_nudge(employee),
            ),
        )
        sent += 1
    return sent


async def accept_invitation(
    session: AsyncSession,
    outbox: Outbox,
    employee: Employee,
    invitation: Invitation,
    charter_version: str,
    networks: list[str],
) -> Enrolment:
    programme = await session.get(Programme, invitation.programme_id)
    if programme is None or programme.tenant != employee.tenant or programme.archived:
        raise Problem(409, "Programme closed", "this programme no longer accepts ambassadors")
    if invitation.status != "sent":
        raise Problem(
            409,
            "Invitation not open",
            f"this invitation is {invitation.status}",
            status_now=invitation.status,
        )
    if charter_version != programme.charter_version:
        raise Problem(
            409,
            "Charter version mismatch",
            f"the current charter is version {programme.charter_version}",
            current_charter_version=programme.charter_version,
        )
    if not employee.active:
        raise Problem(409, "Not an active employee", "only active employees can take part")
    if programme.capacity is not None:
        taken = await session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.tenant == employee.tenant,
                Enrolment.programme_id == programme.id,
                Enrolment.status == "active",
            )
        )
        if (taken or 0) >= programme.capacity:
            raise Problem(409, "Programme full", "the programme has reached its capacity")
    now = _now()
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
    programmes = await active_programme_ids(session, employee.tenant, employee.id)
    await outbox.add(
        session,
        employee.tenant,
        AmbassadorEnrolled(
            ambassador_id=employee.id,
            programme_id=programme.id,
            charter_version=charter_version,
            networks=networks,
            profile=profile_of(employee, programmes),
            login_subject=employee.login_subject,
        ),
    )
    return enrolment


async def end_enrolment(
    session: AsyncSession,
    outbox: Outbox,
    employee: Employee,
    enrolment: Enrolment,
    reason: str,
    note: str | None = None,
) -> None:
    """Participation ends at once; consent is marked withdrawn and kept in the history."""
    now = _now()
    enrolment.status = "left"
    enrolment.left_at = now
    enrolment.left_reason = reason
    last_grant = (
        await session.execute(
            select(ConsentRecord)
            .where(
                ConsentRecord.tenant == employee.tenant,
                ConsentRecord.employee_id == employee.id,
                ConsentRecord.programme_id == enrolment.programme_id,
                ConsentRecord.action == "granted",
            )
            .order_by(ConsentRecord.recorded_at.desc())  # type: ignore[attr-defined]
            .limit(1)
        )
    ).scalar_one_or_none()
    session.add(
        ConsentRecord(
            tenant=employee.tenant,
            employee_id=employee.id,
            programme_id=enrolment.programme_id,
            action="withdrawn",
            charter_version=last_grant.charter_version if last_grant else "unknown",
            networks=[],
            reason=note or reason,
            recorded_at=now,
        )
    )
    await outbox.add(
        session,
        employee.tenant,
        AmbassadorLeft(
            ambassador_id=employee.id,
            programme_id=enrolment.programme_id,
            reason=reason,  # type: ignore[arg-type]
        ),
    )


async def active_enrolments(
    session: AsyncSession, tenant: str, employee_id: str
) -> list[Enrolment]:
    rows = await session.execute(
        select(Enrolment).where(
            Enrolment.tenant == tenant,
            Enrolment.employee_id == employee_id,
            Enrolment.status == "active",
        )
    )
    return list(rows.scalars().all())


async def end_all_participation(
    session: AsyncSession, outbox: Outbox, employee: Employee, reason: str
) -> int:
    enrolments = await active_enrolments(session, employee.tenant, employee.id)
    for enrolment in enrolments:
        await end_enrolment(session, outbox, employee, enrolment, reason)
    await session.execute(
        update(Invitation)
        .where(
            Invitation.tenant == employee.tenant,  # type: ignore[arg-type]
            Invitation.employee_id == employee.id,  # type: ignore[arg-type]
            Invitation.status.in_(["scheduled", "sent"]),  # type: ignore[attr-defined]
        )
        .values(status="cancelled", responded_at=_now())
    )
    return len(enrolments)


async def publish_updated(session: AsyncSession, outbox: Outbox, employee: Employee) -> None:
    """Tells other services what they may target on, for ambassadors only."""
    programmes = await active_programme_ids(session, employee.tenant, employee.id)
    if not programmes:
        return
    await outbox.add(
        session,
        employee.tenant,
        AmbassadorUpdated(
            ambassador_id=employee.id,
            profile=profile_of(employee, programmes),
            active=employee.active,
            next_allowed_nudge_at=next_nudge(employee),
            login_subject=employee.login_subject,
        ),
    )
