"""The one HR pipeline behind SCIM, the signed webhook and the `hr.employee` topic."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.domain.hr import EmployeeFacts, HrChange, HrDecision, decide
from resonance.ambassadors.domain.scim_mapping import merge_facts
from resonance.ambassadors.store.participation import (
    end_all_participation,
    invite_matching,
    matching_programmes,
    publish_updated,
)
from resonance.ambassadors.store.people import current_facts, find_employee
from resonance.ambassadors.store.tables import Employee
from resonance.common.outbox import Outbox


@dataclass
class IntakeResult:
    employee: Employee
    decision: HrDecision
    created: bool


async def apply_hr_facts(
    session: AsyncSession,
    outbox: Outbox,
    tenant: str,
    facts: EmployeeFacts,
    *,
    change: HrChange | None = None,
    employee: Employee | None = None,
    clear_absent: frozenset[str] = frozenset(),
    scim: dict[str, Any] | None = None,
    onboarding_delay_s: float,
    hired_at: datetime | None = None,
    effective_at: datetime | None = None,
    look_up: bool = True,
) -> IntakeResult:
    """Upserts the employee and carries out what `decide` says the fact means.

    `look_up=False` when the caller already searched under lock and found nobody: a
    concurrent insert of the same person then fails on the unique indexes instead of
    being silently merged.
    """
    row = employee
    if row is None and look_up:
        row = await find_employee(session, tenant, facts, lock=True)
    now = datetime.now(UTC)
    leaves_later = change == "leaver" and effective_at is not None and effective_at > now
    if leaves_later and row is not None and row.active:
        # Until the last day the person still works here: record the date, apply the rest.
        row.leaves_at = effective_at
        change = None
    elif row is not None and change in ("joiner", "leaver"):
        row.leaves_at = None
    decision = decide(
        current_facts(row) if row is not None else None, facts, change, clear_absent=clear_absent
    )
    created = row is None
    if row is None:
        row = Employee(tenant=tenant, active=decision.active, hired_at=hired_at or now)
        session.add(row)
    before_matching = set() if created else await matching_programmes(session, row)
    for name, value in decision.changes.items():
        setattr(row, name, value)
    row.active = decision.active
    if scim is not None:
        row.scim = scim
    else:
        # HR doors always know whether someone works here: SCIM readers see it too.
        merged = merge_facts(row.scim or {}, decision.changes)
        merged["active"] = decision.active
        if merged != row.scim:
            row.scim = merged
    if decision.changes or decision.outcome != "unchanged":
        row.version += 1
        row.updated_at = now
    await session.flush()

    if decision.outcome in ("joiner", "rehire"):
        row.left_at = None
        if decision.outcome == "rehire":
            row.hired_at = hired_at or now
        await invite_matching(session, row, "joiner", onboarding_delay_s)
    elif decision.ends_participation:
        row.left_at = now
        await end_all_participation(session, outbox, row, decision.leave_reason or "leaver")
    elif decision.outcome == "mover":
        if decision.retarget:
            newly = await matching_programmes(session, row) - before_matching
            if newly:
                await invite_matching(
                    session, row, "audience_match", onboarding_delay_s, only_newly_matching=newly
                )
        await publish_updated(session, outbox, row)
    return IntakeResult(row, decision, created)
