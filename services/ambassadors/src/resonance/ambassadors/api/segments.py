"""Segments per programme: eligible, invited, enrolled, active — the participation funnel."""

from fastapi import APIRouter, Query

from resonance.ambassadors.api.deps import ManagerOrCommunicator, Rt
from resonance.ambassadors.api.schemas_segments import (
    MemberPage,
    PreviewIn,
    PreviewOut,
    SegmentCounts,
    counts_out,
    member_out,
)
from resonance.ambassadors.service import segments
from resonance.ambassadors.service.segments import State
from resonance.common.api_paging import PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT

router = APIRouter(tags=["segments"])


@router.get(
    "/v1/programmes/{programme_id}/segments",
    response_model=SegmentCounts,
    summary="Eligible / invited / enrolled / active counts and participation rate",
    description="`participation_rate` = enrolled / eligible; `active_rate` = active / enrolled, active "
    "meaning a share within the window. Only current employees are counted.",
)
async def segment_counts(
    programme_id: str,
    principal: ManagerOrCommunicator,
    rt: Rt,
    active_window_days: int | None = Query(default=None, ge=1, le=365),
) -> SegmentCounts:
    async with rt.unit_of_work() as uow:
        funnel = await segments.funnel(uow, principal, programme_id, active_window_days)
    return counts_out(programme_id, funnel)


@router.get(
    "/v1/programmes/{programme_id}/segments/{state}",
    response_model=MemberPage,
    summary="The people in one segment (paged by cursor)",
)
async def segment_members(
    programme_id: str,
    state: State,
    principal: ManagerOrCommunicator,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
    active_window_days: int | None = Query(default=None, ge=1, le=365),
) -> MemberPage:
    async with rt.unit_of_work() as uow:
        found = await segments.members(
            uow, principal, programme_id, state, active_window_days, cursor=cursor, limit=limit
        )
    return MemberPage(
        programme_id=programme_id,
        state=state,
        total=found.total,
        items=[member_out(p) for p in found.sample],
        disclosure=found.disclosure,
        next_cursor=found.next_cursor,
    )


@router.post(
    "/v1/segments/preview",
    response_model=PreviewOut,
    summary="How many current employees an audience would reach (before creating a programme)",
)
async def preview(body: PreviewIn, principal: ManagerOrCommunicator, rt: Rt) -> PreviewOut:
    async with rt.unit_of_work() as uow:
        found = await segments.preview(uow, principal, body.audience)
    return PreviewOut(
        eligible=found.total,
        sample=[member_out(p) for p in found.sample],
        disclosure=found.disclosure,
    )
