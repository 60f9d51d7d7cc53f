"""Leaderboards per period and segment."""

from fastapi import APIRouter

from resonance.metrics.api.deps import AnyMember, Cursor, Limit, Period, Rt, SegmentFilter
from resonance.metrics.api.schemas_me import BoardEntryOut, BoardOut
from resonance.metrics.api.views import period_out
from resonance.metrics.service import boards

router = APIRouter(prefix="/v1/leaderboards", tags=["leaderboards"])


@router.get(
    "",
    response_model=BoardOut,
    summary="Points board: rolling 30 days, week, month, quarter, all time or custom",
    description=(
        "Visible people who scored, by points (desc), then who reached their score first, "
        "then id. Ties share a competition rank. People hidden by their privacy choice are "
        "left out without leaving a gap. Segment filters use the people's current attributes."
    ),
)
async def leaderboard(
    principal: AnyMember,
    rt: Rt,
    period: Period,
    segment: SegmentFilter,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> BoardOut:
    async with rt.unit_of_work() as uow:
        page = await boards.leaderboard(uow, principal, period, segment, limit, cursor)
    return BoardOut(
        period=period_out(page.period),
        entries=[
            BoardEntryOut(
                rank=e.rank, position=e.position, ambassador_id=e.ambassador_id, score=e.score
            )
            for e in page.entries
        ],
        next_cursor=page.next_cursor,
    )
