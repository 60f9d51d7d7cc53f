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
    AttendanceIn,
    RegistrationOut,
    activity_out,
    new_activity,
    registration_out,
)
from resonance.ambassadors.service import activities

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
    "", response_model=list[ActivityOut], summary="Upcoming activities (or all with `include_past`)"
)
async def list_activities(
    principal: AnyMember, rt: Rt, include_past: bool = False
) -> list[ActivityOut]:
    async with rt.unit_of_work() as uow:
        views = await activities.list_activities(uow, principal, include_past)
    return [activity_out(v) for v in views]


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
    response_model=list[RegistrationOut],
    summary="Registrations and waiting list of an activity",
)
async def list_registrations(
    activity_id: str, principal: ManagerOrCommunicator, rt: Rt
) -> list[RegistrationOut]:
    async with rt.unit_of_work() as uow:
        views = await activities.list_registrations(uow, principal, activity_id)
    return [registration_out(v) for v in views]


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
