"""Profiles and preferences: languages, channels, right to disconnect, digest frequency.

An age band is kept, never a birth date. Frontline workers without a corporate address choose
SMS or a personal address of their own.
"""

from datetime import datetime

from fastapi import APIRouter, Query

from resonance.ambassadors.api.deps import AdminOnly, AmbassadorOrManager, AnyMember, Rt
from resonance.ambassadors.api.schemas_profiles import (
    LoginSubjectIn,
    NextNudge,
    PreferencesIn,
    ProfileOut,
    next_nudge_out,
    profile_out,
)
from resonance.ambassadors.service import profiles

router = APIRouter(prefix="/v1/ambassadors", tags=["profiles"])


@router.get(
    "/{ambassador_id}",
    response_model=ProfileOut,
    summary="A person's profile and preferences (`me` for yourself)",
)
async def get_profile(ambassador_id: str, principal: AmbassadorOrManager, rt: Rt) -> ProfileOut:
    async with rt.unit_of_work() as uow:
        return profile_out(await profiles.get_profile(uow, principal, ambassador_id))


@router.patch(
    "/{ambassador_id}/preferences",
    response_model=ProfileOut,
    summary="Change preferences (channels, quiet hours, working days, digest, age band...)",
    description="Emits `ambassador.updated` (with `next_allowed_nudge_at`) for enrolled ambassadors.",
)
async def patch_preferences(
    ambassador_id: str, body: PreferencesIn, principal: AmbassadorOrManager, rt: Rt
) -> ProfileOut:
    async with rt.unit_of_work() as uow:
        profile = await profiles.change_preferences(
            uow, principal, ambassador_id, body.model_dump(exclude_unset=True)
        )
        return profile_out(profile)


@router.get(
    "/{ambassador_id}/next-nudge",
    response_model=NextNudge,
    summary="Earliest moment a nudge may reach this person (right to disconnect)",
)
async def get_next_nudge(
    ambassador_id: str,
    principal: AnyMember,
    rt: Rt,
    at: datetime | None = Query(default=None, description="Defaults to now; with a time zone"),
) -> NextNudge:
    async with rt.unit_of_work() as uow:
        return next_nudge_out(await profiles.next_nudge_for(uow, principal, ambassador_id, at))


@router.put(
    "/{ambassador_id}/login-subject",
    response_model=ProfileOut,
    summary="Link a person to their sign-in identity (the `sub` of their tokens) — admin",
)
async def link_login(
    ambassador_id: str, body: LoginSubjectIn, principal: AdminOnly, rt: Rt
) -> ProfileOut:
    async with rt.unit_of_work() as uow:
        return profile_out(await profiles.link_login(uow, principal, ambassador_id, body.subject))
