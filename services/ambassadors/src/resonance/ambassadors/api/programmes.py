"""Programmes: the customer's own name, a kind, an audience, an optional capacity."""

from fastapi import APIRouter, status

from resonance.ambassadors.api.deps import AnyMember, ProgrammeManager, Rt
from resonance.ambassadors.api.schemas_programmes import (
    AudienceInvited,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePage,
    ProgrammePatch,
    new_programme,
    programme_changes,
    programme_out,
)
from resonance.ambassadors.service import programmes
from resonance.common.api_paging import PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProgrammeOut,
    summary="Create a programme (its name is the customer's choice)",
)
async def create_programme(body: ProgrammeIn, principal: ProgrammeManager, rt: Rt) -> ProgrammeOut:
    async with rt.unit_of_work() as uow:
        row = await programmes.create_programme(uow, principal, new_programme(body))
    return programme_out(row)


@router.get(
    "",
    response_model=ProgrammePage,
    summary="List the tenant's programmes, oldest first (paged by cursor)",
)
async def list_programmes(
    principal: AnyMember,
    rt: Rt,
    include_archived: bool = False,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> ProgrammePage:
    async with rt.unit_of_work() as uow:
        page = await programmes.list_programmes(uow, principal, include_archived, cursor, limit)
    return ProgrammePage(items=[programme_out(r) for r in page.rows], next_cursor=page.next_cursor)


@router.get("/{programme_id}", response_model=ProgrammeOut, summary="One programme")
async def get_programme(programme_id: str, principal: AnyMember, rt: Rt) -> ProgrammeOut:
    async with rt.unit_of_work() as uow:
        return programme_out(await programmes.get_programme(uow, principal, programme_id))


@router.patch("/{programme_id}", response_model=ProgrammeOut, summary="Change a programme")
async def patch_programme(
    programme_id: str, body: ProgrammePatch, principal: ProgrammeManager, rt: Rt
) -> ProgrammeOut:
    async with rt.unit_of_work() as uow:
        row = await programmes.change_programme(
            uow, principal, programme_id, programme_changes(body)
        )
        return programme_out(row)


@router.post(
    "/{programme_id}/invite-audience",
    response_model=AudienceInvited,
    summary="Invite everyone in the audience who was never asked (after the onboarding delay)",
    description="Nobody is enrolled: each person receives `ambassador.invited` and decides. "
    "People who declined or left are not asked again.",
)
async def invite_audience(
    programme_id: str, principal: ProgrammeManager, rt: Rt
) -> AudienceInvited:
    async with rt.unit_of_work() as uow:
        made = await programmes.invite_audience(uow, principal, programme_id)
    return AudienceInvited(
        programme_id=programme_id, scheduled=made.scheduled, not_before=made.not_before
    )
