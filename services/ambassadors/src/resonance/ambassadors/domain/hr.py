"""Joiner / mover / leaver: what an HR fact means for a person, whichever door it came in by.

SCIM, the signed webhook and the `hr.employee` topic all reduce to `EmployeeFacts` and go
through `decide`, so the three doors cannot drift apart.
"""

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Literal

from resonance.common.events.catalogue import HrEmployee

HrChange = Literal["joiner", "mover", "leaver"]
Outcome = Literal["joiner", "rehire", "mover", "leaver", "unchanged"]

# Attributes an HR fact carries. `None` means "not said", never "erase this value".
PROFILE_FIELDS = (
    "employee_number",
    "external_id",
    "user_name",
    "given_name",
    "family_name",
    "display_name",
    "email",
    "personal_email",
    "phone",
    "department",
    "division",
    "organization",
    "cost_center",
    "manager_ref",
    "brand",
    "entity",
    "job_family",
    "site",
    "country",
    "language",
    "worker_type",
    "age_band",
)

# Changes of these attributes may change which programmes' audiences a person matches.
TARGETING_FIELDS = frozenset(
    {
        "brand",
        "entity",
        "job_family",
        "site",
        "country",
        "language",
        "worker_type",
        "age_band",
        "department",
        "division",
        "organization",
    }
)


@dataclass(frozen=True)
class EmployeeFacts:
    employee_number: str | None = None
    external_id: str | None = None
    user_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    display_name: str | None = None
    email: str | None = None
    personal_email: str | None = None
    phone: str | None = None
    department: str | None = None
    division: str | None = None
    organization: str | None = None
    cost_center: str | None = None
    manager_ref: str | None = None
    brand: str | None = None
    entity: str | None = None
    job_family: str | None = None
    site: str | None = None
    country: str | None = None
    language: str | None = None
    worker_type: str | None = None
    age_band: str | None = None
    active: bool | None = None

    def values(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in PROFILE_FIELDS}


@dataclass(frozen=True)
class HrDecision:
    outcome: Outcome
    changes: dict[str, str | None] = field(default_factory=dict)
    active: bool = True
    ends_participation: bool = False
    leave_reason: Literal["leaver", "deactivated"] | None = None
    retarget: bool = False
    invite_as_joiner: bool = False


def decide(
    current: EmployeeFacts | None,
    incoming: EmployeeFacts,
    change: HrChange | None = None,
    *,
    clear_absent: frozenset[str] = frozenset(),
) -> HrDecision:
    """What to do with `incoming`, given what we know (`current`, None for a stranger).

    `change` is the HR system's own word when it says one (webhook, topic); SCIM only says
    `active`. Attributes in `clear_absent` are ones the door sent a full picture of (a SCIM
    resource after PUT or PATCH): there an absent value clears, elsewhere it means "unsaid".
    """
    was_active = current.active if current is not None else False
    if change == "leaver":
        active = False
    elif incoming.active is not None:
        active = incoming.active
    elif change == "joiner":
        active = True
    else:
        active = current.active if current is not None and current.active is not None else True

    before = current.values() if current is not None else {}
    changes: dict[str, str | None] = {}
    for name, value in incoming.values().items():
        if value is None and name not in clear_absent:
            continue
        if before.get(name) != value:
            changes[name] = value

    if current is None:
        if not active:
            return HrDecision("unchanged", changes, active=False)
        return HrDecision("joiner", changes, active=True, invite_as_joiner=True)
    if was_active and not active:
        reason: Literal["leaver", "deactivated"] = "leaver" if change == "leaver" else "deactivated"
        return HrDecision(
            "leaver", changes, active=False, ends_participation=True, leave_reason=reason
        )
    if not was_active and active:
        return HrDecision("rehire", changes, active=True, invite_as_joiner=True)
    retarget = active and bool(TARGETING_FIELDS.intersection(changes))
    if changes:
        return HrDecision("mover", changes, active=active, retarget=retarget)
    return HrDecision("unchanged", {}, active=active)


def facts_field_names() -> list[str]:
    return [f.name for f in fields(EmployeeFacts)]


def facts_from_hr_event(event: HrEmployee) -> EmployeeFacts:
    """The HR system's own vocabulary (webhook and topic) as facts."""
    language = event.language.replace("_", "-").split("-")[0].lower() if event.language else None
    return EmployeeFacts(
        employee_number=event.employee_number,
        external_id=event.external_id,
        given_name=event.given_name,
        family_name=event.family_name,
        display_name=" ".join(p for p in (event.given_name, event.family_name) if p) or None,
        email=event.email,
        user_name=event.email,
        personal_email=event.personal_email,
        phone=event.phone,
        department=event.department,
        division=event.division,
        organization=event.organization,
        cost_center=event.cost_center,
        manager_ref=event.manager_employee_number,
        brand=event.brand or event.division,
        entity=event.entity or event.organization,
        job_family=event.job_family or event.department,
        site=event.site,
        country=event.country,
        language=language,
        worker_type=event.worker_type,
        age_band=event.age_band,
        active=event.active,
    )


def as_utc(moment: datetime | None) -> datetime | None:
    """HR systems often send local dates without an offset; read those as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def fact_time(effective_at: datetime | None, stated_at: datetime) -> datetime:
    """When an HR fact holds, for ordering facts: its effective time, but never later than
    when it was stated (a leaver announced for next month is news now, and a mover stated
    meanwhile is newer)."""
    return min(effective_at, stated_at) if effective_at is not None else stated_at


def is_stale(held_at: datetime, last_applied: datetime | None) -> bool:
    """An HR fact older than the last one applied to the person (late or replayed) changes
    nothing: applying it would undo newer news (re-activate a leaver, restore old values)."""
    return last_applied is not None and held_at < last_applied
