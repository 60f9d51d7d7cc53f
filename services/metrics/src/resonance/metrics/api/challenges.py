"""Challenges: managers define them; everyone sees them and their own progress."""

import uuid
from typing import Any

from fastapi import APIRouter, status

from resonance.common.api_paging import INVALID_CURSOR, PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT
from resonance.metrics.api.deps import Ambassador, AnyMember, ProgrammeManager, Rt
from resonance.metrics.api.schemas_gamification import (
    ChallengeIn,
    ChallengeOut,
    ChallengePage,
    ChallengePatch,
    ProgressOut,
    SegmentIn,
)
from resonance.metrics.domain.challenges import ChallengeMetric
from resonance.metrics.service import challenges
from resonance.metrics.store.tables_gamification import ChallengeRow

router = APIRouter(prefix="/v1/challenges", tags=["challenges"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such challenge"}}


def _out(row: ChallengeRow) -> ChallengeOut:
    return ChallengeOut(
        id=row.id,
        title=row.title,
        description=row.description,
        metric=row.metric,
        target=row.target,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        award_points=row.award_points,
        award_badge=row.award_badge,
        segment=SegmentIn(**(row.segment or {})),
        cancelled_at=row.cancelled_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ChallengeOut)
async def create_challenge(body: ChallengeIn, principal: ProgrammeManager, rt: Rt) -> ChallengeOut:
    draft = challenges.ChallengeDraft(
        title=body.title,
        description=body.description,
        metric=ChallengeMetric(body.metric),
        target=body.target,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        award_points=body.award_points,
        award_badge=body.award_badge,
        segment=body.segment.domain(),
    )
    async with rt.unit_of_work() as uow:
        row = await challenges.create(uow, principal.tenant, principal.subject, draft)
    return _out(row)


@router.get(
    "",
    response_model=ChallengePage,
    summary="The tenant's challenges, oldest first",
    responses=INVALID_CURSOR,
)
async def list_challenges(
    principal: AnyMember, rt: Rt, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
) -> ChallengePage:
    async with rt.unit_of_work() as uow:
        page = await challenges.list_all(uow, principal.tenant, limit, cursor)
    return ChallengePage(items=[_out(r) for r in page.rows], next_cursor=page.next_cursor)


@router.get("/{challenge_id}", response_model=ChallengeOut, responses=NOT_FOUND)
async def read_challenge(challenge_id: uuid.UUID, principal: AnyMember, rt: Rt) -> ChallengeOut:
    async with rt.unit_of_work() as uow:
        row = await challenges.get(uow, principal.tenant, challenge_id)
    return _out(row)


@router.patch("/{challenge_id}", response_model=ChallengeOut, responses=NOT_FOUND)
async def update_challenge(
    challenge_id: uuid.UUID, body: ChallengePatch, principal: ProgrammeManager, rt: Rt
) -> ChallengeOut:
    async with rt.unit_of_work() as uow:
        row = await challenges.update(
            uow, principal.tenant, challenge_id, body.title, body.description, body.ends_at
        )
    return _out(row)


@router.delete(
    "/{challenge_id}",
    response_model=ChallengeOut,
    summary="Cancel: stops counting, awards already given stay",
    responses=NOT_FOUND,
)
async def cancel_challenge(
    challenge_id: uuid.UUID, principal: ProgrammeManager, rt: Rt
) -> ChallengeOut:
    async with rt.unit_of_work() as uow:
        row = await challenges.cancel(uow, principal.tenant, challenge_id)
    return _out(row)


@router.get(
    "/{challenge_id}/progress/me",
    response_model=ProgressOut,
    summary="My progress",
    responses=NOT_FOUND,
)
async def my_progress(challenge_id: uuid.UUID, principal: Ambassador, rt: Rt) -> ProgressOut:
    async with rt.unit_of_work() as uow:
        mine = await challenges.my_progress(uow, principal, challenge_id)
    progress = mine.progress
    return ProgressOut(
        challenge_id=mine.challenge.id,
        ambassador_id=mine.ambassador_id,
        value=progress.value,
        target=progress.target,
        fraction=progress.fraction,
        remaining=progress.remaining,
        completed=progress.completed,
        completed_at=mine.completed_at,
    )
