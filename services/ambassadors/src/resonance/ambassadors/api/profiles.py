"""Profiles and preferences: languages, channels, right to disconnect, digest frequency.

An age band is kept, never a birth date. Frontline workers without a corporate address choose
SMS or a personal address of their own.
"""

import re
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import or_, select

from resonance.ambassadors.domain.audience import AGE_BANDS, MATURITY_LEVELS
from resonance.ambassadors.domain.quiet_hours import valid_timezone
from resonance.ambassadors.store.participation import (
    invite_matching,
    matching_programmes,
    publish_updated,
)
from resonance.ambassadors.store.people import (
    active_programme_ids,
    employee_for,
    get_employee,
    is_staff,
    next_nudge,
)
from resonance.ambassadors.store.tables import Employee
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.errors import Problem
from resonance.common.service import Runtime, runtime_of

router = APIRouter(prefix="/v1/ambassadors", tags=["profiles"])
anyone = require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER)

Channel = Literal["email", "sms", "push", "chat"]
Digest = Literal["daily", "weekly", "monthly", "never"]
AgeBand = Literal["under_25", "25_34", "35_44", "45_54", "55_plus"]
Maturity = Literal["none", "beginner", "intermediate", "advanced"]
assert set(AgeBand.__args__) == set(AGE_BANDS)  # type: ignore[attr-defined]
assert set(Maturity.__args__) == set(MATURITY_LEVELS)  # type: ignore[attr-defined]

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
LANG = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE = r"^\+[1-9]\d{6,14}$"


class PreferencesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "languages": ["fr", "en"],
                    "channels": ["sms", "push"],
                    "phone": "+33612345678",
                    "timezone": "Europe/Paris",
                    "quiet_hours_start": "19:00",
                    "quiet_hours_end": "08:30",
                    "working_days": [1, 2, 3, 4, 5],
                    "digest_frequency": "weekly",
                    "age_band": "25_34",
                    "social_media_maturity": "beginner",
                }
            ]
        },
    )

    languages: list[str] | None = Field(default=None, max_length=10)
    channels: list[Channel] | None = Field(default=None, max_length=4)
    personal_email: str | None = Field(default=None, pattern=EMAIL, max_length=254)
    phone: str | None = Field(default=None, pattern=PHONE, description="E.164")
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/Paris"])
    quiet_hours_start: str | None = Field(default=None, pattern=HHMM)
    quiet_hours_end: str | None = Field(default=None, pattern=HHMM)
    working_days: list[int] | None = Field(
        default=None, max_length=7, description="ISO weekdays, Monday = 1"
    )
    digest_frequency: Digest | None = None
    age_band: AgeBand | None = None
    social_media_maturity: Maturity | None = None

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not all(LANG.match(v) for v in value):
            raise ValueError("languages are BCP 47 codes like 'fr' or 'pt-BR'")
        return value

    @field_validator("working_days")
    @classmethod
    def _days(cls, value: list[int] | None) -> list[int] | None:
        if value is not None:
            if not value or not all(1 <= d <= 7 for d in value):
                raise ValueError("working days are ISO weekdays 1..7, at least one")
            return sorted(set(value))
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        if value is not None and not valid_timezone(value):
            raise ValueError("unknown IANA time zone")
        return value


class ProfileOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f1c...",
                    "display_name": "Léa Martin",
                    "given_name": "Léa",
                    "family_name": "Martin",
                    "email": "lea.martin@acme.example",
                    "personal_email": None,
                    "phone": None,
                    "active": True,
                    "brand": "Acme Cloud",
                    "entity": "Acme France",
                    "job_family": "Engineering",
                    "site": "Lyon",
                    "country": "FR",
                    "language": "fr",
                    "worker_type": "office",
                    "age_band": "25_34",
                    "social_media_maturity": "beginner",
                    "languages": ["fr", "en"],
                    "channels": ["email", "push"],
                    "timezone": "Europe/Paris",
                    "quiet_hours_start": "19:00",
                    "quiet_hours_end": "08:30",
                    "working_days": [1, 2, 3, 4, 5],
                    "digest_frequency": "weekly",
                    "stage": "sharer",
                    "programmes": ["0c3b..."],
                    "next_allowed_nudge_at": "2026-05-06T06:30:00Z",
                }
            ]
        }
    )

    id: str
    display_name: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    personal_email: str | None
    phone: str | None
    active: bool
    brand: str | None
    entity: str | None
    job_family: str | None
    site: str | None
    country: str | None
    language: str | None
    worker_type: str | None
    age_band: str | None
    social_media_maturity: str | None
    languages: list[str]
    channels: list[str]
    timezone: str | None
    quiet_hours_start: str | None
    quiet_hours_end: str | None
    working_days: list[int]
    digest_frequency: str
    stage: str
    programmes: list[str]
    next_allowed_nudge_at: datetime


class NextNudge(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ambassador_id": "5f1c...",
                    "at": "2026-05-05T21:00:00+02:00",
                    "next_allowed_nudge_at": "2026-05-06T06:30:00Z",
                    "timezone": "Europe/Paris",
                }
            ]
        }
    )

    ambassador_id: str
    at: datetime
    next_allowed_nudge_at: datetime
    timezone: str


class LoginSubjectIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"subject": "6f1c2a52-0000-4c1e-9a57-000000000001"}]},
    )

    subject: str = Field(min_length=1, max_length=200)


async def profile_out(session: object, row: Employee) -> ProfileOut:
    programmes = await active_programme_ids(session, row.tenant, row.id)  # type: ignore[arg-type]
    return ProfileOut(
        **row.model_dump(
            include=set(ProfileOut.model_fields) - {"programmes", "next_allowed_nudge_at"}
        ),
        programmes=programmes,
        next_allowed_nudge_at=next_nudge(row),
    )


def _check_reachable(row: Employee) -> None:
    """A channel nobody can be reached on is a mistake, not a preference."""
    channels = set(row.channels or [])
    if "email" in channels and not (row.email or row.personal_email):
        raise Problem(
            422, "Unreachable channel", "email needs a work or personal address", field="channels"
        )
    if "sms" in channels and not row.phone:
        raise Problem(422, "Unreachable channel", "sms needs a phone number", field="channels")
    if (row.quiet_hours_start is None) != (row.quiet_hours_end is None):
        raise Problem(
            422,
            "Incomplete quiet hours",
            "set both start and end, or neither",
            field="quiet_hours_start",
        )


@router.get(
    "/{ambassador_id}",
    response_model=ProfileOut,
    summary="A person's profile and preferences (`me` for yourself)",
)
async def get_profile(
    ambassador_id: str,
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> ProfileOut:
    async with runtime.db.session() as session:
        return await profile_out(session, await employee_for(session, principal, ambassador_id))


@router.patch(
    "/{ambassador_id}/preferences",
    response_model=ProfileOut,
    summary="Change preferences (channels, quiet hours, working days, digest, age band...)",
    description="Emits `ambassador.updated` (with `next_allowed_nudge_at`) for enrolled ambassadors.",
)
async def patch_preferences(
    ambassador_id: str,
    body: PreferencesIn,
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> ProfileOut:
    async with runtime.db.transaction() as session:
        row = await employee_for(session, principal, ambassador_id, lock=True)
        before = await matching_programmes(session, row) if row.active else set()
        for name, value in body.model_dump(exclude_unset=True).items():
            setattr(
                row,
                name,
                []
                if value is None and name in ("languages", "channels", "working_days")
                else value,
            )
        _check_reachable(row)
        row.updated_at = datetime.now(UTC)
        row.version += 1
        await publish_updated(session, runtime.outbox, row)
        if row.active:
            # A new language or maturity level may open a programme's audience: an invitation.
            newly = await matching_programmes(session, row) - before
            if newly:
                await invite_matching(session, row, "audience_match", 0, only_newly_matching=newly)
        return await profile_out(session, row)


@router.get(
    "/{ambassador_id}/next-nudge",
    response_model=NextNudge,
    summary="Earliest moment a nudge may reach this person (right to disconnect)",
)
async def get_next_nudge(
    ambassador_id: str,
    at: datetime | None = Query(default=None, description="Defaults to now; with a time zone"),
    principal: Principal = Depends(
        require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER, Role.COMMUNICATOR)
    ),
    runtime: Runtime = Depends(runtime_of),
) -> NextNudge:
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise Problem(
            422, "Time zone required", "give `at` with an offset, e.g. 2026-05-04T21:00:00+02:00"
        )
    async with runtime.db.session() as session:
        if principal.has_any(Role.COMMUNICATOR) and not is_staff(principal):
            row = await get_employee(session, principal.tenant, ambassador_id)
            if row is None or row.erased_at is not None:
                raise Problem(404, "Not Found", "no such ambassador")
        else:
            row = await employee_for(session, principal, ambassador_id)
    return NextNudge(
        ambassador_id=row.id,
        at=moment,
        next_allowed_nudge_at=next_nudge(row, moment),
        timezone=row.timezone or "UTC",
    )


@router.put(
    "/{ambassador_id}/login-subject",
    response_model=ProfileOut,
    summary="Link a person to their sign-in identity (the `sub` of their tokens) — admin",
)
async def link_login(
    ambassador_id: str,
    body: LoginSubjectIn,
    principal: Principal = Depends(require_roles()),
    runtime: Runtime = Depends(runtime_of),
) -> ProfileOut:
    async with runtime.db.transaction() as session:
        row = await employee_for(session, principal, ambassador_id, lock=True)
        holder = (
            await session.execute(
                select(Employee.id).where(
                    Employee.tenant == principal.tenant,
                    or_(Employee.login_subject == body.subject, Employee.user_name == body.subject),
                    Employee.id != row.id,
                )
            )
        ).first()
        if holder is not None:
            raise Problem(409, "Subject in use", "this sign-in identity is linked to someone else")
        row.login_subject = body.subject
        # Other services recognise the ambassador's own tokens by this subject.
        await publish_updated(session, runtime.outbox, row)
        return await profile_out(session, row)
