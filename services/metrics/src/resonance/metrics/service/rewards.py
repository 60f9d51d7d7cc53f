"""The reward catalogue and redemptions (domain/rewards.py's `decide`).

Concurrency: a request locks the person's balance row, then the reward row (always in that
order, so two requests cannot deadlock), decides on what it reads under those locks and
writes the deltas before the locks go. Twenty requests racing for the last five items are
served one after another: five get one, fifteen hear "out of stock"; a person with points for
one item who asks twice at once gets one.
"""

import uuid
from dataclasses import dataclass

from resonance.common.auth import Principal, Role
from resonance.common.domain_errors import Conflict, Forbidden, Invalid, NotFound
from resonance.common.events.catalogue import RewardGranted
from resonance.common.paging import BY_TIME_AND_ID, Paged, after, paged
from resonance.metrics.domain.points import Balance
from resonance.metrics.domain.rewards import (
    Decision,
    Redeemer,
    RedemptionAction,
    RedemptionStatus,
    Refusal,
    RewardItem,
    decide,
)
from resonance.metrics.domain.segments import Segment
from resonance.metrics.service import Uow
from resonance.metrics.service.callers import me
from resonance.metrics.service.challenges import segment_from_json, segment_to_json
from resonance.metrics.service.people import profile_of
from resonance.metrics.store import ledger
from resonance.metrics.store import people as people_store
from resonance.metrics.store import rewards as store
from resonance.metrics.store.tables_gamification import RedemptionRow, RewardRow

_REFUSALS: dict[Refusal, type[Conflict] | type[Forbidden]] = {
    Refusal.INSUFFICIENT_BALANCE: Conflict,
    Refusal.OUT_OF_STOCK: Conflict,
    Refusal.UNAVAILABLE: Conflict,
    Refusal.INVALID_TRANSITION: Conflict,
    Refusal.NOT_ELIGIBLE: Forbidden,
}


def _refuse(refusal: Refusal) -> Conflict | Forbidden:
    slug = refusal.value.replace("_", "-")
    return _REFUSALS[refusal](f"refused: {refusal.value.replace('_', ' ')}", slug=slug)


def as_item(row: RewardRow) -> RewardItem:
    return RewardItem(
        reward_id=str(row.id),
        cost=row.cost,
        stock=row.stock,
        segment=segment_from_json(row.segment or {}),
        min_stage=row.min_stage,
        active=row.active,
    )


@dataclass(frozen=True)
class RewardDraft:
    title: str
    description: str | None
    cost: int
    stock: int | None
    segment: Segment
    min_stage: str | None
    active: bool = True


async def create(uow: Uow, tenant: str, draft: RewardDraft) -> RewardRow:
    row = RewardRow(
        tenant=tenant,
        title=draft.title,
        description=draft.description,
        cost=draft.cost,
        stock=draft.stock,
        segment=segment_to_json(draft.segment),
        min_stage=draft.min_stage,
        active=draft.active,
        created_at=uow.now(),
    )
    try:
        as_item(row)
    except ValueError as exc:
        raise Invalid(str(exc), slug="invalid-reward") from exc
    uow.session.add(row)
    await uow.session.flush()
    return row


async def update(uow: Uow, tenant: str, reward_id: uuid.UUID, draft: RewardDraft) -> RewardRow:
    """Redemptions already made keep the cost they were made at."""
    row = await _reward(uow, tenant, reward_id, for_update=True)
    row.title, row.description, row.cost = draft.title, draft.description, draft.cost
    row.stock, row.min_stage, row.active = draft.stock, draft.min_stage, draft.active
    row.segment = segment_to_json(draft.segment)
    try:
        as_item(row)
    except ValueError as exc:
        raise Invalid(str(exc), slug="invalid-reward") from exc
    return row


