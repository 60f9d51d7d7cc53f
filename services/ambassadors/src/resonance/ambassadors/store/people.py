"""Queries on employees (people known from HR, ambassadors or not)."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.domain.hr import EmployeeFacts
from resonance.ambassadors.store.tables import Employee, Enrolment


async def find_employee(
    session: AsyncSession, tenant: str, facts: EmployeeFacts, *, lock: bool = False
) -> Employee | None:
    """The person these facts are about, by the strongest key they carry."""
    for column, value in (
        (Employee.employee_number, facts.employee_number),
        (Employee.external_id, facts.external_id),
    ):
        if value:
            query = select(Employee).where(Employee.tenant == tenant, column == value)
            if lock:
                query = query.with_for_update()
            row = (await session.execute(query)).scalar_one_or_none()
            if row is not None:
                return row
    if facts.user_name:
        query = select(Employee).where(
            Employee.tenant == tenant,
            func.lower(Employee.user_name) == facts.user_name.lower(),
        )
        if lock:
            query = query.with_for_update()
        return (await session.execute(query)).scalar_one_or_none()
    return None


async def get_employee(
    session: AsyncSession, tenant: str, employee_id: str, *, lock: bool = False
) -> Employee | None:
    query = select(Employee).where(Employee.tenant == tenant, Employee.id == employee_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def employee_signed_in_as(
    session: AsyncSession, tenant: str, subject: str, *, lock: bool = False
) -> Employee | None:
    """The person whose tokens carry `subject`: linked explicitly, or by a userName equal to it.

    An explicit link wins over a userName that happens to equal the subject."""
    query = (
        select(Employee)
        .where(
            Employee.tenant == tenant,
            or_(Employee.login_subject == subject, Employee.user_name == subject),
        )
        .order_by((Employee.login_subject == subject).desc())
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query.limit(1))).scalar_one_or_none()


async def subject_taken_by_other(
    session: AsyncSession, tenant: str, subject: str, employee_id: str
) -> bool:
    """Whether someone else signs in as `subject` (linked to it, or with it as userName)."""
    holder = await session.execute(
        select(Employee.id).where(
            Employee.tenant == tenant,
            or_(Employee.login_subject == subject, Employee.user_name == subject),
            Employee.id != employee_id,
        )
    )
    return holder.first() is not None


async def current_employees(session: AsyncSession, tenant: str) -> list[Employee]:
    """Everyone who works here now (active, not erased), oldest records first."""
    rows = await session.execute(
        select(Employee)
        .where(
            Employee.tenant == tenant,
            Employee.active.is_(True),
            Employee.erased_at.is_(None),
        )
        .order_by(Employee.created_at, Employee.id)
    )
    return list(rows.scalars().all())


async def active_programme_ids(session: AsyncSession, tenant: str, employee_id: str) -> list[str]:
    rows = await session.execute(
        select(Enrolment.programme_id).where(
            Enrolment.tenant == tenant,
            Enrolment.employee_id == employee_id,
            Enrolment.status == "active",
        )
    )
    return sorted(rows.scalars().all())


async def leavers_due(session: AsyncSession, limit: int = 100) -> list[Employee]:
    """Leavers announced ahead whose last day has come (locked, one replica each)."""
    rows = await session.execute(
        select(Employee)
        .where(
            Employee.leaves_at.is_not(None),
            Employee.leaves_at <= func.now(),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows.scalars().all())


async def left_before(session: AsyncSession, cutoff: datetime, limit: int = 100) -> list[Employee]:
    """People who left before `cutoff` and are not erased yet (locked, one replica each)."""
    rows = await session.execute(
        select(Employee)
        .where(
            Employee.active.is_(False),
            Employee.erased_at.is_(None),
            Employee.left_at.is_not(None),
            Employee.left_at <= cutoff,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows.scalars().all())
