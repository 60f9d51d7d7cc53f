"""Queries on programmes and their cohorts and nominations."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.tables import Cohort, Nomination, Programme


async def get_programme(session: AsyncSession, programme_id: str) -> Programme | None:
    return await session.get(Programme, programme_id)


async def programmes_of(
    session: AsyncSession, tenant: str, *, include_archived: bool = False
) -> list[Programme]:
    query = select(Programme).where(Programme.tenant == tenant)
    if not include_archived:
        query = query.where(Programme.archived.is_(False))
    rows = await session.execute(query.order_by(Programme.created_at))
    return list(rows.scalars().all())


async def get_cohort(session: AsyncSession, cohort_id: str, *, lock: bool = False) -> Cohort | None:
    return await session.get(Cohort, cohort_id, with_for_update=lock)


async def cohorts_of(session: AsyncSession, tenant: str, programme_id: str) -> list[Cohort]:
    rows = await session.execute(
        select(Cohort)
        .where(Cohort.tenant == tenant, Cohort.programme_id == programme_id)
        .order_by(Cohort.starts_on)
    )
    return list(rows.scalars().all())


async def is_nominated(session: AsyncSession, cohort_id: str, employee_id: str) -> bool:
    found = await session.execute(
        select(Nomination.id).where(
            Nomination.cohort_id == cohort_id, Nomination.employee_id == employee_id
        )
    )
    return found.first() is not None


async def nominations_of(session: AsyncSession, tenant: str, cohort_id: str) -> list[Nomination]:
    rows = await session.execute(
        select(Nomination)
        .where(Nomination.tenant == tenant, Nomination.cohort_id == cohort_id)
        .order_by(Nomination.created_at)
    )
    return list(rows.scalars().all())
