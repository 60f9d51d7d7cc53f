"""Invitations, enrolments and consent: request and response bodies."""

import csv
import io
from datetime import datetime
from typing import Literal

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from resonance.ambassadors.domain.spreadsheet import inert_cell
from resonance.ambassadors.store.tables import ConsentRecord, Enrolment, Invitation, Programme
from resonance.common.api_paging import Page, page_examples
from resonance.common.events.catalogue import Network


class InvitationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9d2f...",
                    "programme_id": "0c3b...",
                    "cohort_id": None,
                    "reason": "joiner",
                    "status": "sent",
                    "not_before": "2026-05-18T08:00:00Z",
                    "sent_at": "2026-05-18T08:00:02Z",
                    "responded_at": None,
                    "programme_name": "Voices of Acme",
                    "programme_kind": "sharing_platform",
                    "charter_version": "2026-01",
                    "send_at": None,
                }
            ]
        }
    )

    id: str
    programme_id: str
    cohort_id: str | None
    reason: str
    status: str
    not_before: datetime
    sent_at: datetime | None
    responded_at: datetime | None
    # What the invitation is for, so an app shows it (and accepts with the right charter
    # version) without a second call. Given on lists.
    programme_name: str | None = None
    programme_kind: str | None = None
    charter_version: str | None = None
    send_at: datetime | None = Field(
        default=None, description="when a scheduled invitation goes (staff see those only)"
    )


class InvitationPage(Page[InvitationOut]):
    model_config = page_examples(InvitationOut)


class AcceptIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"charter_version": "2026-01", "networks": ["linkedin", "x"]}]
        },
    )

    charter_version: str = Field(
        min_length=1, max_length=40, description="The charter shown and accepted."
    )
    networks: list[Network] = Field(default_factory=list, max_length=8)


class DeclineIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "not now"}]}
    )

    reason: str | None = Field(default=None, max_length=500)


class OptOutIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "too busy"}]}
    )

    reason: str | None = Field(default=None, max_length=500)


class EnrolmentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4e1a...",
                    "programme_id": "0c3b...",
                    "cohort_id": None,
                    "status": "active",
                    "enrolled_at": "2026-05-19T09:12:00Z",
                    "left_at": None,
                    "left_reason": None,
                }
            ]
        }
    )

    id: str
    programme_id: str
    cohort_id: str | None
    status: str
    enrolled_at: datetime
    left_at: datetime | None
    left_reason: str | None


class EnrolmentPage(Page[EnrolmentOut]):
    model_config = page_examples(EnrolmentOut)


class ConsentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "77aa...",
                    "ambassador_id": "5f1c...",
                    "programme_id": "0c3b...",
                    "action": "granted",
                    "charter_version": "2026-01",
                    "networks": ["linkedin"],
                    "reason": None,
                    "recorded_at": "2026-05-19T09:12:00Z",
                }
            ]
        }
    )

    id: str
    ambassador_id: str
    programme_id: str
    action: Literal["granted", "withdrawn"]
    charter_version: str
    networks: list[str]
    reason: str | None
    recorded_at: datetime


class ConsentPage(Page[ConsentOut]):
    model_config = page_examples(ConsentOut)


def invitation_out(row: Invitation, programme: Programme | None = None) -> InvitationOut:
    out = InvitationOut(**row.model_dump(include=set(InvitationOut.model_fields)))
    if programme is not None:
        out.programme_name = programme.display_name
        out.programme_kind = programme.kind
        out.charter_version = programme.charter_version
    if row.status == "scheduled":
        out.send_at = row.not_before
    return out


def enrolment_out(row: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(**row.model_dump(include=set(EnrolmentOut.model_fields)))


def consent_out(row: ConsentRecord) -> ConsentOut:
    return ConsentOut(
        ambassador_id=row.employee_id, **row.model_dump(include=set(ConsentOut.model_fields))
    )


def consents_csv(records: list[ConsentOut], employee_id: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "ambassador_id",
            "programme_id",
            "action",
            "charter_version",
            "networks",
            "reason",
            "recorded_at",
        ]
    )
    for r in records:
        writer.writerow(
            inert_cell(cell)
            for cell in [
                employee_id,
                r.programme_id,
                r.action,
                r.charter_version,
                " ".join(r.networks),
                r.reason or "",
                r.recorded_at.isoformat(),
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="consents-{employee_id}.csv"'},
    )
