"""Queries on activities and their registrations."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.paging import keyset
from resonance.ambassadors.store.tables import Activity, Registration


async def get_activity(
    session: AsyncSession, activity_id: str, *, lock: bool = False
) -> Activity | None:
    return await session.get(Activity, activity_id, with_for_update=lock)


async def activities_of(
    session: AsyncSession,
    tenant: str,
    starting_from: datetime | None,
    after: tuple[Any, ...] | None,
    limit: int,
) -> list[Activity]:
    """Soonest first, by (starts_at, id)."""
    query = select(Activity).where(Activity.tenant == tenant)
    if starting_from is not None:
        query = query.where(Activity.starts_at >= starting_from)
    query = keyset(query, (Activity.starts_at, Activity.id), after, limit)
    return list((await session.execute(query)).scalars().all())


async def registration_counts(session: AsyncSession, activity_id: str) -> dict[str, int]:
    """How many registrations of each status (registered, waitlisted, cancelled)."""
    rows = await session.execute(
        select(Registration.status, func.count())
        .where(Registration.activity_id == activity_id)
        .group_by(Registration.status)
    )
    return {status: count for status, count in rows.all()}


async def waiting_list(session: AsyncSession, activity_id: str) -> list[Registration]:
    """The waiting list in order of arrival."""
    rows = await session.execute(
        select(Registration)
        .where(Registration.activity_id == activity_id, Registration.status == "waitlisted")
        .order_by(Registration.updated_at, Registration.id)
    )
    return list(rows.scalars().all())


async def registration_of(
    session: AsyncSession, activity_id: str, employee_id: str
) -> Registration | None:
    """This person's registration, whatever its status."""
    rows = await session.execute(
        select(Registration).where(
            Registration.activity_id == activity_id, Registration.employee_id == employee_id
        )
    )
    return rows.scalar_one_or_none()


async def registrations_of(
    session: AsyncSession, activity_id: str, after: tuple[Any, ...] | None, limit: int
) -> list[Registration]:
    """Seats then waiting list ("registered" sorts before "waitlisted"), each in order of
    arrival, by (status, updated_at, id); cancelled ones left out."""
    query = select(Registration).where(
        Registration.activity_id == activity_id, Registration.status != "cancelled"
    )
    order = (Registration.status, Registration.updated_at, Registration.id)
    return list((await session.execute(keyset(query, order, after, limit))).scalars().all())
