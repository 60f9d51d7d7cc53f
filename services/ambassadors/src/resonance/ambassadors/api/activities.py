"""Exclusive events and workshops: seats, registration, waiting list with promotion, attendance."""

from fastapi import APIRouter, status

from resonance.ambassadors.api.deps import (
    AmbassadorOrManager,
    AnyMember,
    ManagerOrCommunicator,
    Rt,
)
from resonance.ambassadors.api.schemas_activities import (
    ActivityIn,
    ActivityOut,
    ActivityPage,
    AttendanceIn,
    RegistrationOut,
    RegistrationPage,
    activity_out,
    new_activity,
    registration_out,
)
from resonance.ambassadors.service import activities
from resonance.common.api_paging import PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT

router = APIRouter(prefix="/v1/activities", tags=["activities"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityOut,
    summary="Create an event or workshop",
)
async def create_activity(
    body: ActivityIn, principal: ManagerOrCommunicator, rt: Rt
) -> ActivityOut:
    async with rt.unit_of_work() as uow:
        return activity_out(await activities.create_activity(uow, principal, new_activity(body)))


@router.get(
    "",
    response_model=ActivityPage,
    summary="Upcoming activities, soonest first (or all with `include_past`; paged by cursor)",
)
async def list_activities(
    principal: AnyMember,
    rt: Rt,
    include_past: bool = False,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> ActivityPage:
    async with rt.unit_of_work() as uow:
        page = await activities.list_activities(uow, principal, include_past, cursor, limit)
    return ActivityPage(items=[activity_out(v) for v in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/{activity_id}", response_model=ActivityOut, summary="One activity with its seat counts"
)
async def get_activity(activity_id: str, principal: AnyMember, rt: Rt) -> ActivityOut:
    async with rt.unit_of_work() as uow:
        return activity_out(await activities.get_activity(uow, principal, activity_id))


@router.put(
    "/{activity_id}/registrations/{ambassador_id}",
    response_model=RegistrationOut,
    summary="Register (`me`, or someone by a manager): a seat if one is free, else the waiting list",
)
async def register(
    activity_id: str, ambassador_id: str, principal: AmbassadorOrManager, rt: Rt
) -> RegistrationOut:
    async with rt.unit_of_work() as uow:
        view = await activities.register(uow, principal, activity_id, ambassador_id)
        return registration_out(view)


@router.delete(
    "/{activity_id}/registrations/{ambassador_id}",
    response_model=RegistrationOut,
    summary="Cancel a registration; the first on the waiting list takes the seat",
)
async def cancel(
    activity_id: str, ambassador_id: str, principal: AmbassadorOrManager, rt: Rt
) -> RegistrationOut:
    async with rt.unit_of_work() as uow:
        return registration_out(await activities.cancel(uow, principal, activity_id, ambassador_id))


@router.get(
    "/{activity_id}/registrations",
    response_model=RegistrationPage,
    summary="Registrations, then the waiting list in order, of an activity (paged by cursor)",
)
async def list_registrations(
    activity_id: str,
    principal: ManagerOrCommunicator,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> RegistrationPage:
    async with rt.unit_of_work() as uow:
        page = await activities.list_registrations(uow, principal, activity_id, cursor, limit)
    return RegistrationPage(
        items=[registration_out(v) for v in page.rows], next_cursor=page.next_cursor
    )


@router.put(
    "/{activity_id}/attendance/{ambassador_id}",
    response_model=RegistrationOut,
    summary="Record whether a registered person attended",
)
async def attendance(
    activity_id: str,
    ambassador_id: str,
    body: AttendanceIn,
    principal: ManagerOrCommunicator,
    rt: Rt,
) -> RegistrationOut:
    async with rt.unit_of_work() as uow:
        view = await activities.record_attendance(
            uow, principal, activity_id, ambassador_id, body.attended
        )
        return registration_out(view)