async def _reward(
    uow: Uow, tenant: str, reward_id: uuid.UUID, *, for_update: bool = False
) -> RewardRow:
    row = await store.reward(uow.session, tenant, reward_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no reward {reward_id}", slug="reward-not-found")
    return row


async def catalogue(
    uow: Uow, principal: Principal, limit: int, cursor: str | None
) -> Paged[RewardRow]:
    """Managers see everything; others the active entries. Oldest first, after `cursor`."""
    manager = principal.has_any(Role.PROGRAM_MANAGER, Role.ADMIN)
    found = await store.rewards_of(
        uow.session,
        principal.tenant,
        active_only=not manager,
        limit=limit + 1,
        after=after(cursor, *BY_TIME_AND_ID),
    )
    return paged(found, limit, lambda r: (r.created_at, r.id))


async def request(uow: Uow, principal: Principal, reward_id: uuid.UUID) -> RedemptionRow:
    who = await me(uow, principal)
    balance = await ledger.lock_balance(uow.session, principal.tenant, who)
    item = await _reward(uow, principal.tenant, reward_id, for_update=True)
    person = await people_store.person(uow.session, principal.tenant, who)
    redeemer = Redeemer(profile_of(person), Balance(balance.earned, balance.spent, balance.held))
    decision = decide(None, RedemptionAction.REQUEST, as_item(item), redeemer)
    if isinstance(decision, Refusal):
        raise _refuse(decision)
    balance.held += decision.held_delta
    if item.stock is not None:
        item.stock += decision.stock_delta
    row = RedemptionRow(
        tenant=principal.tenant,
        reward_id=item.id,
        ambassador_id=who,
        status=decision.status.value,
        cost=item.cost,
        stock_counted=item.stock is not None,
        requested_at=uow.now(),
        updated_at=uow.now(),
    )
    uow.session.add(row)
    await uow.session.flush()
    return row


async def act(
    uow: Uow,
    principal: Principal,
    redemption_id: uuid.UUID,
    action: RedemptionAction,
    note: str | None = None,
) -> RedemptionRow:
    """approve / fulfil / reject (managers), cancel (the person, or a manager)."""
    row = await store.redemption(uow.session, principal.tenant, redemption_id, for_update=True)
    manager = principal.has_any(Role.PROGRAM_MANAGER, Role.ADMIN)
    if row is None or (not manager and row.ambassador_id != await me(uow, principal)):
        raise NotFound(f"no redemption {redemption_id}", slug="redemption-not-found")
    if not manager and action is not RedemptionAction.CANCEL:
        raise Forbidden("only a programme manager may do this", slug="manager-only")
    balance = await ledger.lock_balance(uow.session, principal.tenant, row.ambassador_id)
    reward = await store.reward(uow.session, principal.tenant, row.reward_id, for_update=True)
    # What moves back is what was reserved at request time, whatever the catalogue says now.
    recorded = RewardItem(str(row.reward_id), row.cost, 0 if row.stock_counted else None)
    decision = decide(RedemptionStatus(row.status), action, recorded)
    if isinstance(decision, Refusal):
        raise _refuse(decision)
    _apply(decision, balance, reward, row)
    row.updated_at, row.decided_by = uow.now(), principal.subject
    if note is not None:
        row.note = note
    if decision.grants_reward:
        await uow.emit(
            principal.tenant,
            RewardGranted(
                reward_id=str(row.reward_id),
                ambassador_id=row.ambassador_id,
                kind="reward",
                points=row.cost,
                reason=reward.title if reward is not None else "reward",
            ),
        )
    return row


def _apply(
    decision: Decision, balance: object, reward: RewardRow | None, row: RedemptionRow
) -> None:
    balance.held += decision.held_delta  # type: ignore[attr-defined]
    balance.spent += decision.spent_delta  # type: ignore[attr-defined]
    if reward is not None and reward.stock is not None and row.stock_counted:
        reward.stock += decision.stock_delta
    row.status = decision.status.value


async def redemptions(
    uow: Uow,
    principal: Principal,
    *,
    mine: bool,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Paged[RedemptionRow]:
    """Newest first, a page at a time after `cursor`."""
    key = after(cursor, *BY_TIME_AND_ID)
    if not mine and not principal.has_any(Role.PROGRAM_MANAGER, Role.ADMIN):
        raise Forbidden("only a programme manager may list everyone's", slug="manager-only")
    who = await me(uow, principal) if mine else None
    found = await store.redemptions_of(
        uow.session, principal.tenant, ambassador_id=who, status=status, limit=limit + 1, after=key
    )
    return paged(found, limit, lambda r: (r.requested_at, r.id))
