"""Programmes: request and response bodies."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from resonance.ambassadors.domain.audience import AudienceRules
from resonance.ambassadors.service.programmes import NewProgramme
from resonance.ambassadors.store.tables import Programme
from resonance.common.api_paging import Page, page_examples

Kind = Literal["sharing_platform", "training_workshop", "individual_coaching", "vip_cohort"]

AUDIENCE_EXAMPLE: dict[str, Any] = {
    "countries": ["FR", "BE"],
    "job_families": ["Sales", "Marketing"],
    "worker_types": ["office", "frontline"],
}


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "display_name": "Digital Leaders",
                    "kind": "sharing_platform",
                    "description": "Share what we do with your network, in your own words.",
                    "audience": AUDIENCE_EXAMPLE,
                    "capacity": 500,
                    "charter_version": "2026-01",
                    "onboarding_delay_hours": 336,
                }
            ]
        },
    )

    display_name: str = Field(min_length=1, max_length=120)
    kind: Kind
    description: str | None = Field(default=None, max_length=2000)
    audience: AudienceRules = Field(default_factory=AudienceRules)
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    charter_version: str = Field(default="1", min_length=1, max_length=40)
    onboarding_delay_hours: float | None = Field(
        default=None, ge=0, le=24 * 365, description="Defaults to the service setting."
    )
    invite_joiners: bool = True


class ProgrammePatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"display_name": "Influencers", "charter_version": "2026-06"}]
        },
    )

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    audience: AudienceRules | None = None
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    charter_version: str | None = Field(default=None, min_length=1, max_length=40)
    onboarding_delay_hours: float | None = Field(default=None, ge=0, le=24 * 365)
    invite_joiners: bool | None = None
    archived: bool | None = None


class ProgrammeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0c3b7a52-1d2e-4f5a-9b8c-7d6e5f4a3b2c",
                    "display_name": "Digital Leaders",
                    "kind": "sharing_platform",
                    "description": None,
                    "audience": {"countries": ["FR"]},
                    "capacity": 500,
                    "charter_version": "2026-01",
                    "onboarding_delay_hours": 336,
                    "invite_joiners": True,
                    "archived": False,
                    "created_at": "2026-05-04T10:00:00Z",
                }
            ]
        }
    )

    id: str
    display_name: str
    kind: str
    description: str | None
    audience: AudienceRules
    capacity: int | None
    charter_version: str
    onboarding_delay_hours: float | None
    invite_joiners: bool
    archived: bool
    created_at: datetime


class ProgrammePage(Page[ProgrammeOut]):
    model_config = page_examples(ProgrammeOut)


class AudienceInvited(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme_id": "0c3b7a52-1d2e-4f5a-9b8c-7d6e5f4a3b2c",
                    "scheduled": 42,
                    "not_before": "2026-05-04T10:00:00Z",
                }
            ]
        }
    )

    programme_id: str
    scheduled: int
    not_before: datetime


def programme_out(row: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        id=row.id,
        display_name=row.display_name,
        kind=row.kind,
        description=row.description,
        audience=AudienceRules.model_validate(row.audience),
        capacity=row.capacity,
        charter_version=row.charter_version,
        onboarding_delay_hours=row.onboarding_delay_s / 3600
        if row.onboarding_delay_s is not None
        else None,
        invite_joiners=row.invite_joiners,
        archived=row.archived,
        created_at=row.created_at,
    )


def new_programme(body: ProgrammeIn) -> NewProgramme:
    return NewProgramme(
        display_name=body.display_name,
        kind=body.kind,
        description=body.description,
        audience=body.audience,
        capacity=body.capacity,
        charter_version=body.charter_version,
        onboarding_delay_s=body.onboarding_delay_hours * 3600
        if body.onboarding_delay_hours is not None
        else None,
        invite_joiners=body.invite_joiners,
    )


def programme_changes(body: ProgrammePatch) -> dict[str, Any]:
    """The fields the PATCH named, by column (the delay in seconds)."""
    changes = body.model_dump(exclude_unset=True)
    if "onboarding_delay_hours" in changes:
        hours = changes.pop("onboarding_delay_hours")
        changes["onboarding_delay_s"] = hours * 3600 if hours is not None else None
    return changes
