"""Queries on invitations, enrolments and consent records."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.paging import keyset
from resonance.ambassadors.store.tables import ConsentRecord, Enrolment, Invitation, Programme


async def is_enrolled(
    session: AsyncSession, tenant: str, programme_id: str, employee_id: str
) -> bool:
    found = await session.execute(
        select(Enrolment.id).where(
            Enrolment.tenant == tenant,
            Enrolment.programme_id == programme_id,
            Enrolment.employee_id == employee_id,
            Enrolment.status == "active",
        )
    )
    return found.first() is not None


async def invitation_statuses(
    session: AsyncSession, tenant: str, programme_id: str, employee_id: str
) -> set[str]:
    """The statuses of every invitation this person ever got to this programme."""
    found = await session.execute(
        select(Invitation.status).where(
            Invitation.tenant == tenant,
            Invitation.programme_id == programme_id,
            Invitation.employee_id == employee_id,
        )
    )
    return set(found.scalars().all())


async def has_withdrawn(
    session: AsyncSession, tenant: str, programme_id: str, employee_id: str
) -> bool:
    found = await session.execute(
        select(ConsentRecord.id).where(
            ConsentRecord.tenant == tenant,
            ConsentRecord.programme_id == programme_id,
            ConsentRecord.employee_id == employee_id,
            ConsentRecord.action == "withdrawn",
        )
    )
    return found.first() is not None


async def invitations_due(session: AsyncSession, limit: int) -> list[Invitation]:
    """Scheduled invitations whose time has come (locked, one replica each)."""
    rows = await session.execute(
        select(Invitation)
        .where(Invitation.status == "scheduled", Invitation.not_before <= func.now())
        .order_by(Invitation.not_before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows.scalars().all())


async def get_invitation(
    session: AsyncSession, invitation_id: str, *, lock: bool = False
) -> Invitation | None:
    return await session.get(Invitation, invitation_id, with_for_update=lock)


async def invitations_with_programmes(
    session: AsyncSession,
    tenant: str,
    employee_id: str,
    *,
    include_scheduled: bool,
    after: tuple[Any, ...] | None,
    limit: int,
) -> list[tuple[Invitation, Programme]]:
    """A person's invitations with their programmes, oldest first by (created_at, id);
    scheduled ones only when asked (staff see them, the person does not before they go)."""
    query = (
        select(Invitation, Programme)
        .join(Programme, Programme.id == Invitation.programme_id)
        .where(Invitation.tenant == tenant, Invitation.employee_id == employee_id)
    )
    if not include_scheduled:
        query = query.where(Invitation.status != "scheduled")
    rows = await session.execute(
        keyset(query, (Invitation.created_at, Invitation.id), after, limit)
    )
    return [(invitation, programme) for invitation, programme in rows.tuples().all()]


async def invited_ids(session: AsyncSession, tenant: str, programme_id: str) -> set[str]:
    """People to whom an invitation to this programme was sent (whatever they answered)."""
    rows = await session.execute(
        select(Invitation.employee_id).where(
            Invitation.tenant == tenant,
            Invitation.programme_id == programme_id,
            Invitation.sent_at.is_not(None),
        )
    )
    return set(rows.scalars())


async def cancel_open_invitations(
    session: AsyncSession,
    tenant: str,
    at: datetime,
    *,
    employee_id: str | None = None,
    cohort_id: str | None = None,
) -> None:
    """Cancels the scheduled or sent invitations of one person, or to one cohort."""
    query = update(Invitation).where(
        Invitation.tenant == tenant,
        Invitation.status.in_(["scheduled", "sent"]),
    )
    if employee_id is not None:
        query = query.where(Invitation.employee_id == employee_id)
    if cohort_id is not None:
        query = query.where(Invitation.cohort_id == cohort_id)
    await session.execute(query.values(status="cancelled", responded_at=at))


async def active_enrolment_count(session: AsyncSession, tenant: str, programme_id: str) -> int:
    taken = await session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(
            Enrolment.tenant == tenant,
            Enrolment.programme_id == programme_id,
            Enrolment.status == "active",
        )
    )
    return taken or 0


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


async def active_enrolment(
    session: AsyncSession, tenant: str, employee_id: str, programme_id: str
) -> Enrolment | None:
    """This person's current enrolment in this programme, locked."""
    rows = await session.execute(
        select(Enrolment)
        .where(
            Enrolment.tenant == tenant,
            Enrolment.employee_id == employee_id,
            Enrolment.programme_id == programme_id,
            Enrolment.status == "active",
        )
        .with_for_update()
    )
    return rows.scalar_one_or_none()


async def cohort_members(session: AsyncSession, tenant: str, cohort_id: str) -> list[Enrolment]:
    """Current enrolments through one cohort, locked."""
    rows = await session.execute(
        select(Enrolment)
        .where(
            Enrolment.tenant == tenant,
            Enrolment.cohort_id == cohort_id,
            Enrolment.status == "active",
        )
        .with_for_update()
    )
    return list(rows.scalars().all())


async def enrolments_of(
    session: AsyncSession, tenant: str, employee_id: str, after: tuple[Any, ...] | None, limit: int
) -> list[Enrolment]:
    """Oldest first, by (enrolled_at, id)."""
    query = select(Enrolment).where(
        Enrolment.tenant == tenant, Enrolment.employee_id == employee_id
    )
    query = keyset(query, (Enrolment.enrolled_at, Enrolment.id), after, limit)
    return list((await session.execute(query)).scalars().all())


async def enrolled_ids(session: AsyncSession, tenant: str, programme_id: str) -> set[str]:
    rows = await session.execute(
        select(Enrolment.employee_id).where(
            Enrolment.tenant == tenant,
            Enrolment.programme_id == programme_id,
            Enrolment.status == "active",
        )
    )
    return set(rows.scalars())


async def last_grant(
    session: AsyncSession, tenant: str, employee_id: str, programme_id: str
) -> ConsentRecord | None:
    rows = await session.execute(
        select(ConsentRecord)
        .where(
            ConsentRecord.tenant == tenant,
            ConsentRecord.employee_id == employee_id,
            ConsentRecord.programme_id == programme_id,
            ConsentRecord.action == "granted",
        )
        .order_by(ConsentRecord.recorded_at.desc())
        .limit(1)
    )
    return rows.scalar_one_or_none()


CONSENT_ORDER = (ConsentRecord.recorded_at, ConsentRecord.id)


async def consents_of(
    session: AsyncSession,
    tenant: str,
    employee_id: str,
    after: tuple[Any, ...] | None = None,
    limit: int | None = None,
) -> list[ConsentRecord]:
    """Oldest first, by (recorded_at, id); all of them without a `limit` (the CSV export)."""
    query = select(ConsentRecord).where(
        ConsentRecord.tenant == tenant, ConsentRecord.employee_id == employee_id
    )
    return list((await session.execute(keyset(query, CONSENT_ORDER, after, limit))).scalars())


async def tenant_consents(
    session: AsyncSession,
    tenant: str,
    programme_id: str | None,
    after: tuple[Any, ...] | None,
    limit: int,
) -> list[ConsentRecord]:
    """Oldest first, by (recorded_at, id)."""
    query = select(ConsentRecord).where(ConsentRecord.tenant == tenant)
    if programme_id:
        query = query.where(ConsentRecord.programme_id == programme_id)
    return list((await session.execute(keyset(query, CONSENT_ORDER, after, limit))).scalars())
