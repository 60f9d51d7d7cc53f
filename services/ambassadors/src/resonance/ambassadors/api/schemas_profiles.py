"""Profiles, preferences and the right to disconnect: request and response bodies.

An age band is kept, never a birth date.
"""

import re
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from resonance.ambassadors.domain.audience import AGE_BANDS, MATURITY_LEVELS
from resonance.ambassadors.domain.quiet_hours import valid_timezone
from resonance.ambassadors.service.profiles import NudgeWindow, Profile

Channel = Literal["email", "sms", "push", "chat"]
Digest = Literal["daily", "weekly", "monthly", "never"]
AgeBand = Literal["under_25", "25_34", "35_44", "45_54", "55_plus"]
Maturity = Literal["none", "beginner", "intermediate", "advanced"]
# The API's vocabulary is the audience rules' vocabulary: they cannot drift apart.
assert set(get_args(AgeBand)) == set(AGE_BANDS)
assert set(get_args(Maturity)) == set(MATURITY_LEVELS)

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


def profile_out(profile: Profile) -> ProfileOut:
    return ProfileOut(
        **profile.employee.model_dump(
            include=set(ProfileOut.model_fields) - {"programmes", "next_allowed_nudge_at"}
        ),
        programmes=profile.programmes,
        next_allowed_nudge_at=profile.next_allowed_nudge_at,
    )


def next_nudge_out(window: NudgeWindow) -> NextNudge:
    return NextNudge(
        ambassador_id=window.employee.id,
        at=window.at,
        next_allowed_nudge_at=window.next_allowed_nudge_at,
        timezone=window.employee.timezone or "UTC",
    )
