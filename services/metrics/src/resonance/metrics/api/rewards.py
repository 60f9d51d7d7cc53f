"""The reward catalogue and redemptions: requested -> approved -> fulfilled, or rejected /
cancelled with points and stock returned."""

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query, status

from resonance.common.api_paging import INVALID_CURSOR, PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT
from resonance.metrics.api.deps import AnyMember, ProgrammeManager, Rt
from resonance.metrics.api.schemas_gamification import (
    RedemptionAction,
    RedemptionIn,
    RedemptionOut,
    RedemptionPage,
    RewardIn,
    RewardOut,
    RewardPage,
    SegmentIn,
)
from resonance.metrics.domain.rewards import RedemptionAction as Action
from resonance.metrics.service import rewards
from resonance.metrics.store.tables_gamification import RedemptionRow, RewardRow

router = APIRouter(tags=["rewards"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such reward or redemption"}}
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "Out of stock, not enough points, or not in that status"}
}


def _reward(row: RewardRow) -> RewardOut:
    return RewardOut(
        id=row.id,
        title=row.title,
        description=row.description,
        cost=row.cost,
        stock=row.stock,
        segment=SegmentIn(**(row.segment or {})),
        min_stage=row.min_stage,
        active=row.active,
    )


def _redemption(row: RedemptionRow) -> RedemptionOut:
    return RedemptionOut(
        id=row.id,
        reward_id=row.reward_id,
        ambassador_id=row.ambassador_id,
        status=row.status,
        cost=row.cost,
        requested_at=row.requested_at,
        updated_at=row.updated_at,
        note=row.note,
    )


def _draft(body: RewardIn) -> rewards.RewardDraft:
    return rewards.RewardDraft(
        title=body.title,
        description=body.description,
        cost=body.cost,
        stock=body.stock,
        segment=body.segment.domain(),
        min_stage=body.min_stage,
        active=body.active,
    )


@router.post("/v1/rewards", status_code=status.HTTP_201_CREATED, response_model=RewardOut)
async def create_reward(body: RewardIn, principal: ProgrammeManager, rt: Rt) -> RewardOut:
    async with rt.unit_of_work() as uow:
        row = await rewards.create(uow, principal.tenant, _draft(body))
    return _reward(row)


@router.put("/v1/rewards/{reward_id}", response_model=RewardOut, responses=NOT_FOUND)
async def update_reward(
    reward_id: uuid.UUID, body: RewardIn, principal: ProgrammeManager, rt: Rt
) -> RewardOut:
    async with rt.unit_of_work() as uow:
        row = await rewards.update(uow, principal.tenant, reward_id, _draft(body))
    return _reward(row)


@router.get(
    "/v1/rewards",
    response_model=RewardPage,
    summary="The reward catalogue, oldest first",
    responses=INVALID_CURSOR,
)
async def list_rewards(
    principal: AnyMember, rt: Rt, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
) -> RewardPage:
    async with rt.unit_of_work() as uow:
        page = await rewards.catalogue(uow, principal, limit, cursor)
    return RewardPage(items=[_reward(r) for r in page.rows], next_cursor=page.next_cursor)


@router.post(
    "/v1/redemptions",
    status_code=status.HTTP_201_CREATED,
    response_model=RedemptionOut,
    summary="Redeem a reward: holds its points and one unit of stock at once",
    responses={**NOT_FOUND, **REFUSED, 403: {"description": "Not eligible"}},
)
async def request_redemption(body: RedemptionIn, principal: AnyMember, rt: Rt) -> RedemptionOut:
    async with rt.unit_of_work() as uow:
        row = await rewards.request(uow, principal, body.reward_id)
    return _redemption(row)


@router.get(
    "/v1/redemptions",
    response_model=RedemptionPage,
    summary="Redemptions, newest first",
    responses=INVALID_CURSOR,
)
async def list_redemptions(
    principal: AnyMember,
    rt: Rt,
    mine: bool = Query(True, description="only mine (managers may list everyone's)"),
    status_: Literal["requested", "approved", "fulfilled", "rejected", "cancelled"] | None = Query(
        None, alias="status"
    ),
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> RedemptionPage:
    async with rt.unit_of_work() as uow:
        page = await rewards.redemptions(
            uow, principal, mine=mine, status=status_, limit=limit, cursor=cursor
        )
    return RedemptionPage(items=[_redemption(r) for r in page.rows], next_cursor=page.next_cursor)


@router.post(
    "/v1/redemptions/{redemption_id}/{action}",
    response_model=RedemptionOut,
    summary="approve, fulfil or reject (managers); cancel (the requester or a manager)",
    responses={**NOT_FOUND, **REFUSED},
)
async def act_on_redemption(
    redemption_id: uuid.UUID,
    action: Literal["approve", "fulfil", "reject", "cancel"],
    principal: AnyMember,
    rt: Rt,
    body: RedemptionAction | None = None,
) -> RedemptionOut:
    async with rt.unit_of_work() as uow:
        row = await rewards.act(
            uow, principal, redemption_id, Action(action), body.note if body else None
        )
    return _redemption(row)
