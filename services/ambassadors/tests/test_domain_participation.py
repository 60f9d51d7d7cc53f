"""Unit tests of the participation rules: who may be invited, when, and when a yes counts;
preferences that make sense; who may act on whose record (no I/O)."""

from datetime import UTC, datetime, timedelta

import pytest

from resonance.ambassadors.domain.access import is_self, is_staff, may_act_on
from resonance.ambassadors.domain.errors import (
    CharterVersionMismatch,
    IncompleteQuietHours,
    InvitationNotOpen,
    NotAnActiveEmployee,
    ProgrammeClosed,
    ProgrammeFull,
    UnreachableChannel,
)
from resonance.ambassadors.domain.participation import (
    asked_already,
    check_acceptance,
    check_capacity,
    invite_at,
    onboarding_delay,
)
from resonance.ambassadors.domain.preferences import check_preferences
from resonance.common.auth import Principal

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def test_an_open_invitation_is_never_duplicated_whoever_asks() -> None:
    assert asked_already({"sent"}, "joiner")
    assert asked_already({"scheduled"}, "nomination")


def test_a_machine_does_not_ask_again_someone_who_answered_but_a_person_may() -> None:
    for answered in ("declined", "accepted"):
        assert asked_already({answered}, "joiner")
        assert asked_already({answered}, "audience_match")
        assert not asked_already({answered}, "nomination")
        assert not asked_already({answered}, "cohort_renewal")
    # A cancelled invitation (the person left the company, then came back) asks nothing.
    assert not asked_already({"cancelled"}, "joiner")
    assert not asked_already(set(), "joiner")


def test_a_joiner_announced_ahead_counts_the_delay_from_the_first_day() -> None:
    first_day = NOW + timedelta(days=14)
    assert invite_at(NOW, first_day, "joiner") == first_day
    # Already here, or not a joiner: the delay starts now.
    assert invite_at(NOW, NOW - timedelta(days=1), "joiner") == NOW
    assert invite_at(NOW, first_day, "audience_match") == NOW
    assert invite_at(NOW, None, "joiner") == NOW


def test_onboarding_delay_is_the_programmes_own_else_the_default() -> None:
    assert onboarding_delay(3600, 7 * 24 * 3600) == timedelta(hours=1)
    assert onboarding_delay(None, 60) == timedelta(minutes=1)
    assert onboarding_delay(0, 60) == timedelta(0)  # zero is a choice, not "unset"


def _accept(**overrides: object) -> None:
    terms: dict = {
        "programme_archived": False,
        "invitation_status": "sent",
        "charter_version": "2026-01",
        "current_charter_version": "2026-01",
        "employee_active": True,
    }
    check_acceptance(**{**terms, **overrides})


def test_a_yes_needs_an_open_programme_a_sent_invitation_the_charter_and_a_job() -> None:
    _accept()  # everything in order: no refusal
    with pytest.raises(ProgrammeClosed):
        _accept(programme_archived=True)
    with pytest.raises(InvitationNotOpen) as not_open:
        _accept(invitation_status="accepted")
    assert not_open.value.extensions == {"status_now": "accepted"}
    with pytest.raises(CharterVersionMismatch) as old:
        _accept(charter_version="2025-01")
    assert old.value.extensions == {"current_charter_version": "2026-01"}
    with pytest.raises(NotAnActiveEmployee):
        _accept(employee_active=False)


def test_the_first_refusal_wins() -> None:
    # Archived and answered and outdated: the programme is what the person is told about.
    with pytest.raises(ProgrammeClosed):
        _accept(programme_archived=True, invitation_status="declined", charter_version="0")
    with pytest.raises(InvitationNotOpen):
        _accept(invitation_status="declined", charter_version="0", employee_active=False)


def test_capacity() -> None:
    check_capacity(None, 10_000)  # no capacity: never full
    check_capacity(3, 2)  # 2 taken out of 3: one seat left
    with pytest.raises(ProgrammeFull):
        check_capacity(3, 3)


def test_preferences_need_a_way_to_reach_the_person() -> None:
    reachable = {
        "email": None,
        "personal_email": None,
        "phone": None,
        "quiet_hours_start": None,
        "quiet_hours_end": None,
    }
    check_preferences([], **reachable)
    with pytest.raises(UnreachableChannel) as no_address:
        check_preferences(["email"], **reachable)
    assert no_address.value.extensions == {"field": "channels"}
    check_preferences(["email"], **{**reachable, "personal_email": "me@example.org"})
    with pytest.raises(UnreachableChannel):
        check_preferences(["sms"], **reachable)
    with pytest.raises(IncompleteQuietHours):
        check_preferences([], **{**reachable, "quiet_hours_start": "19:00"})
    check_preferences([], **{**reachable, "quiet_hours_start": "19:00", "quiet_hours_end": "08:00"})


def test_staff_may_act_on_anyone_a_person_only_themselves() -> None:
    manager = Principal("pm-1", "acme", frozenset({"program_manager"}))
    lea = Principal("sub-lea", "acme", frozenset({"ambassador"}))
    assert is_staff(manager) and not is_staff(lea)
    assert may_act_on(manager, login_subject=None, user_name="someone")
    # Lea is recognised by her linked subject or by a userName equal to her subject.
    assert is_self(lea, "sub-lea", None) and is_self(lea, None, "sub-lea")
    assert not may_act_on(lea, login_subject="sub-max", user_name="max@acme.example")
