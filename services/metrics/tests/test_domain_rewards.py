"""Rewards: eligibility, refusals and the redemption lifecycle with points and stock."""

from dataclasses import replace

import pytest

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
from resonance.metrics.domain.segments import Profile, Segment

A = RedemptionAction
S = RedemptionStatus
MUG = RewardItem("mug", cost=100, stock=2, segment=Segment(countries=frozenset({"FR"})))
CURATOR_FR = Profile(country="FR", stage="curator")
RICH = Redeemer(CURATOR_FR, Balance(earned=150))


def test_a_request_holds_the_points_and_reserves_one_unit() -> None:
    assert decide(None, A.REQUEST, MUG, RICH) == Decision(
        S.REQUESTED, held_delta=100, stock_delta=-1
    )
    unlimited = replace(MUG, stock=None)
    assert decide(None, A.REQUEST, unlimited, RICH) == Decision(S.REQUESTED, held_delta=100)


def test_refusals() -> None:
    # 150 earned, 100 already held by a first request: 50 available for a 100-point mug.
    holding = Redeemer(CURATOR_FR, Balance(earned=150, held=100))
    assert decide(None, A.REQUEST, MUG, holding) is Refusal.INSUFFICIENT_BALANCE
    assert decide(None, A.REQUEST, replace(MUG, stock=0), RICH) is Refusal.OUT_OF_STOCK
    german = Redeemer(Profile(country="DE", stage="creator"), Balance(earned=1_000))
    assert decide(None, A.REQUEST, MUG, german) is Refusal.NOT_ELIGIBLE
    for_creators = replace(MUG, min_stage="creator")
    assert decide(None, A.REQUEST, for_creators, RICH) is Refusal.NOT_ELIGIBLE
    assert decide(None, A.REQUEST, replace(MUG, active=False), RICH) is Refusal.UNAVAILABLE
    assert decide(S.REQUESTED, A.REQUEST, MUG, RICH) is Refusal.INVALID_TRANSITION


def test_exactly_the_balance_is_enough() -> None:
    exact = Redeemer(CURATOR_FR, Balance(earned=130, spent=30))
    assert isinstance(decide(None, A.REQUEST, MUG, exact), Decision)


def test_lifecycle_to_fulfilment_moves_held_points_to_spent() -> None:
    balance, stock = Balance(earned=150), 2
    status: RedemptionStatus | None = None
    for action in (A.REQUEST, A.APPROVE, A.FULFIL):
        decision = decide(status, action, MUG, Redeemer(CURATOR_FR, balance))
        assert isinstance(decision, Decision)
        status = decision.status
        balance = Balance(
            balance.earned,
            balance.spent + decision.spent_delta,
            balance.held + decision.held_delta,
        )
        stock += decision.stock_delta
    assert status is S.FULFILLED
    # 150 earned, 100 spent, nothing held; one mug left.
    assert (balance.spent, balance.held, balance.available, stock) == (100, 0, 50, 1)
    fulfilled = decide(S.APPROVED, A.FULFIL, MUG)
    assert isinstance(fulfilled, Decision) and fulfilled.grants_reward
    approved = decide(S.REQUESTED, A.APPROVE, MUG)
    assert approved == Decision(S.APPROVED) and not approved.grants_reward


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (S.REQUESTED, A.REJECT, S.REJECTED),
        (S.REQUESTED, A.CANCEL, S.CANCELLED),
        (S.APPROVED, A.CANCEL, S.CANCELLED),
    ],
)
def test_rejection_or_cancellation_returns_points_and_stock(
    current: RedemptionStatus, action: RedemptionAction, expected: RedemptionStatus
) -> None:
    assert decide(current, action, MUG) == Decision(expected, held_delta=-100, stock_delta=1)
    assert decide(current, action, replace(MUG, stock=None)) == Decision(expected, held_delta=-100)


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (None, A.APPROVE),
        (S.REQUESTED, A.FULFIL),
        (S.APPROVED, A.REJECT),
        (S.APPROVED, A.APPROVE),
        (S.FULFILLED, A.CANCEL),
        (S.REJECTED, A.APPROVE),
        (S.CANCELLED, A.CANCEL),
    ],
)
def test_invalid_transitions(current: RedemptionStatus | None, action: RedemptionAction) -> None:
    assert decide(current, action, MUG) is Refusal.INVALID_TRANSITION


def test_a_request_needs_a_redeemer_and_items_need_a_cost() -> None:
    with pytest.raises(ValueError):
        decide(None, A.REQUEST, MUG)
    with pytest.raises(ValueError):
        RewardItem("free", cost=0)
