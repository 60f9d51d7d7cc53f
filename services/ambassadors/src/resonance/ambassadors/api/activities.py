"""Exclusive events and workshops: seats, registration, waiting list with promotion, attendance."""

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select

from resonance.ambassadors.api.programmes import load_programme
from resonance.ambassadors.domain.activities import place_for, promotions
from resonance.ambassadors.store.people import employee_for, get_employee
from resonance.ambassadors.store.tables import Activity, Enrolment, Registration
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.errors import Problem
from resonance.common.service import Runtime, runtime_of

router = APIRouter(prefix="/v1/activities", tags=["activities"])
organise = require_roles(Role.PROGRAM_MANAGER, Role.COMMUNICATOR)
anyone = require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER, Role.COMMUNICATOR)


class ActivityIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b7a52-1d2e-4f5a-9b8c-7d6e5f4a3b2c",
                    "title": "LinkedIn writing workshop",
                    "kind": "workshop",
                    "mode": "online",
                    "starts_at": "2026-06-04T09:30:00+02:00",
                    "ends_at": "2026-06-04T11:00:00+02:00",
                    "seats": 12,
                }
            ]
        },
    )

    programme_id: str | None = Field(default=None, description="Only its ambassadors may register")
    title: str = Field(min_length=1, max_length=200)
    kind: Literal["event", "workshop"]
    mode: Literal["in_person", "online"]
    location: str | None = Field(default=None, max_length=300)
    starts_at: datetime
    ends_at: datetime | None = None
    seats: int = Field(ge=1, le=100_000)

    @model_validator(mode="after")
    def _times(self) -> "ActivityIn":
        if self.starts_at.tzinfo is None:
            raise ValueError("starts_at needs a time zone offset")
        if self.ends_at is not None and (
            self.ends_at.tzinfo is None or self.ends_at < self.starts_at
        ):
            raise ValueError("ends_at must have an offset and not be before starts_at")
        return self


class ActivityOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "a1...",
                    "programme_id": None,
                    "title": "LinkedIn writing workshop",
                    "kind": "workshop",
                    "mode": "online",
                    "location": None,
                    "starts_at": "2026-06-04T07:30:00Z",
                    "ends_at": "2026-06-04T09:00:00Z",
                    "seats": 12,
                    "registered": 12,
                    "waitlisted": 3,
                }
            ]
        }
    )

    id: str
    programme_id: str | None
    title: str
    kind: str
    mode: str
    location: str | None
    starts_at: datetime
    ends_at: datetime | None
    seats: int
    registered: int
    waitlisted: int


class RegistrationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "r1...",
                    "activity_id": "a1...",
                    "ambassador_id": "5f1c...",
                    "status": "waitlisted",
                    "waitlist_position": 2,
                    "attended": None,
                    "registered_at": "2026-05-20T10:00:00Z",
                }
            ]
        }
    )

    id: str
    activity_id: str
    ambassador_id: str
    status: str
    waitlist_position: int | None = None
    attended: bool | None
    registered_at: datetime


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"attended": True}]})

    attended: bool


async def _counts(session: object, activity_id: str) -> dict[str, int]:
    rows = await session.execute(  # type: ignore[attr-defined]
        select(Registration.status, func.count())
        .where(Registration.activity_id == activity_id)
        .group_by(Registration.status)
    )
    return {status: count for status, count in rows.all()}


async def activity_out(session: object, row: Activity) -> ActivityOut:
    counts = await _counts(session, row.id)
    return ActivityOut(
        **row.model_dump(include=set(ActivityOut.model_fields)),
        registered=counts.get("registered", 0),
        waitlisted=counts.get("waitlisted", 0),
    )


async def _waitlist(session: object, activity_id: str) -> list[Registration]:
    rows = await session.execute(  # type: ignore[attr-defined]
        select(Registration)
        .where(Registration.activity_id == activity_id, Registration.status == "waitlisted")
        .order_by(Registration.updated_at, Registration.id)
    )
    return list(rows.scalars().all())


async def registration_out(session: object, row: Registration) -> RegistrationOut:
    position = None
    if row.status == "waitlisted":
        position = [r.id for r in await _waitlist(session, row.activity_id)].index(row.id) + 1
    return RegistrationOut(
        ambassador_id=row.employee_id,
        waitlist_position=position,
        **row.model_dump(include=set(RegistrationOut.model_fields) - {"waitlist_position"}),
    )


async def _activity(session: object, tenant: str, activity_id: str, lock: bool = False) -> Activity:
    row = await session.get(Activity, activity_id, with_for_update=lock)  # type: ignore[attr-defined]
    if row is None or row.tenant != tenant:
        raise Problem(404, "Not Found", "no such activity")
    return row  # type: ignore[no-any-return]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityOut,
    summary="Create an event or workshop",
)
async def create_activity(
    body: ActivityIn,
    principal: Principal = Depends(organise),
    runtime: Runtime = Depends(runtime_of),
) -> ActivityOut:
    async with runtime.db.transaction() as session:
        if body.programme_id:
            await load_programme(session, principal.tenant, body.programme_id)
        row = Activity(tenant=principal.tenant, **body.model_dump())
        session.add(row)
        await session.flush()
        return await activity_out(session, row)


