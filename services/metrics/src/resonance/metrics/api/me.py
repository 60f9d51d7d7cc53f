"""An ambassador's own points, rank, badges and choices."""

from fastapi import APIRouter

from resonance.common.api_paging import INVALID_CURSOR, PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT
from resonance.metrics.api.deps import Ambassador, Cursor, Limit, Period, Rt, SegmentFilter
from resonance.metrics.api.schemas_me import (
    BadgeOut,
    BadgePage,
    BalanceOut,
    ContactIn,
    ContactOut,
    LedgerEntryOut,
    PointsOut,
    PrivacyIn,
    PrivacyOut,
    RankOut,
)
from resonance.metrics.api.views import period_out
from resonance.metrics.service import boards
from resonance.metrics.service import me as me_service

router = APIRouter(prefix="/v1/me", tags=["me"])


@router.get("/points", response_model=PointsOut, summary="My balance and ledger, newest first")
async def my_points(
    principal: Ambassador, rt: Rt, limit: Limit = 20, cursor: Cursor = None
) -> PointsOut:
    async with rt.unit_of_work() as uow:
        view = await me_service.my_points(uow, principal, limit, cursor)
    b = view.balance
    return PointsOut(
        ambassador_id=view.ambassador_id,
        balance=BalanceOut(earned=b.earned, spent=b.spent, held=b.held, available=b.available),
        entries=[
            LedgerEntryOut(
                id=e.id or 0,
                amount=e.amount,
                reason=e.reason,
                source_id=e.source_id,
                occurred_at=e.occurred_at,
                rule_version=e.rule_version,
            )
            for e in view.entries
        ],
        next_cursor=view.next_cursor,
    )


@router.get("/rank", response_model=RankOut, summary="My rank on a board (even when hidden)")
async def my_rank(principal: Ambassador, rt: Rt, period: Period, segment: SegmentFilter) -> RankOut:
    async with rt.unit_of_work() as uow:
        window, rank = await boards.own_rank(uow, principal, period, segment)
    return RankOut(
        period=period_out(window),
        ambassador_id=rank.ambassador_id,
        score=rank.score,
        rank=rank.rank,
        out_of=rank.out_of,
        hidden=rank.hidden,
        listed=rank.listed,
    )


@router.get(
    "/badges",
    response_model=BadgePage,
    summary="My badges, oldest first",
    responses=INVALID_CURSOR,
)
async def my_badges(
    principal: Ambassador, rt: Rt, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
) -> BadgePage:
    async with rt.unit_of_work() as uow:
        page = await me_service.my_badges(uow, principal, limit, cursor)
    return BadgePage(
        items=[BadgeOut(code=b.code, title=b.title, awarded_at=b.awarded_at) for b in page.rows],
        next_cursor=page.next_cursor,
    )


@router.get("/privacy", response_model=PrivacyOut, summary="Whether I am hidden from boards")
async def read_privacy(principal: Ambassador, rt: Rt) -> PrivacyOut:
    async with rt.unit_of_work() as uow:
        prefs = await me_service.my_prefs(uow, principal)
    return PrivacyOut(hidden=prefs.hidden)


@router.put("/privacy", response_model=PrivacyOut, summary="Hide me from public boards")
async def set_privacy(body: PrivacyIn, principal: Ambassador, rt: Rt) -> PrivacyOut:
    async with rt.unit_of_work() as uow:
        prefs = await me_service.set_hidden(uow, principal, body.hidden)
    return PrivacyOut(hidden=prefs.hidden)


@router.get("/contact", response_model=ContactOut, summary="Where my suggestions go")
async def read_contact(principal: Ambassador, rt: Rt) -> ContactOut:
    async with rt.unit_of_work() as uow:
        prefs = await me_service.my_prefs(uow, principal)
    return ContactOut(email=prefs.email, suggestions=prefs.suggestions)


@router.put(
    "/contact",
    response_model=ContactOut,
    summary="Choose the address suggestions go to (a personal one is fine), or stop them",
)
async def set_contact(body: ContactIn, principal: Ambassador, rt: Rt) -> ContactOut:
    async with rt.unit_of_work() as uow:
        prefs = await me_service.set_contact(
            uow, principal, str(body.email) if body.email else None, body.suggestions
        )
    return ContactOut(email=prefs.email, suggestions=prefs.suggestions)
