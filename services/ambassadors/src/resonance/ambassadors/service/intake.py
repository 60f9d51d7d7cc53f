"""The one HR pipeline behind SCIM, the signed webhook and the `hr.employee` topic: every door
reduces a fact to `EmployeeFacts`, `domain.hr.decide` says what it means, this carries it out."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from resonance.ambassadors.domain.hr import (
    EmployeeFacts,
    HrChange,
    HrDecision,
    as_utc,
    decide,
    fact_time,
    facts_from_hr_event,
    is_stale,
)
from resonance.ambassadors.domain.privacy import hr_identifiers, identity_hashes
from resonance.ambassadors.domain.scim_mapping import merge_facts
from resonance.ambassadors.service.enrolments import end_all_participation
from resonance.ambassadors.service.invitations import invite_matching, matching_programmes
from resonance.ambassadors.service.people import Uow, current_facts, publish_updated
from resonance.ambassadors.store import people, privacy
from resonance.ambassadors.store.tables import Employee
from resonance.common.events.catalogue import HrEmployee


@dataclass
class IntakeResult:
    employee: Employee
    decision: HrDecision
    created: bool


async def apply_hr_facts(
    uow: Uow,
    tenant: str,
    facts: EmployeeFacts,
    *,
    change: HrChange | None = None,
    employee: Employee | None = None,
    clear_absent: frozenset[str] = frozenset(),
    scim: dict[str, Any] | None = None,
    hired_at: datetime | None = None,
    effective_at: datetime | None = None,
    look_up: bool = True,
) -> IntakeResult:
    """Upserts the employee and carries out what `decide` says the fact means.

    `look_up=False` when the caller already searched under lock and found nobody: a
    concurrent insert of the same person then fails on the unique indexes instead of
    being silently merged.
    """
    session, delay_s = uow.session, uow.settings.onboarding_delay_s
    row = employee
    if row is None and look_up:
        row = await people.find_employee(session, tenant, facts, lock=True)
    now = uow.now()
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
    before_matching = set() if created else await matching_programmes(uow, row)
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
        await invite_matching(uow, row, "joiner", delay_s)
    elif decision.ends_participation:
        row.left_at = now
        await end_all_participation(uow, row, decision.leave_reason or "leaver")
    elif decision.outcome == "mover":
        if decision.retarget:
            newly = await matching_programmes(uow, row) - before_matching
            if newly:
                await invite_matching(
                    uow, row, "audience_match", delay_s, only_newly_matching=newly
                )
        await publish_updated(uow, row)
    return IntakeResult(row, decision, created)


@dataclass(frozen=True)
class IgnoredFact:
    """An HR fact that changed nothing: about someone erased since, or older than what was
    already applied to them."""

    reason: Literal["erased", "stale"]


async def apply_hr_event(
    uow: Uow, tenant: str, event: HrEmployee, stated_at: datetime
) -> IntakeResult | IgnoredFact:
    """A joiner / mover / leaver in the HR system's own vocabulary (webhook, topic), stated
    at `stated_at` (the event's time). Version-aware: a late or replayed fact neither
    resurrects an erased person nor overwrites newer state."""
    facts = facts_from_hr_event(event)
    effective_at = as_utc(event.effective_at)
    held_at = fact_time(effective_at, as_utc(stated_at) or uow.now())
    keys = hr_identifiers(facts.employee_number, facts.external_id, facts.user_name)
    erased_at = await privacy.last_erasure(uow.session, tenant, identity_hashes(tenant, keys))
    if erased_at is not None and held_at <= erased_at:
        return IgnoredFact("erased")
    row = await people.find_employee(uow.session, tenant, facts, lock=True)
    if row is not None and is_stale(held_at, row.hr_effective_at):
        return IgnoredFact("stale")
    result = await apply_hr_facts(
        uow,
        tenant,
        facts,
        change=event.change,
        employee=row,
        hired_at=as_utc(event.hired_at),
        effective_at=effective_at,
        look_up=False,
    )
    result.employee.hr_effective_at = held_at
    return result


async def apply_due_leavers(uow: Uow) -> int:
    """Leavers announced ahead of time stop taking part on their last day."""
    due = await people.leavers_due(uow.session)
    for employee in due:
        employee.leaves_at = None
        await apply_hr_facts(
            uow, employee.tenant, EmployeeFacts(), change="leaver", employee=employee
        )
    return len(due)
