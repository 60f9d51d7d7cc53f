"""Segments: request and response bodies."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from resonance.ambassadors.domain.audience import AudienceRules
from resonance.ambassadors.service.segments import Funnel, State
from resonance.ambassadors.store.tables import Employee
from resonance.common.api_paging import NEXT_CURSOR_DOC


class SegmentCounts(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b...",
                    "eligible": 1200,
                    "invited": 900,
                    "enrolled": 240,
                    "active": 130,
                    "participation_rate": 0.2,
                    "active_rate": 0.5417,
                    "active_window_days": 30,
                    "computed_at": "2026-05-04T10:00:00Z",
                }
            ]
        }
    )

    programme_id: str
    eligible: int
    invited: int
    enrolled: int
    active: int
    participation_rate: float
    active_rate: float
    active_window_days: int
    computed_at: datetime


class Member(BaseModel):
    ambassador_id: str
    display_name: str | None
    job_family: str | None
    site: str | None
    country: str | None
    worker_type: str | None
    stage: str
    last_share_at: datetime | None


class MemberPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b...",
                    "state": "enrolled",
                    "total": 1,
                    "items": [
                        {
                            "ambassador_id": "5f1c...",
                            "display_name": "Léa Martin",
                            "job_family": "Engineering",
                            "site": "Lyon",
                            "country": "FR",
                            "worker_type": "office",
                            "stage": "sharer",
                            "last_share_at": "2026-05-03T08:00:00Z",
                        }
                    ],
                    "next_cursor": None,
                    "disclosure": "full",
                }
            ]
        }
    )

    programme_id: str
    state: State
    total: int | None
    items: list[Member]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DOC)
    disclosure: Literal["full", "count_only", "suppressed"] = "full"


class PreviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"audience": {"countries": ["FR"], "worker_types": ["frontline"]}}]
        },
    )

    audience: AudienceRules


class PreviewOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"eligible": 1200, "sample": []}]})

    eligible: int | None = Field(
        description="None when the group is too small to describe (see `disclosure`)"
    )
    sample: list[Member]
    disclosure: Literal["full", "count_only", "suppressed"] = Field(
        default="full",
        description="`count_only` / `suppressed`: the audience selects on a sensitive attribute "
        "(age band) and the caller may not see it by name; under 5 people not even counted",
    )


def member_out(row: Employee) -> Member:
    return Member(
        ambassador_id=row.id, **row.model_dump(include=set(Member.model_fields) - {"ambassador_id"})
    )


def counts_out(programme_id: str, funnel: Funnel) -> SegmentCounts:
    return SegmentCounts(
        programme_id=programme_id,
        eligible=funnel.count("eligible"),
        invited=funnel.count("invited"),
        enrolled=funnel.count("enrolled"),
        active=funnel.count("active"),
        participation_rate=funnel.participation_rate,
        active_rate=funnel.active_rate,
        active_window_days=funnel.window_days,
        computed_at=funnel.computed_at,
    )
