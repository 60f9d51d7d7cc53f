"""The editorial workflow as a pure state machine.

draft → in_review → approved → scheduled/published → expired/retired. A tenant may require
approval for a brand: then a communicator cannot publish a draft directly; a programme manager
may (their publishing is their approval, and the audit trail says so).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    EXPIRED = "expired"
    RETIRED = "retired"


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    RETIRE = "retire"
    EXPIRE = "expire"
    EDIT = "edit"


EDITABLE = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED})
LIVE = frozenset({Status.SCHEDULED, Status.PUBLISHED})

WRITER_ROLES = frozenset({"communicator", "program_manager", "admin"})
APPROVER_ROLES = frozenset({"program_manager", "admin"})


class TransitionRefused(Exception):
    """The action is not valid from the item's current state (HTTP 409)."""


class NotAllowed(Exception):
    """The caller's roles do not allow the action (HTTP 403)."""


@dataclass(frozen=True)
class Outcome:
    status: Status
    implicit_approval: bool = False


def approval_required(brand: str | None, required_all: bool, required_brands: list[str]) -> bool:
    return required_all or (brand is not None and brand in required_brands)


def decide(
    action: Action,
    current: Status,
    roles: frozenset[str],
    *,
    needs_approval: bool = False,
    publish_at: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """The status an action leads to, or an exception saying why it cannot happen."""
    is_writer = bool(roles & WRITER_ROLES)
    is_approver = bool(roles & APPROVER_ROLES)
    if action in (Action.APPROVE, Action.REJECT):
        if not is_approver:
            raise NotAllowed(f"only a programme manager may {action.value}")
    elif action != Action.EXPIRE and not is_writer:
        raise NotAllowed(f"only a communicator or programme manager may {action.value}")

    def refuse() -> TransitionRefused:
        return TransitionRefused(f"cannot {action.value} an item that is {current.value}")

    if action == Action.EDIT:
        if current not in EDITABLE:
            raise refuse()
        # An edit after approval must be approved again.
        return Outcome(Status.DRAFT if current == Status.APPROVED else current)
    if action == Action.SUBMIT:
        if current != Status.DRAFT:
            raise refuse()
        return Outcome(Status.IN_REVIEW)
    if action == Action.APPROVE:
        if current != Status.IN_REVIEW:
            raise refuse()
        return Outcome(Status.APPROVED)
    if action == Action.REJECT:
        if current != Status.IN_REVIEW:
            raise refuse()
        return Outcome(Status.DRAFT)
    if action == Action.PUBLISH:
        implicit = False
        if current in (Status.DRAFT, Status.IN_REVIEW):
            if needs_approval and not is_approver:
                raise TransitionRefused(
                    f"this brand requires approval: an item that is {current.value} "
                    "must be approved by a programme manager before publishing"
                )
            implicit = needs_approval
        elif current != Status.APPROVED:
            raise refuse()
        later = publish_at is not None and now is not None and publish_at > now
        return Outcome(Status.SCHEDULED if later else Status.PUBLISHED, implicit)
    if action == Action.RETIRE:
        if current not in (Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED):
            raise refuse()
        return Outcome(Status.RETIRED)
    if action == Action.EXPIRE:
        if current not in LIVE:
            raise refuse()
        return Outcome(Status.EXPIRED)
    raise refuse()  # pragma: no cover - every action is handled above
