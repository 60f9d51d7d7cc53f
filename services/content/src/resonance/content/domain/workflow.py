"""The editorial workflow as a pure state machine: every status change of an item, whoever
asks for it (a person, the scheduler, an auto-approved source), is decided here.

draft → in_review → approved → scheduled/published → expired/retired. A tenant may require
approval for a brand: then a communicator cannot publish a draft directly; a programme manager
may (their publishing is their approval, and the audit trail says so).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from resonance.common.domain_errors import Conflict, Forbidden
from resonance.content.domain.errors import WindowOver


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
    EDIT = "edit"
    # Taken by the scheduler only: a scheduled item's time has come, or its window has ended.
    RELEASE = "release"
    EXPIRE = "expire"


EDITABLE = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED})
LIVE = frozenset({Status.SCHEDULED, Status.PUBLISHED})
SYSTEM_ACTIONS = frozenset({Action.RELEASE, Action.EXPIRE})

WRITER_ROLES = frozenset({"communicator", "program_manager", "admin"})
APPROVER_ROLES = frozenset({"program_manager", "admin"})


class TransitionRefused(Conflict):
    """The action is not valid from the item's current state."""

    title = "Invalid transition"
    default_slug = "invalid-transition"


class NotAllowed(Forbidden):
    """The caller's roles do not allow the action."""


@dataclass(frozen=True)
class Actor:
    """Who changes an item: the name the audit trail records and the roles `decide` weighs."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)


SCHEDULER = Actor("system:scheduler")


def auto_approved_source(source_id: uuid.UUID) -> Actor:
    """An auto-approved source publishes with the authority of the programme manager who
    turned auto-approval on (nobody else may: see domain/sources.py)."""
    return Actor(f"source:{source_id}", APPROVER_ROLES)


@dataclass(frozen=True)
class Outcome:
    status: Status
    implicit_approval: bool = False


def approval_required(brand: str | None, required_all: bool, required_brands: list[str]) -> bool:
    """Brands compare trimmed and whatever their case ("ACME " is acme)."""
    if required_all:
        return True
    return brand is not None and brand.strip().lower() in {
        b.strip().lower() for b in required_brands
    }


def decide(
    action: Action,
    current: Status,
    roles: frozenset[str],
    *,
    needs_approval: bool = False,
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """The status an action leads to, or a domain error saying why it cannot happen.

    `expires_at` is the end of the item's window when publishing must respect it: an item
    whose window is over has nothing left to publish."""
    is_writer = bool(roles & WRITER_ROLES)
    is_approver = bool(roles & APPROVER_ROLES)
    if action in (Action.APPROVE, Action.REJECT):
        if not is_approver:
            raise NotAllowed(f"only a programme manager may {action.value}")
    elif action not in SYSTEM_ACTIONS and not is_writer:
        raise NotAllowed(f"only a communicator or programme manager may {action.value}")

    def refuse(message: str | None = None) -> TransitionRefused:
        return TransitionRefused(
            message or f"cannot {action.value} an item that is {current.value}",
            status_now=current.value,
            action=action.value,
        )

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
                raise refuse(
                    f"this brand requires approval: an item that is {current.value} "
                    "must be approved by a programme manager before publishing"
                )
            implicit = needs_approval
        elif current != Status.APPROVED:
            raise refuse()
        if expires_at is not None and now is not None and expires_at <= now:
            raise WindowOver("expires_at is already past: nothing to publish")
        later = publish_at is not None and now is not None and publish_at > now
        return Outcome(Status.SCHEDULED if later else Status.PUBLISHED, implicit)
    if action == Action.RELEASE:
        if current != Status.SCHEDULED:
            raise refuse()
        return Outcome(Status.PUBLISHED)
    if action == Action.RETIRE:
        if current not in (Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED):
            raise refuse()
        return Outcome(Status.RETIRED)
    if action == Action.EXPIRE:
        if current not in LIVE:
            raise refuse()
        return Outcome(Status.EXPIRED)
    raise refuse()  # pragma: no cover - every action is handled above


def when_due(expires_at: datetime | None, now: datetime) -> Action:
    """What the scheduler does with a scheduled item whose publish time has come: release
    it, or expire it when its window closed before it could go live."""
    return Action.EXPIRE if expires_at is not None and expires_at <= now else Action.RELEASE


def audit_action(action: Action, outcome: Status) -> str:
    """The audit trail's word for a change: a publication that lands in the future is a
    "schedule", and the scheduler's release is the item's "publish"."""
    if outcome == Status.SCHEDULED:
        return "schedule"
    if action == Action.RELEASE:
        return Action.PUBLISH.value
    return action.value
