"""A person's data export, and erasure (anonymisation) that every other service follows
through `ambassador.erased`: on request, or once the retention period after leaving is over."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from resonance.ambassadors.domain.privacy import (
    PERSONAL_FIELDS,
    PERSONAL_LISTS,
    hr_identifiers,
    identity_hashes,
)
from resonance.ambassadors.service.enrolments import end_all_participation
from resonance.ambassadors.service.people import Uow, person_for
from resonance.ambassadors.store import people, privacy
from resonance.ambassadors.store.tables import (
    ConsentRecord,
    Employee,
    Enrolment,
    Invitation,
    Nomination,
    PersonalDataAudit,
    Registration,
)
from resonance.common.auth import Principal
from resonance.common.events.catalogue import AmbassadorErased
from resonance.common.paging import decode_cursor, encode_cursor


@dataclass(frozen=True)
class Erasure:
    ambassador_id: str
    erased_at: datetime


def _plain(row: Any) -> dict[str, Any]:
    return dict(row.model_dump(mode="json"))


async def export(uow: Uow, actor: Principal, ambassador_id: str) -> dict[str, Any]:
    """Everything this service holds about a person."""
    employee = await person_for(uow, actor, ambassador_id, action="export")

    async def rows(model: Any) -> list[dict[str, Any]]:
        found = await privacy.rows_about(uow.session, model, employee.tenant, employee.id)
        return [_plain(r) for r in found]

    groups = await privacy.groups_with_member(uow.session, employee.tenant, employee.id)
    audit = await privacy.audit_about(uow.session, employee.tenant, employee.id)
    return {
        "employee": _plain(employee),
        "consents": await rows(ConsentRecord),
        "enrolments": await rows(Enrolment),
        "invitations": await rows(Invitation),
        "nominations": await rows(Nomination),
        "registrations": await rows(Registration),
        "groups": [{"id": g.id, "display_name": g.display_name} for g in groups],
        # Who among staff read or changed this person's data, and when.
        "staff_actions": [_plain(a) for a in audit],
        "exported_at": uow.now().isoformat(),
    }


async def erase_employee(uow: Uow, employee: Employee) -> datetime:
    """Keeps the id and aggregate facts (for counts), drops everything that identifies."""
    if employee.active:
        employee.active = False
    await end_all_participation(uow, employee, "erased")
    session, tenant, erased_at = uow.session, employee.tenant, uow.now()
    # Remembered (hashed) before they go: a late or replayed HR fact must not bring them back.
    await privacy.add_tombstones(
        session,
        tenant,
        identity_hashes(
            tenant,
            hr_identifiers(employee.employee_number, employee.external_id, employee.user_name),
        ),
        erased_at,
    )
    subjects = [s for s in (employee.login_subject, employee.user_name) if s]
    await privacy.forget_stored_responses(session, tenant, employee.id, subjects)
    for name in PERSONAL_FIELDS:
        setattr(employee, name, None)
    for name in PERSONAL_LISTS:
        setattr(employee, name, [])
    employee.scim = {}
    employee.scim_deleted = True
    employee.erased_at = erased_at
    # The real last day is a personal date too: the erasure stands in for it.
    employee.left_at = erased_at
    employee.version += 1
    # Nomination notes and consent reasons are free text about the person.
    await privacy.clear_nomination_notes(session, tenant, employee.id)
    await privacy.clear_consent_reasons(session, tenant, employee.id)
    for group in await privacy.groups_with_member(session, tenant, employee.id, lock=True):
        # A member entry carries the person's display name: the membership goes entirely.
        members = group.resource.get("members") or []
        kept = [m for m in members if m.get("value") != employee.id]
        group.resource = {**group.resource, "members": kept}
        group.version += 1
        group.updated_at = erased_at
    await uow.emit(employee.tenant, AmbassadorErased(ambassador_id=employee.id))
    return erased_at


async def erase_on_request(uow: Uow, actor: Principal, ambassador_id: str) -> Erasure:
    employee = await person_for(uow, actor, ambassador_id, lock=True, action="erase")
    return Erasure(employee.id, await erase_employee(uow, employee))


async def erase_after_retention(uow: Uow) -> int:
    """Anonymises people who left longer ago than the retention period, without anyone
    having to ask."""
    cutoff = uow.now() - timedelta(days=uow.settings.erase_after_leaving_days)
    due = await people.left_before(uow.session, cutoff)
    for employee in due:
        await erase_employee(uow, employee)
    return len(due)


@dataclass(frozen=True)
class AuditPage:
    entries: list[PersonalDataAudit]
    next_cursor: str | None


async def audit_trail(uow: Uow, actor: Principal, cursor: str | None, limit: int) -> AuditPage:
    """Staff actions on other people's data in the actor's tenant, oldest first."""
    after = decode_cursor(cursor, datetime, str) if cursor else None
    rows = await privacy.audit_page(
        uow.session, actor.tenant, (after[0], after[1]) if after else None, limit + 1
    )
    page = rows[:limit]
    more = len(rows) > limit
    return AuditPage(page, encode_cursor(page[-1].at, page[-1].id) if more else None)
