"""Rewards: eligibility and the redemption lifecycle, as one pure `decide` (pure).

    requested ──approve──▶ approved ──fulfil──▶ fulfilled
        │ reject / cancel      │ cancel
        ▼                      ▼
    rejected / cancelled (points and stock returned)

A request *holds* the points and *reserves* one unit of stock at once, so that neither can be
promised twice; fulfilment turns the held points into spent ones; rejection or cancellation
gives both back. `decide` works on a snapshot: the store must apply the returned deltas with
conditional updates (`stock >= 1`, `available >= cost`) in one transaction, which is what
keeps concurrent redemptions from overselling stock or overspending points.

`reward.granted` (kind "reward") is emitted on fulfilment, when the reward is in the person's
hands.
"""

from dataclasses import dataclass
from enum import StrEnum

from resonance.metrics.domain.points import Balance
from resonance.metrics.domain.segments import (
    EVERYONE,
    Profile,
    Segment,
    Stage,
    in_segment,
    stage_at_least,
)


class RedemptionStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class RedemptionAction(StrEnum):
    REQUEST = "request"  # by the ambassador
    APPROVE = "approve"  # by a programme manager
    FULFIL = "fulfil"  # by a programme manager, once delivered
    REJECT = "reject"  # by a programme manager, before approval
    CANCEL = "cancel"  # by the ambassador or a manager, before fulfilment


class Refusal(StrEnum):
    INSUFFICIENT_BALANCE = "insufficient_balance"
    OUT_OF_STOCK = "out_of_stock"
    NOT_ELIGIBLE = "not_eligible"
    UNAVAILABLE = "unavailable"  # withdrawn from the catalogue
    INVALID_TRANSITION = "invalid_transition"


FINAL = frozenset(
    {RedemptionStatus.FULFILLED, RedemptionStatus.REJECTED, RedemptionStatus.CANCELLED}
)

_TRANSITIONS: dict[tuple[RedemptionStatus, RedemptionAction], RedemptionStatus] = {
    (RedemptionStatus.REQUESTED, RedemptionAction.APPROVE): RedemptionStatus.APPROVED,
    (RedemptionStatus.REQUESTED, RedemptionAction.REJECT): RedemptionStatus.REJECTED,
    (RedemptionStatus.REQUESTED, RedemptionAction.CANCEL): RedemptionStatus.CANCELLED,
    (RedemptionStatus.APPROVED, RedemptionAction.FULFIL): RedemptionStatus.FULFILLED,
    (RedemptionStatus.APPROVED, RedemptionAction.CANCEL): RedemptionStatus.CANCELLED,
}


@dataclass(frozen=True)
class RewardItem:
    """A catalogue entry. `stock` is what is left to promise; None means unlimited."""

    reward_id: str
    cost: int
    stock: int | None = None
    segment: Segment = EVERYONE
    min_stage: Stage | None = None
    active: bool = True

    def __post_init__(self) -> None:
        if self.cost <= 0:
            raise ValueError("a reward costs a positive number of points")
        if self.stock is not None and self.stock < 0:
            raise ValueError("stock cannot be negative")


@dataclass(frozen=True)
class Redeemer:
    profile: Profile
    balance: Balance


@dataclass(frozen=True)
class Decision:
    """The new status and what moves: add the deltas to the balance and to the item's stock."""

    status: RedemptionStatus
    held_delta: int = 0
    spent_delta: int = 0
    stock_delta: int = 0
    grants_reward: bool = False


def eligible(item: RewardItem, profile: Profile) -> bool:
    return in_segment(profile, item.segment) and stage_at_least(profile.stage, item.min_stage)


def decide(
    current: RedemptionStatus | None,
    action: RedemptionAction,
    item: RewardItem,
    redeemer: Redeemer | None = None,
) -> Decision | Refusal:
    """What `action` does to a redemption of `item` now at `current` (None: not yet made).

    A REQUEST needs the `redeemer`; its checks run in this order: unavailable, not eligible,
    out of stock, insufficient balance. The other actions move points and stock already
    reserved, so pass `item` as recorded on the redemption (its cost, and whether its stock was
    counted): a later price or stock change must not alter what is given back.
    """
    if action is RedemptionAction.REQUEST:
        if current is not None:
            return Refusal.INVALID_TRANSITION
        if redeemer is None:
            raise ValueError("a request needs the redeemer")
        if not item.active:
            return Refusal.UNAVAILABLE
        if not eligible(item, redeemer.profile):
            return Refusal.NOT_ELIGIBLE
        if item.stock is not None and item.stock < 1:
            return Refusal.OUT_OF_STOCK
        if redeemer.balance.available < item.cost:
            return Refusal.INSUFFICIENT_BALANCE
        stock_delta = 0 if item.stock is None else -1
        return Decision(RedemptionStatus.REQUESTED, held_delta=item.cost, stock_delta=stock_delta)
    if current is None:
        return Refusal.INVALID_TRANSITION
    target = _TRANSITIONS.get((current, action))
    if target is None:
        return Refusal.INVALID_TRANSITION
    if target is RedemptionStatus.FULFILLED:
        return Decision(target, held_delta=-item.cost, spent_delta=item.cost, grants_reward=True)
    if target in (RedemptionStatus.REJECTED, RedemptionStatus.CANCELLED):
        stock_delta = 0 if item.stock is None else 1
        return Decision(target, held_delta=-item.cost, stock_delta=stock_delta)
    return Decision(target)
