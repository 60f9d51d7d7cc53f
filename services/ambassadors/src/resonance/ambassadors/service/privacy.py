"""A person's data export, and erasure (anonymisation) that every other service follows
through `ambassador.erased`: on request, or once the retention period after leaving is over."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from resonance.ambassadors.domain.privacy import PERSONAL_FIELDS
from resonance.ambassadors.service.enrolments import end_all_participation
from resonance.ambassadors.service.people import Uow, person_for
from resonance.ambassadors.store import people, privacy
from resonance.ambassadors.store.tables import (
    ConsentRecord,
    Employee,
    Enrolment,
    Invitation,
    Nomination,
    Registration,
)
from resonance.common.auth import Principal
from resonance.common.events.catalogue import AmbassadorErased


@dataclass(frozen=True)
class Erasure:
    ambassador_id: str
    erased_at: datetime


def _plain(row: Any) -> dict[str, Any]:
    return dict(row.model_dump(mode="json"))


async def export(uow: Uow, actor: Principal, ambassador_id: str) -> dict[str, Any]:
    """Everything this service holds about a person."""
    employee = await person_for(uow, actor, ambassador_id)

    async def rows(model: Any) -> list[dict[str, Any]]:
        found = await privacy.rows_about(uow.session, model, employee.tenant, employee.id)
        return [_plain(r) for r in found]

    return {
        "employee": _plain(employee),
        "consents": await rows(ConsentRecord),
        "enrolments": await rows(Enrolment),
        "invitations": await rows(Invitation),
        "nominations": await rows(Nomination),
        "registrations": await rows(Registration),
        "exported_at": uow.now().isoformat(),
    }


async def erase_employee(uow: Uow, employee: Employee) -> datetime:
    """Keeps the id and aggregate facts (for counts), drops everything that identifies."""
    if employee.active:
        employee.active = False
    await end_all_participation(uow, employee, "erased")
    for name in PERSONAL_FIELDS:
        setattr(employee, name, None)
    employee.scim = {}
    employee.scim_deleted = True
    employee.channels = []
    erased_at = employee.erased_at = uow.now()
    employee.left_at = employee.left_at or erased_at
    employee.version += 1
    # A nomination note is free text about the person.
    await privacy.clear_nomination_notes(uow.session, employee.tenant, employee.id)
    await uow.emit(employee.tenant, AmbassadorErased(ambassador_id=employee.id))
    return erased_at


async def erase_on_request(uow: Uow, actor: Principal, ambassador_id: str) -> Erasure:
    employee = await person_for(uow, actor, ambassador_id, lock=True)
    return Erasure(employee.id, await erase_employee(uow, employee))


async def erase_after_retention(uow: Uow) -> int:
    """Anonymises people who left longer ago than the retention period, without anyone
    having to ask."""
    cutoff = uow.now() - timedelta(days=uow.settings.erase_after_leaving_days)
    due = await people.left_before(uow.session, cutoff)
    for employee in due:
        await erase_employee(uow, employee)
    return len(due)
