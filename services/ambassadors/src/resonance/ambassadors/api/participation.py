"""An ambassador's own decisions: accept or decline an invitation, opt out, see consent.

`{ambassador_id}` may be `me`. Staff (admin, programme manager) can read anyone of their
tenant and record an opt-out on someone's behalf, but only the person can say yes.
"""

import csv
import io
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Body, Depends, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from resonance.ambassadors.store.participation import accept_invitation, end_enrolment
from resonance.ambassadors.store.people import employee_for, is_staff
from resonance.ambassadors.store.tables import ConsentRecord, Employee, Enrolment, Invitation
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.errors import Problem
from resonance.common.events.catalogue import Network
from resonance.common.service import Runtime, runtime_of

router = APIRouter(prefix="/v1/ambassadors", tags=["participation"])

anyone = require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER)


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


def invitation_out(row: Invitation) -> InvitationOut:
    return InvitationOut(**row.model_dump(include=set(InvitationOut.model_fields)))


def enrolment_out(row: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(**row.model_dump(include=set(EnrolmentOut.model_fields)))


def consent_out(row: ConsentRecord) -> ConsentOut:
    return ConsentOut(
        ambassador_id=row.employee_id, **row.model_dump(include=set(ConsentOut.model_fields))
    )


def _require_self(principal: Principal, employee: Employee) -> None:
    if principal.subject not in (employee.login_subject, employee.user_name):
        raise Problem(403, "Forbidden", "only the person invited can answer an invitation")


async def _invitation(session: object, employee: Employee, invitation_id: str) -> Invitation:
    row = await session.get(Invitation, invitation_id, with_for_update=True)  # type: ignore[attr-defined]
    if row is None or row.tenant != employee.tenant or row.employee_id != employee.id:
        raise Problem(404, "Not Found", "no such invitation")
    return row  # type: ignore[no-any-return]


@router.get(
    "/{ambassador_id}/invitations",
    response_model=list[InvitationOut],
    summary="Invitations of a person (`me` for yourself)",
)
async def list_invitations(
    ambassador_id: str,
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> list[InvitationOut]:
    async with runtime.db.session() as session:
        employee = await employee_for(session, principal, ambassador_id)
        rows = await session.execute(
            select(Invitation)
            .where(
                Invitation.tenant == principal.tenant,
                Invitation.employee_id == employee.id,
                Invitation.status != "scheduled",  # not visible before it is sent
            )
            .order_by(Invitation.created_at)
        )
        return [invitation_out(r) for r in rows.scalars().all()]


@router.post(
    "/{ambassador_id}/invitations/{invitation_id}/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentOut,
    summary="Opt in: accept the charter and join the programme",
    responses={409: {"description": "Invitation not open, charter changed, or programme full"}},
)
async def accept(
    ambassador_id: str,
    invitation_id: str,
    body: AcceptIn,
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> EnrolmentOut:
    async with runtime.db.transaction() as session:
        employee = await employee_for(session, principal, ambassador_id, lock=True)
        _require_self(principal, employee)
        invitation = await _invitation(session, employee, invitation_id)
        enrolment = await accept_invitation(
            session, runtime.outbox, employee, invitation, body.charter_version, list(body.networks)
        )
        return enrolment_out(enrolment)


@router.post(
    "/{ambassador_id}/invitations/{invitation_id}/decline",
    response_model=InvitationOut,
    summary="Decline an invitation (no consequence, and no automatic re-invitation)",
)
async def decline(
    ambassador_id: str,
    invitation_id: str,
    body: DeclineIn | None = Body(default=None, examples=[{"reason": "not now"}]),
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> InvitationOut:
    async with runtime.db.transaction() as session:
        employee = await employee_for(session, principal, ambassador_id, lock=True)
        _require_self(principal, employee)
        invitation = await _invitation(session, employee, invitation_id)
        if invitation.status != "sent":
            raise Problem(409, "Invitation not open", f"this invitation is {invitation.status}")
        invitation.status = "declined"
        invitation.responded_at = datetime.now(UTC)
        return invitation_out(invitation)


@router.post(
    "/{ambassador_id}/programmes/{programme_id}/opt-out",
    response_model=EnrolmentOut,
    summary="Opt out of a programme at once (consent withdrawn, history kept)",
)
async def opt_out(
    ambassador_id: str,
    programme_id: str,
    body: OptOutIn | None = Body(default=None, examples=[{"reason": "too busy"}]),
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> EnrolmentOut:
    async with runtime.db.transaction() as session:
        employee = await employee_for(session, principal, ambassador_id, lock=True)
        enrolment = (
            await session.execute(
                select(Enrolment)
                .where(
                    Enrolment.tenant == principal.tenant,
                    Enrolment.employee_id == employee.id,
                    Enrolment.programme_id == programme_id,
                    Enrolment.status == "active",
                )
                .with_for_update()
            )
        ).scalar_one_or_none()
        if enrolment is None:
            raise Problem(404, "Not Found", "not enrolled in this programme")
        await end_enrolment(
            session,
            runtime.outbox,
            employee,
            enrolment,
            "opt_out",
            note=body.reason if body else None,
        )
        return enrolment_out(enrolment)


@router.get(
    "/{ambassador_id}/enrolments",
    response_model=list[EnrolmentOut],
    summary="Programmes a person takes or took part in",
)
async def list_enrolments(
    ambassador_id: str,
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> list[EnrolmentOut]:
    async with runtime.db.session() as session:
        employee = await employee_for(session, principal, ambassador_id)
        rows = await session.execute(
            select(Enrolment)
            .where(Enrolment.tenant == principal.tenant, Enrolment.employee_id == employee.id)
            .order_by(Enrolment.enrolled_at)
        )
        return [enrolment_out(r) for r in rows.scalars().all()]


@router.get(
    "/{ambassador_id}/consents",
    response_model=list[ConsentOut],
    summary="Consent history (grants and withdrawals); `format=csv` to download",
    responses={200: {"content": {"text/csv": {}}}},
)
async def consent_history(
    ambassador_id: str,
    format: Literal["json", "csv"] = Query(default="json"),
    principal: Principal = Depends(anyone),
    runtime: Runtime = Depends(runtime_of),
) -> list[ConsentOut] | Response:
    async with runtime.db.session() as session:
        employee = await employee_for(session, principal, ambassador_id)
        rows = await session.execute(
            select(ConsentRecord)
            .where(
                ConsentRecord.tenant == principal.tenant, ConsentRecord.employee_id == employee.id
            )
            .order_by(ConsentRecord.recorded_at)
        )
        records = [consent_out(r) for r in rows.scalars().all()]
    if format == "csv":
        return _csv(records, employee.id)
    return records


def _csv(records: list[ConsentOut], employee_id: str) -> Response:
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
            [
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


staff_router = APIRouter(prefix="/v1/consents", tags=["participation"])


@staff_router.get(
    "",
    response_model=list[ConsentOut],
    summary="Consent records of the tenant (audit export), optionally for one programme",
)
async def tenant_consents(
    programme_id: str | None = None,
    limit: int = Query(default=1000, ge=1, le=10_000),
    principal: Principal = Depends(require_roles(Role.PROGRAM_MANAGER)),
    runtime: Runtime = Depends(runtime_of),
) -> list[ConsentOut]:
    assert is_staff(principal)
    query = select(ConsentRecord).where(ConsentRecord.tenant == principal.tenant)
    if programme_id:
        query = query.where(ConsentRecord.programme_id == programme_id)
    async with runtime.db.session() as session:
        rows = await session.execute(query.order_by(ConsentRecord.recorded_at).limit(limit))
        return [consent_out(r) for r in rows.scalars().all()]