@router.get(
    "", response_model=list[ActivityOut], summary="Upcoming activities (or all with `include_past`)"
)
async def list_activities(
    include_past: bool = False,
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> list[ActivityOut]:
    query = select(Activity).where(Activity.tenant == principal.tenant)
    if not include_past:
        query = query.where(Activity.starts_at >= datetime.now(UTC))
    async with runtime.db.session() as session:
        rows = (await session.execute(query.order_by(Activity.starts_at))).scalars().all()
        return [await activity_out(session, r) for r in rows]


@router.get(
    "/{activity_id}", response_model=ActivityOut, summary="One activity with its seat counts"
)
async def get_activity(
    activity_id: str,
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> ActivityOut:
    async with runtime.db.session() as session:
        return await activity_out(session, await _activity(session, principal.tenant, activity_id))


@router.put(
    "/{activity_id}/registrations/{ambassador_id}",
    response_model=RegistrationOut,
    summary="Register (`me`, or someone by a manager): a seat if one is free, else the waiting list",
)
async def register(
    activity_id: str,
    ambassador_id: str,
    principal: Principal = Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER)),
    runtime: Runtime = Depends(runtime_of),
) -> RegistrationOut:
    async with runtime.db.transaction() as session:
        # The activity row lock serialises registrations: no seat is given twice.
        activity = await _activity(session, principal.tenant, activity_id, lock=True)
        employee = await employee_for(session, principal, ambassador_id)
        if not employee.active:
            raise Problem(409, "Not an active employee", "only active employees can register")
        if activity.programme_id:
            enrolled = await session.execute(
                select(Enrolment.id).where(
                    Enrolment.tenant == principal.tenant,
                    Enrolment.programme_id == activity.programme_id,
                    Enrolment.employee_id == employee.id,
                    Enrolment.status == "active",
                )
            )
            if enrolled.first() is None:
                raise Problem(
                    403,
                    "Reserved for the programme",
                    "this activity is for the programme's ambassadors",
                )
        existing = (
            await session.execute(
                select(Registration).where(
                    Registration.activity_id == activity.id, Registration.employee_id == employee.id
                )
            )
        ).scalar_one_or_none()
        if existing is not None and existing.status != "cancelled":
            return await registration_out(session, existing)  # PUT is idempotent
        counts = await _counts(session, activity.id)
        place = place_for(activity.seats, counts.get("registered", 0))
        now = datetime.now(UTC)
        if existing is None:
            existing = Registration(
                tenant=principal.tenant,
                activity_id=activity.id,
                employee_id=employee.id,
                status=place,
            )
            session.add(existing)
        else:
            existing.status = place
            existing.registered_at = now
        existing.updated_at = now
        await session.flush()
        return await registration_out(session, existing)


@router.delete(
    "/{activity_id}/registrations/{ambassador_id}",
    response_model=RegistrationOut,
    summary="Cancel a registration; the first on the waiting list takes the seat",
)
async def cancel(
    activity_id: str,
    ambassador_id: str,
    principal: Principal = Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER)),
    runtime: Runtime = Depends(runtime_of),
) -> RegistrationOut:
    async with runtime.db.transaction() as session:
        activity = await _activity(session, principal.tenant, activity_id, lock=True)
        employee = await employee_for(session, principal, ambassador_id)
        row = (
            await session.execute(
                select(Registration).where(
                    Registration.activity_id == activity.id,
                    Registration.employee_id == employee.id,
                    Registration.status != "cancelled",
                )
            )
        ).scalar_one_or_none()
        if row is None:
            raise Problem(404, "Not Found", "not registered")
        row.status = "cancelled"
        row.updated_at = datetime.now(UTC)
        await session.flush()
        counts = await _counts(session, activity.id)
        waitlist = await _waitlist(session, activity.id)
        promoted = set(
            promotions(activity.seats, counts.get("registered", 0), [w.id for w in waitlist])
        )
        for waiting in waitlist:
            if waiting.id in promoted:
                waiting.status = "registered"
                waiting.updated_at = datetime.now(UTC)
        await session.flush()
        return await registration_out(session, row)


@router.get(
    "/{activity_id}/registrations",
    response_model=list[RegistrationOut],
    summary="Registrations and waiting list of an activity",
)
async def list_registrations(
    activity_id: str,
    principal: Principal = Depends(organise),
    runtime: Runtime = Depends(runtime_of),
) -> list[RegistrationOut]:
    async with runtime.db.session() as session:
        await _activity(session, principal.tenant, activity_id)
        rows = await session.execute(
            select(Registration)
            .where(Registration.activity_id == activity_id, Registration.status != "cancelled")
            .order_by(Registration.status, Registration.updated_at)
        )
        return [await registration_out(session, r) for r in rows.scalars().all()]


@router.put(
    "/{activity_id}/attendance/{ambassador_id}",
    response_model=RegistrationOut,
    summary="Record whether a registered person attended",
)
async def attendance(
    activity_id: str,
    ambassador_id: str,
    body: AttendanceIn,
    principal: Principal = Depends(organise),
    runtime: Runtime = Depends(runtime_of),
) -> RegistrationOut:
    async with runtime.db.transaction() as session:
        activity = await _activity(session, principal.tenant, activity_id)
        employee = await get_employee(session, principal.tenant, ambassador_id)
        row = None
        if employee is not None:
            row = (
                await session.execute(
                    select(Registration).where(
                        Registration.activity_id == activity.id,
                        Registration.employee_id == employee.id,
                        Registration.status == "registered",
                    )
                )
            ).scalar_one_or_none()
        if row is None:
            raise Problem(404, "Not Found", "no seat registered for this person")
        row.attended = body.attended
        row.updated_at = datetime.now(UTC)
        return await registration_out(session, row)
