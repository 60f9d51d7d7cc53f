"""Queries behind a person's data export and erasure."""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.tables import Nomination


async def rows_about(session: AsyncSession, model: Any, tenant: str, employee_id: str) -> list[Any]:
    """Every row of `model` (a table with `tenant` and `employee_id`) about one person."""
    found = await session.execute(
        select(model).where(model.tenant == tenant, model.employee_id == employee_id)
    )
    return list(found.scalars().all())


async def clear_nomination_notes(session: AsyncSession, tenant: str, employee_id: str) -> None:
    await session.execute(
        update(Nomination)
        .where(Nomination.tenant == tenant, Nomination.employee_id == employee_id)
        .values(note=None)
    )
