"""Exclusive events and workshops: seats, registration, a waiting list that moves up in order
of arrival when a seat frees, and attendance."""

from dataclasses import dataclass
from datetime import datetime

from resonance.ambassadors.domain.activities import place_for, promotions
from resonance.ambassadors.domain.errors import NotAnActiveEmployee, ReservedForProgramme
from resonance.ambassadors.service.people import Uow, person_for
from resonance.ambassadors.service.programmes import load_programme
from resonance.ambassadors.store import activities, participation, people
from resonance.ambassadors.store.tables import Activity, Registration
from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.common.paging import BY_TIME_AND_TEXT_ID, Paged, after, paged


@dataclass(frozen=True)
class NewActivity:
    programme_id: str | None
    title: str
    kind: str
    mode: str
    location: str | None
    starts_at: datetime
    ends_at: datetime | None
    seats: int


@dataclass(frozen=True)
class ActivityView:
    activity: Activity
    registered: int
    waitlisted: int


@dataclass(frozen=True)
class RegistrationView:
    registration: Registration
    waitlist_position: int | None


async def _activity(uow: Uow, tenant: str, activity_id: str, lock: bool = False) -> Activity:
    row = await activities.get_activity(uow.session, activity_id, lock=lock)
    if row is None or row.tenant != tenant:
        raise NotFound("no such activity")
    return row


async def _view(uow: Uow, row: Activity) -> ActivityView:
    counts = await activities.registration_counts(uow.session, row.id)
    return ActivityView(row, counts.get("registered", 0), counts.get("waitlisted", 0))


async def _registration_view(uow: Uow, row: Registration) -> RegistrationView:
    position = None
    if row.status == "waitlisted":
        waiting = await activities.waiting_list(uow.session, row.activity_id)
        position = [r.id for r in waiting].index(row.id) + 1
    return RegistrationView(row, position)


async def create_activity(uow: Uow, actor: Principal, new: NewActivity) -> ActivityView:
    if new.programme_id:
        await load_programme(uow, actor.tenant, new.programme_id)
    row = Activity(
        tenant=actor.tenant,
        programme_id=new.programme_id,
        title=new.title,
        kind=new.kind,
        mode=new.mode,
        location=new.location,
        starts_at=new.starts_at,
        ends_at=new.ends_at,
        seats=new.seats,
    )
    uow.session.add(row)
    await uow.session.flush()
    return await _view(uow, row)


async def list_activities(
    uow: Uow, actor: Principal, include_past: bool, cursor: str | None, limit: int
) -> Paged[ActivityView]:
    """Soonest first (upcoming only unless `include_past`), a page after `cursor`."""
    since = None if include_past else uow.now()
    found = await activities.activities_of(
        uow.session, actor.tenant, since, after(cursor, *BY_TIME_AND_TEXT_ID), limit + 1
    )
    page = paged(found, limit, lambda a: (a.starts_at, a.id))
    return Paged([await _view(uow, row) for row in page.rows], page.next_cursor)


async def get_activity(uow: Uow, actor: Principal, activity_id: str) -> ActivityView:
    return await _view(uow, await _activity(uow, actor.tenant, activity_id))


async def register(
    uow: Uow, actor: Principal, activity_id: str, ambassador_id: str
) -> RegistrationView:
    """A seat if one is free, else the waiting list. Registering again changes nothing."""
    # The activity row lock serialises registrations: no seat is given twice.
    activity = await _activity(uow, actor.tenant, activity_id, lock=True)
    employee = await person_for(uow, actor, ambassador_id)
    if not employee.active:
        raise NotAnActiveEmployee("only active employees can register")
    if activity.programme_id and not await participation.is_enrolled(
        uow.session, actor.tenant, activity.programme_id, employee.id
    ):
        raise ReservedForProgramme("this activity is for the programme's ambassadors")
    existing = await activities.registration_of(uow.session, activity.id, employee.id)
    if existing is not None and existing.status != "cancelled":
        return await _registration_view(uow, existing)
    counts = await activities.registration_counts(uow.session, activity.id)
    place = place_for(activity.seats, counts.get("registered", 0))
    now = uow.now()
    if existing is None:
        existing = Registration(
            tenant=actor.tenant, activity_id=activity.id, employee_id=employee.id, status=place
        )
        uow.session.add(existing)
    else:
        existing.status = place
        existing.registered_at = now
    existing.updated_at = now
    await uow.session.flush()
    return await _registration_view(uow, existing)


async def cancel(
    uow: Uow, actor: Principal, activity_id: str, ambassador_id: str
) -> RegistrationView:
    """Cancels a registration; the first on the waiting list takes the freed seat."""
    activity = await _activity(uow, actor.tenant, activity_id, lock=True)
    employee = await person_for(uow, actor, ambassador_id)
    row = await activities.registration_of(uow.session, activity.id, employee.id)
    if row is None or row.status == "cancelled":
        raise NotFound("not registered")
    row.status = "cancelled"
    row.updated_at = uow.now()
    await uow.session.flush()
    counts = await activities.registration_counts(uow.session, activity.id)
    waiting = await activities.waiting_list(uow.session, activity.id)
    promoted = set(promotions(activity.seats, counts.get("registered", 0), [w.id for w in waiting]))
    for registration in waiting:
        if registration.id in promoted:
            registration.status = "registered"
            registration.updated_at = uow.now()
    await uow.session.flush()
    return await _registration_view(uow, row)


async def list_registrations(
    uow: Uow, actor: Principal, activity_id: str, cursor: str | None, limit: int
) -> Paged[RegistrationView]:
    """Seats, then the waiting list in order, a page after `cursor`."""
    await _activity(uow, actor.tenant, activity_id)
    found = await activities.registrations_of(
        uow.session, activity_id, after(cursor, str, datetime, str), limit + 1
    )
    page = paged(found, limit, lambda r: (r.status, r.updated_at, r.id))
    waiting: list[str] = []
    if any(r.status == "waitlisted" for r in page.rows):
        # Positions count from the head of the whole waiting list, not of this page.
        waiting = [r.id for r in await activities.waiting_list(uow.session, activity_id)]
    views = [
        RegistrationView(r, waiting.index(r.id) + 1 if r.status == "waitlisted" else None)
        for r in page.rows
    ]
    return Paged(views, page.next_cursor)


async def record_attendance(
    uow: Uow, actor: Principal, activity_id: str, employee_id: str, attended: bool
) -> RegistrationView:
    """Whether someone with a seat came (someone on the waiting list had no seat)."""
    activity = await _activity(uow, actor.tenant, activity_id)
    employee = await people.get_employee(uow.session, actor.tenant, employee_id)
    row = None
    if employee is not None:
        row = await activities.registration_of(uow.session, activity.id, employee.id)
    if row is None or row.status != "registered":
        raise NotFound("no seat registered for this person")
    row.attended = attended
    row.updated_at = uow.now()
    return await _registration_view(uow, row)
