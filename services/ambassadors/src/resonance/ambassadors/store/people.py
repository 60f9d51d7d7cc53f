"""Queries on employees and the event payloads that describe them."""

from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.domain.audience import Person
from resonance.ambassadors.domain.hr import EmployeeFacts
from resonance.ambassadors.domain.quiet_hours import (
    ALL_DAYS,
    DisconnectRules,
    next_allowed_nudge,
    parse_hhmm,
)
from resonance.ambassadors.store.tables import Employee, Enrolment
from resonance.common.auth import Principal, Role
from resonance.common.errors import Problem
from resonance.common.events.catalogue import AmbassadorProfile


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


def is_staff(principal: Principal) -> bool:
    return principal.has_any(Role.ADMIN, Role.PROGRAM_MANAGER)


async def employee_for(
    session: AsyncSession, principal: Principal, ambassador_id: str, *, lock: bool = False
) -> Employee:
    """The employee a caller may act on: anyone for staff, only themselves otherwise."""
    if ambassador_id == "me":
        query = select(Employee).where(
            Employee.tenant == principal.tenant,
            or_(
                Employee.login_subject == principal.subject,
                Employee.user_name == principal.subject,
            ),
        )
        # An explicit link wins over a userName that happens to equal the subject.
        query = query.order_by((Employee.login_subject == principal.subject).desc())
        if lock:
            query = query.with_for_update()
        row = (await session.execute(query.limit(1))).scalar_one_or_none()
        if lock and row is not None and row.login_subject is None:
            # First action of a person matched by userName: remember their token subject, so
            # the events of this write carry it and other services recognise their tokens.
            # (Ordered by explicit link first, so no other row holds this subject.)
            row.login_subject = principal.subject
    else:
        row = await get_employee(session, principal.tenant, ambassador_id, lock=lock)
        if (
            row is not None
            and not is_staff(principal)
            and principal.subject
            not in (
                row.login_subject,
                row.user_name,
            )
        ):
            row = None  # not yours: indistinguishable from absent
    if row is None or row.erased_at is not None:
        raise Problem(404, "Not Found", "no such ambassador")
    return row


def current_facts(row: Employee) -> EmployeeFacts:
    return EmployeeFacts(
        **{
            name: getattr(row, name)
            for name in EmployeeFacts.__dataclass_fields__
            if name != "active"
        },
        active=row.active,
    )


def person_of(row: Employee) -> Person:
    languages = tuple(
        dict.fromkeys([*(row.languages or []), *([row.language] if row.language else [])])
    )
    return Person(
        brand=row.brand,
        entity=row.entity,
        job_family=row.job_family,
        site=row.site,
        country=row.country,
        languages=languages,
        worker_type=row.worker_type,
        age_band=row.age_band,
        social_media_maturity=row.social_media_maturity,
    )


def disconnect_rules(row: Employee) -> DisconnectRules:
    return DisconnectRules(
        timezone=row.timezone or "UTC",
        quiet_start=parse_hhmm(row.quiet_hours_start) if row.quiet_hours_start else None,
        quiet_end=parse_hhmm(row.quiet_hours_end) if row.quiet_hours_end else None,
        working_days=tuple(row.working_days or ALL_DAYS),
    )


def next_nudge(row: Employee, now: datetime | None = None) -> datetime:
    return next_allowed_nudge(now or datetime.now(UTC), disconnect_rules(row))


async def active_programme_ids(session: AsyncSession, tenant: str, employee_id: str) -> list[str]:
    rows = await session.execute(
        select(Enrolment.programme_id).where(
            Enrolment.tenant == tenant,
            Enrolment.employee_id == employee_id,
            Enrolment.status == "active",
        )
    )
    return sorted(rows.scalars().all())


def profile_of(row: Employee, programmes: list[str]) -> AmbassadorProfile:
    languages = list(
        dict.fromkeys([*(row.languages or []), *([row.language] if row.language else [])])
    )
    worker_type = row.worker_type if row.worker_type in ("office", "frontline") else None
    return AmbassadorProfile(
        brand=row.brand,
        entity=row.entity,
        job_family=row.job_family,
        site=row.site,
        country=row.country,
        languages=languages,
        worker_type=worker_type,  # type: ignore[arg-type]
        timezone=row.timezone,
        quiet_hours_start=row.quiet_hours_start,
        quiet_hours_end=row.quiet_hours_end,
        programmes=programmes,
        age_band=row.age_band,
        social_media_maturity=row.social_media_maturity,
        working_days=list(row.working_days or []),
        stage=row.stage,  # type: ignore[arg-type]
    )
