"""Invitations and consent: who may be asked, when, and when a yes can be recorded (pure).

Participation is voluntary: an invitation is only ever an invitation, a machine never asks
twice someone who answered, and only an open invitation to an open programme can be accepted.
"""

from datetime import datetime, timedelta

from resonance.ambassadors.domain.errors import (
    CharterVersionMismatch,
    InvitationNotOpen,
    NotAnActiveEmployee,
    ProgrammeClosed,
    ProgrammeFull,
)

# Reasons a machine invites for (as opposed to a person: a nomination, a cohort renewal).
AUTOMATIC_REASONS = ("joiner", "audience_match")
OPEN_STATUSES = frozenset({"scheduled", "sent"})


def asked_already(statuses: set[str], reason: str) -> bool:
    """Whether a new invitation would duplicate or pester, given the earlier ones' statuses.

    An open invitation is never duplicated; someone who said yes or no is not asked again by
    a machine (a person may still nominate them)."""
    if statuses & OPEN_STATUSES:
        return True
    return reason in AUTOMATIC_REASONS and bool(statuses & {"declined", "accepted"})


def invite_at(now: datetime, hired_at: datetime | None, reason: str) -> datetime:
    """When the onboarding delay starts: a joiner announced before their first day counts it
    from that day."""
    if reason == "joiner" and hired_at is not None and hired_at > now:
        return hired_at
    return now


def onboarding_delay(programme_delay_s: float | None, default_s: float) -> timedelta:
    return timedelta(seconds=programme_delay_s if programme_delay_s is not None else default_s)


def check_answerable(invitation_status: str) -> None:
    """Only a sent invitation can be answered (not one still waiting, nor one answered)."""
    if invitation_status != "sent":
        raise InvitationNotOpen(
            f"this invitation is {invitation_status}", status_now=invitation_status
        )


def check_acceptance(
    *,
    programme_archived: bool,
    invitation_status: str,
    charter_version: str,
    current_charter_version: str,
    employee_active: bool,
) -> None:
    """A yes is recorded while the programme takes ambassadors, on a sent invitation, against
    the charter in force, by a current employee. The first refusal in this order wins."""
    if programme_archived:
        raise ProgrammeClosed("this programme no longer accepts ambassadors")
    check_answerable(invitation_status)
    if charter_version != current_charter_version:
        raise CharterVersionMismatch(
            f"the current charter is version {current_charter_version}",
            current_charter_version=current_charter_version,
        )
    if not employee_active:
        raise NotAnActiveEmployee("only active employees can take part")


def check_capacity(capacity: int | None, taken: int) -> None:
    if capacity is not None and taken >= capacity:
        raise ProgrammeFull("the programme has reached its capacity")
