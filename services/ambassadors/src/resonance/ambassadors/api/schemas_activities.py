"""Activities, registrations and attendance: request and response bodies."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from resonance.ambassadors.service.activities import ActivityView, NewActivity, RegistrationView
from resonance.common.api_paging import Page, page_examples

EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


class ActivityIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b7a52-1d2e-4f5a-9b8c-7d6e5f4a3b2c",
                    "title": "LinkedIn writing workshop",
                    "kind": "workshop",
                    "mode": "online",
                    "starts_at": "2026-06-04T09:30:00+02:00",
                    "ends_at": "2026-06-04T11:00:00+02:00",
                    "seats": 12,
                }
            ]
        },
    )

    programme_id: str | None = Field(default=None, description="Only its ambassadors may register")
    title: str = Field(min_length=1, max_length=200)
    kind: Literal["event", "workshop"]
    mode: Literal["in_person", "online"]
    location: str | None = Field(default=None, max_length=300)
    starts_at: datetime
    ends_at: datetime | None = None
    seats: int = Field(ge=1, le=100_000)

    @model_validator(mode="after")
    def _times(self) -> "ActivityIn":
        if self.starts_at.tzinfo is None:
            raise ValueError("starts_at needs a time zone offset")
        for moment in (self.starts_at, self.ends_at):
            # The database driver reads the extremes of its range back as infinities without
            # an offset (0001-01-01T00:00:00Z came back naive): no activity is dated there.
            if moment is not None and not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
                raise ValueError(f"dates must fall between {EARLIEST_YEAR} and {LATEST_YEAR}")
        if self.ends_at is not None and (
            self.ends_at.tzinfo is None or self.ends_at < self.starts_at
        ):
            raise ValueError("ends_at must have an offset and not be before starts_at")
        return self


class ActivityOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "a1...",
                    "programme_id": None,
                    "title": "LinkedIn writing workshop",
                    "kind": "workshop",
                    "mode": "online",
                    "location": None,
                    "starts_at": "2026-06-04T07:30:00Z",
                    "ends_at": "2026-06-04T09:00:00Z",
                    "seats": 12,
                    "registered": 12,
                    "waitlisted": 3,
                }
            ]
        }
    )

    id: str
    programme_id: str | None
    title: str
    kind: str
    mode: str
    location: str | None
    starts_at: datetime
    ends_at: datetime | None
    seats: int
    registered: int
    waitlisted: int


class RegistrationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "r1...",
                    "activity_id": "a1...",
                    "ambassador_id": "5f1c...",
                    "status": "waitlisted",
                    "waitlist_position": 2,
                    "attended": None,
                    "registered_at": "2026-05-20T10:00:00Z",
                }
            ]
        }
    )

    id: str
    activity_id: str
    ambassador_id: str
    status: str
    waitlist_position: int | None = None
    attended: bool | None
    registered_at: datetime


class ActivityPage(Page[ActivityOut]):
    model_config = page_examples(ActivityOut)


class RegistrationPage(Page[RegistrationOut]):
    model_config = page_examples(RegistrationOut)


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"attended": True}]})

    attended: bool


def new_activity(body: ActivityIn) -> NewActivity:
    return NewActivity(**body.model_dump())


def activity_out(view: ActivityView) -> ActivityOut:
    return ActivityOut(
        **view.activity.model_dump(include=set(ActivityOut.model_fields)),
        registered=view.registered,
        waitlisted=view.waitlisted,
    )


def registration_out(view: RegistrationView) -> RegistrationOut:
    row = view.registration
    return RegistrationOut(
        ambassador_id=row.employee_id,
        waitlist_position=view.waitlist_position,
        **row.model_dump(include=set(RegistrationOut.model_fields) - {"waitlist_position"}),
    )
