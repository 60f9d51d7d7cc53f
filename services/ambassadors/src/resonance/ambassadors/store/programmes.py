"""Queries on programmes and their cohorts and nominations."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.paging import keyset
from resonance.ambassadors.store.tables import Cohort, Nomination, Programme


async def get_programme(session: AsyncSession, programme_id: str) -> Programme | None:
    return await session.get(Programme, programme_id)


async def programmes_of(
    session: AsyncSession,
    tenant: str,
    *,
    include_archived: bool = False,
    after: tuple[Any, ...] | None = None,
    limit: int | None = None,
) -> list[Programme]:
    """Oldest first, by (created_at, id)."""
    query = select(Programme).where(Programme.tenant == tenant)
    if not include_archived:
        query = query.where(Programme.archived.is_(False))
    query = keyset(query, (Programme.created_at, Programme.id), after, limit)
    return list((await session.execute(query)).scalars().all())


async def get_cohort(session: AsyncSession, cohort_id: str, *, lock: bool = False) -> Cohort | None:
    return await session.get(Cohort, cohort_id, with_for_update=lock)


async def cohorts_of(
    session: AsyncSession,
    tenant: str,
    programme_id: str,
    after: tuple[Any, ...] | None,
    limit: int,
) -> list[Cohort]:
    """By start date, then id."""
    query = select(Cohort).where(Cohort.tenant == tenant, Cohort.programme_id == programme_id)
    query = keyset(query, (Cohort.starts_on, Cohort.id), after, limit)
    return list((await session.execute(query)).scalars().all())


async def is_nominated(session: AsyncSession, cohort_id: str, employee_id: str) -> bool:
    found = await session.execute(
        select(Nomination.id).where(
            Nomination.cohort_id == cohort_id, Nomination.employee_id == employee_id
        )
    )
    return found.first() is not None


async def nominations_of(
    session: AsyncSession,
    tenant: str,
    cohort_id: str,
    *,
    after: tuple[Any, ...] | None = None,
    limit: int | None = None,
) -> list[Nomination]:
    """Oldest first, by (created_at, id)."""
    query = select(Nomination).where(Nomination.tenant == tenant, Nomination.cohort_id == cohort_id)
    query = keyset(query, (Nomination.created_at, Nomination.id), after, limit)
    return list((await session.execute(query)).scalars().all())
