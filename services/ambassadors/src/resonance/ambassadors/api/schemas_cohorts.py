"""Cohorts, nominations and renewal: request and response bodies."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from resonance.ambassadors.service.cohorts import Renewal
from resonance.ambassadors.store.tables import Cohort, Nomination
from resonance.common.api_paging import Page, page_examples


class CohortIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "VIP 2027",
                    "starts_on": "2027-01-01",
                    "ends_on": "2027-12-31",
                    "status": "planned",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=120)
    starts_on: date
    ends_on: date
    status: Literal["planned", "open"] = Field(
        default="open",
        description="A planned cohort gathers nominations; they are invited when it opens.",
    )

    @model_validator(mode="after")
    def _dates(self) -> "CohortIn":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class CohortOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "c2027...",
                    "programme_id": "0c3b...",
                    "name": "VIP 2027",
                    "starts_on": "2027-01-01",
                    "ends_on": "2027-12-31",
                    "status": "open",
                    "previous_cohort_id": "c2026...",
                    "closed_at": None,
                }
            ]
        }
    )

    id: str
    programme_id: str
    name: str
    starts_on: date
    ends_on: date
    status: str
    previous_cohort_id: str | None
    closed_at: datetime | None


class CohortPage(Page[CohortOut]):
    model_config = page_examples(CohortOut)


class NominationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ambassador_id": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f",
                    "note": "Great posts on hydrogen",
                }
            ]
        },
    )

    ambassador_id: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=500)


class NominationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "n1...",
                    "cohort_id": "c2027...",
                    "ambassador_id": "5f1c...",
                    "nominated_by": "chloe",
                    "note": "Great posts",
                    "invitation_id": None,
                    "created_at": "2026-11-02T10:00:00Z",
                }
            ]
        }
    )

    id: str
    cohort_id: str
    ambassador_id: str
    nominated_by: str
    note: str | None
    invitation_id: str | None
    created_at: datetime


class NominationPage(Page[NominationOut]):
    model_config = page_examples(NominationOut)


class RenewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"next_cohort_id": "0c3b..."}]}
    )

    next_cohort_id: str = Field(min_length=1, max_length=64)


class RenewOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "closed": {"id": "c2026...", "status": "closed"},
                    "opened": {"id": "c2027...", "status": "open"},
                    "left": 18,
                    "invited": 20,
                }
            ]
        }
    )

    closed: CohortOut
    opened: CohortOut
    left: int
    invited: int


def cohort_out(row: Cohort) -> CohortOut:
    return CohortOut(**row.model_dump(include=set(CohortOut.model_fields)))


def nomination_out(row: Nomination) -> NominationOut:
    return NominationOut(
        ambassador_id=row.employee_id, **row.model_dump(include=set(NominationOut.model_fields))
    )


def renew_out(renewal: Renewal) -> RenewOut:
    return RenewOut(
        closed=cohort_out(renewal.closed),
        opened=cohort_out(renewal.opened),
        left=renewal.left,
        invited=renewal.invited,
    )
