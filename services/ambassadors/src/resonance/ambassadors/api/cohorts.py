"""Cohorts with a start and an end, nominations by communicators, and yearly renewal."""

from fastapi import APIRouter, status

from resonance.ambassadors.api.deps import ManagerOrCommunicator, ProgrammeManager, Rt
from resonance.ambassadors.api.schemas_cohorts import (
    CohortIn,
    CohortOut,
    CohortPage,
    NominationIn,
    NominationOut,
    NominationPage,
    RenewIn,
    RenewOut,
    cohort_out,
    nomination_out,
    renew_out,
)
from resonance.ambassadors.service import cohorts
from resonance.common.api_paging import PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT

router = APIRouter(tags=["cohorts"])


@router.post(
    "/v1/programmes/{programme_id}/cohorts",
    status_code=status.HTTP_201_CREATED,
    response_model=CohortOut,
    summary="Create a cohort of a programme",
)
async def create_cohort(
    programme_id: str, body: CohortIn, principal: ProgrammeManager, rt: Rt
) -> CohortOut:
    async with rt.unit_of_work() as uow:
        row = await cohorts.create_cohort(
            uow,
            principal,
            programme_id,
            name=body.name,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            status=body.status,
        )
        return cohort_out(row)


@router.get(
    "/v1/programmes/{programme_id}/cohorts",
    response_model=CohortPage,
    summary="Cohorts of a programme by start date (paged by cursor)",
)
async def list_cohorts(
    programme_id: str,
    principal: ManagerOrCommunicator,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> CohortPage:
    async with rt.unit_of_work() as uow:
        page = await cohorts.list_cohorts(uow, principal, programme_id, cursor, limit)
    return CohortPage(items=[cohort_out(r) for r in page.rows], next_cursor=page.next_cursor)


@router.post(
    "/v1/cohorts/{cohort_id}/nominations",
    status_code=status.HTTP_201_CREATED,
    response_model=NominationOut,
    summary="Nominate someone for a cohort (invited at once if the cohort is open)",
)
async def nominate(
    cohort_id: str, body: NominationIn, principal: ManagerOrCommunicator, rt: Rt
) -> NominationOut:
    async with rt.unit_of_work() as uow:
        row = await cohorts.nominate(uow, principal, cohort_id, body.ambassador_id, body.note)
        return nomination_out(row)


@router.get(
    "/v1/cohorts/{cohort_id}/nominations",
    response_model=NominationPage,
    summary="Nominations of a cohort, oldest first (paged by cursor)",
)
async def list_nominations(
    cohort_id: str,
    principal: ManagerOrCommunicator,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> NominationPage:
    async with rt.unit_of_work() as uow:
        page = await cohorts.list_nominations(uow, principal, cohort_id, cursor, limit)
    return NominationPage(
        items=[nomination_out(r) for r in page.rows], next_cursor=page.next_cursor
    )


@router.post(
    "/v1/cohorts/{cohort_id}/renew",
    response_model=RenewOut,
    summary="Renew: close this cohort (its members leave) and open the next, inviting its nominees",
    description="Members of the closed cohort get `ambassador.left` (reason `cohort_closed`); "
    "nominees of the next cohort get `ambassador.invited` (reason `cohort_renewal`) and decide.",
)
async def renew(cohort_id: str, body: RenewIn, principal: ProgrammeManager, rt: Rt) -> RenewOut:
    async with rt.unit_of_work() as uow:
        return renew_out(await cohorts.renew(uow, principal, cohort_id, body.next_cohort_id))
