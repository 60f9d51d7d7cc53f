"""Export of everything about one person, and erasure (anonymisation) of their personal data."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.participation import end_all_participation
from resonance.ambassadors.store.tables import (
    ConsentRecord,
    Employee,
    Enrolment,
    Invitation,
    Nomination,
    Registration,
)
from resonance.common.events.catalogue import AmbassadorErased
from resonance.common.outbox import Outbox

PERSONAL_FIELDS = (
    "employee_number",
    "external_id",
    "user_name",
    "login_subject",
    "given_name",
    "family_name",
    "display_name",
    "email",
    "personal_email",
    "phone",
    "manager_ref",
    "cost_center",
)


def _plain(row: Any) -> dict[str, Any]:
    return row.model_dump(mode="json")


async def export_person(session: AsyncSession, employee: Employee) -> dict[str, Any]:
    tenant, person = employee.tenant, employee.id

    async def rows(model: Any) -> list[dict[str, Any]]:
        found = await session.execute(
            select(model).where(model.tenant == tenant, model.employee_id == person)
        )
        return [_plain(r) for r in found.scalars().all()]

    return {
        "employee": _plain(employee),
        "consents": await rows(ConsentRecord),
        "enrolments": await rows(Enrolment),
        "invitations": await rows(Invitation),
        "nominations": await rows(Nomination),
        "registrations": await rows(Registration),
        "exported_at": datetime.now(UTC).isoformat(),
    }


async def erase_employee(session: AsyncSession, outbox: Outbox, employee: Employee) -> None:
    """Keeps the id and aggregate facts (for counts), drops everything that identifies."""
    if employee.active:
        employee.active = False
    await end_all_participation(session, outbox, employee, "erased")
    for name in PERSONAL_FIELDS:
        setattr(employee, name, None)
    employee.scim = {}
    employee.scim_deleted = True
    employee.age_band = None
    employee.timezone = None
    employee.channels = []
    employee.erased_at = datetime.now(UTC)
    employee.left_at = employee.left_at or employee.erased_at
    employee.version += 1
    # A nomination note is free text about the person.
    await session.execute(
        update(Nomination)
        .where(Nomination.tenant == employee.tenant, Nomination.employee_id == employee.id)  # type: ignore[arg-type]
        .values(note=None)
    )
    await outbox.add(session, employee.tenant, AmbassadorErased(ambassador_id=employee.id))
