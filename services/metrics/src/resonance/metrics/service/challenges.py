"""Challenges: managers define time-boxed goals for a segment; facts advance each person's
progress; completing one pays its award once (domain/challenges.py decides)."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resonance.common.auth import Principal
from resonance.common.domain_errors import Conflict, Invalid, NotFound
from resonance.common.events.catalogue import RewardGranted
from resonance.common.paging import BY_TIME_AND_ID, Paged, after, paged
from resonance.metrics.domain.challenges import (
    Challenge,
    ChallengeAward,
    ChallengeMetric,
    ChallengeProgress,
    completion,
    progress,
)
from resonance.metrics.domain.segments import Segment, in_segment
from resonance.metrics.service import Uow, badges, points
from resonance.metrics.service.callers import me
from resonance.metrics.service.people import attributes_of, profile_of
from resonance.metrics.store import challenges as store
from resonance.metrics.store import people as people_store
from resonance.metrics.store.tables_gamification import ChallengeRow

SEGMENT_FIELDS = ("programmes", "brands", "entities", "sites", "countries", "job_families")


def segment_from_json(raw: Mapping[str, Any]) -> Segment:
    return Segment(**{name: frozenset(raw.get(name) or ()) for name in SEGMENT_FIELDS})


def segment_to_json(segment: Segment) -> dict[str, list[str]]:
    return {name: sorted(getattr(segment, name)) for name in SEGMENT_FIELDS}


def as_domain(row: ChallengeRow) -> Challenge:
    return Challenge(
        challenge_id=str(row.id),
        metric=ChallengeMetric(row.metric),
        target=row.target,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        award=ChallengeAward(points=row.award_points, badge=row.award_badge),
        segment=segment_from_json(row.segment or {}),
    )


@dataclass(frozen=True)
class ChallengeDraft:
    title: str
    description: str | None
    metric: ChallengeMetric
    target: int
    starts_at: datetime
    ends_at: datetime
    award_points: int
    award_badge: str | None
    segment: Segment


async def create(uow: Uow, tenant: str, actor: str, draft: ChallengeDraft) -> ChallengeRow:
    row = ChallengeRow(
        tenant=tenant,
        title=draft.title,
        description=draft.description,
        metric=draft.metric.value,
        target=draft.target,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        award_points=draft.award_points,
        award_badge=draft.award_badge,
        segment=segment_to_json(draft.segment),
        created_by=actor,
        created_at=uow.now(),
    )
    try:
        as_domain(row)
    except ValueError as exc:
        raise Invalid(str(exc), slug="invalid-challenge") from exc
    uow.session.add(row)
    await uow.session.flush()
    return row


async def get(uow: Uow, tenant: str, challenge_id: uuid.UUID) -> ChallengeRow:
    row = await store.challenge(uow.session, tenant, challenge_id)
    if row is None:
        raise NotFound(f"no challenge {challenge_id}", slug="challenge-not-found")
    return row


async def list_all(uow: Uow, tenant: str, limit: int, cursor: str | None) -> Paged[ChallengeRow]:
    """The tenant's challenges, oldest first, a page at a time after `cursor`."""
    found = await store.challenges_of(
        uow.session, tenant, limit=limit + 1, after=after(cursor, *BY_TIME_AND_ID)
    )
    return paged(found, limit, lambda r: (r.created_at, r.id))


async def update(
    uow: Uow,
    tenant: str,
    challenge_id: uuid.UUID,
    title: str | None,
    description: str | None,
    ends_at: datetime | None,
) -> ChallengeRow:
    """Title and description can change; the window can be extended, never shortened, so
    nobody loses progress they made."""
    row = await store.challenge(uow.session, tenant, challenge_id, for_update=True)
    if row is None:
        raise NotFound(f"no challenge {challenge_id}", slug="challenge-not-found")
    if row.cancelled_at is not None:
        raise Conflict("this challenge was cancelled", slug="challenge-cancelled")
    if ends_at is not None:
        if ends_at < row.ends_at:
            raise Conflict("a challenge can be extended, not shortened", slug="challenge-shortened")
        row.ends_at = ends_at
    if title is not None:
        row.title = title
    if description is not None:
        row.description = description
    return row


async def cancel(uow: Uow, tenant: str, challenge_id: uuid.UUID) -> ChallengeRow:
    """Stops counting; awards already given stay."""
    row = await store.challenge(uow.session, tenant, challenge_id, for_update=True)
    if row is None:
        raise NotFound(f"no challenge {challenge_id}", slug="challenge-not-found")
    if row.cancelled_at is None:
        row.cancelled_at = uow.now()
    return row


@dataclass(frozen=True)
class MyProgress:
    challenge: ChallengeRow
    ambassador_id: str
    progress: ChallengeProgress
    completed_at: datetime | None


async def my_progress(uow: Uow, principal: Principal, challenge_id: uuid.UUID) -> MyProgress:
    row = await get(uow, principal.tenant, challenge_id)
    who = await me(uow, principal)
    found = await store.progress_of(uow.session, challenge_id, who)
    value = 0 if found is None else found.value
    completed_at = None if found is None else found.completed_at
    return MyProgress(row, who, progress(as_domain(row), value), completed_at)


async def advance(
    uow: Uow,
    tenant: str,
    ambassador_id: str,
    amounts: Mapping[ChallengeMetric, int],
    at: datetime,
    timezone: str,
) -> None:
    """Adds a fact's amounts to every running challenge it counts for, and pays completions."""
    wanted = {m: n for m, n in amounts.items() if n > 0}
    if not wanted or not ambassador_id:
        return
    running = await store.running_at(uow.session, tenant, at, [m.value for m in wanted])
    if not running:
        return
    person = await people_store.person(uow.session, tenant, ambassador_id)
    profile = profile_of(person)
    for row in running:
        challenge = as_domain(row)
        if not challenge.counts_at(at):
            continue
        if not in_segment(profile, challenge.segment):
            continue
        state = await store.add_progress(
            uow.session, tenant, row.id, ambassador_id, wanted[challenge.metric]
        )
        done = completion(
            challenge, ambassador_id, profile, state.value, at, state.completed_at is not None
        )
        if done is None or not await store.mark_completed(uow.session, row.id, ambassador_id, at):
            continue
        if done.points is not None and await points.credit(
            uow, tenant, done.points, timezone, attributes_of(person)
        ):
            await uow.emit(
                tenant,
                RewardGranted(
                    reward_id=f"challenge:{row.id}",
                    ambassador_id=ambassador_id,
                    kind="points",
                    points=done.points.amount,
                    reason=f"challenge completed: {row.title}",
                ),
            )
        if done.badge is not None:
            await badges.grant(uow, tenant, ambassador_id, done.badge, row.title, at)
