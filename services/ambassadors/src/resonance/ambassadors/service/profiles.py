"""Profiles and preferences: languages, channels, the right to disconnect, digest frequency,
and the link between a person and their sign-in identity."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resonance.ambassadors.domain.access import is_staff
from resonance.ambassadors.domain.errors import SubjectInUse, TimeZoneRequired
from resonance.ambassadors.domain.preferences import check_preferences
from resonance.ambassadors.service.invitations import invite_matching, matching_programmes
from resonance.ambassadors.service.people import (
    Uow,
    known_person,
    next_nudge,
    person_for,
    publish_updated,
)
from resonance.ambassadors.store import people
from resonance.ambassadors.store.tables import Employee
from resonance.common.auth import Principal, Role

# Preferences held as lists: clearing one leaves an empty list, not a null.
LIST_PREFERENCES = frozenset({"languages", "channels", "working_days"})


@dataclass(frozen=True)
class Profile:
    employee: Employee
    programmes: list[str]
    next_allowed_nudge_at: datetime


@dataclass(frozen=True)
class NudgeWindow:
    employee: Employee
    at: datetime
    next_allowed_nudge_at: datetime


async def _profile(uow: Uow, row: Employee) -> Profile:
    programmes = await people.active_programme_ids(uow.session, row.tenant, row.id)
    return Profile(row, programmes, next_nudge(row, uow.now()))


async def get_profile(uow: Uow, actor: Principal, ambassador_id: str) -> Profile:
    return await _profile(uow, await person_for(uow, actor, ambassador_id))


async def change_preferences(
    uow: Uow, actor: Principal, ambassador_id: str, changes: dict[str, Any]
) -> Profile:
    """Applies the preferences a PATCH named. Enrolled ambassadors' new profile goes out in
    `ambassador.updated`; a profile that newly matches an audience brings an invitation."""
    row = await person_for(uow, actor, ambassador_id, lock=True, action="change")
    before = await matching_programmes(uow, row) if row.active else set()
    for name, value in changes.items():
        setattr(row, name, [] if value is None and name in LIST_PREFERENCES else value)
    check_preferences(
        row.channels or [],
        email=row.email,
        personal_email=row.personal_email,
        phone=row.phone,
        quiet_hours_start=row.quiet_hours_start,
        quiet_hours_end=row.quiet_hours_end,
    )
    row.updated_at = uow.now()
    row.version += 1
    await publish_updated(uow, row)
    if row.active:
        # A new language or maturity level may open a programme's audience: an invitation.
        newly = await matching_programmes(uow, row) - before
        if newly:
            await invite_matching(uow, row, "audience_match", 0, only_newly_matching=newly)
    return await _profile(uow, row)


async def next_nudge_for(
    uow: Uow, actor: Principal, ambassador_id: str, at: datetime | None
) -> NudgeWindow:
    """The earliest moment a nudge sent at `at` (default now) may reach the person.

    Communicators plan campaigns for anyone of their tenant; others see their own."""
    moment = at or uow.now()
    if moment.tzinfo is None:
        raise TimeZoneRequired("give `at` with an offset, e.g. 2026-05-04T21:00:00+02:00")
    if actor.has_any(Role.COMMUNICATOR) and not is_staff(actor):
        row = await known_person(uow, actor.tenant, ambassador_id, "no such ambassador")
    else:
        row = await person_for(uow, actor, ambassador_id)
    return NudgeWindow(row, moment, next_nudge(row, moment))


async def link_login(uow: Uow, actor: Principal, ambassador_id: str, subject: str) -> Profile:
    """Links a person to the `sub` of their tokens; other services recognise them by it."""
    row = await person_for(uow, actor, ambassador_id, lock=True, action="link_login")
    if await people.subject_taken_by_other(uow.session, actor.tenant, subject, row.id):
        raise SubjectInUse("this sign-in identity is linked to someone else")
    row.login_subject = subject
    await publish_updated(uow, row)
    return await _profile(uow, row)
