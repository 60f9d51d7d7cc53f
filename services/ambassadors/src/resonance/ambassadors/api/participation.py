"""An ambassador's own decisions: accept or decline an invitation, opt out, see consent.

`{ambassador_id}` may be `me`. Staff (admin, programme manager) can read anyone of their
tenant and record an opt-out on someone's behalf, but only the person can say yes.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, status
from fastapi.responses import Response

from resonance.ambassadors.api.deps import AmbassadorOrManager, ProgrammeManager, Rt
from resonance.ambassadors.api.schemas_participation import (
    AcceptIn,
    ConsentOut,
    DeclineIn,
    EnrolmentOut,
    InvitationOut,
    OptOutIn,
    consent_out,
    consents_csv,
    enrolment_out,
    invitation_out,
)
from resonance.ambassadors.service import enrolments, invitations

router = APIRouter(prefix="/v1/ambassadors", tags=["participation"])


@router.get(
    "/{ambassador_id}/invitations",
    response_model=list[InvitationOut],
    summary="Invitations of a person (`me` for yourself)",
)
async def list_invitations(
    ambassador_id: str, principal: AmbassadorOrManager, rt: Rt
) -> list[InvitationOut]:
    async with rt.unit_of_work() as uow:
        rows = await invitations.invitations_of(uow, principal, ambassador_id)
    return [invitation_out(invitation, programme) for invitation, programme in rows]


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
    principal: AmbassadorOrManager,
    rt: Rt,
) -> EnrolmentOut:
    async with rt.unit_of_work() as uow:
        enrolment = await invitations.accept(
            uow, principal, ambassador_id, invitation_id, body.charter_version, list(body.networks)
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
    principal: AmbassadorOrManager,
    rt: Rt,
    body: Annotated[DeclineIn | None, Body(examples=[{"reason": "not now"}])] = None,
) -> InvitationOut:
    async with rt.unit_of_work() as uow:
        invitation = await invitations.decline(uow, principal, ambassador_id, invitation_id)
        return invitation_out(invitation)


@router.post(
    "/{ambassador_id}/programmes/{programme_id}/opt-out",
    response_model=EnrolmentOut,
    summary="Opt out of a programme at once (consent withdrawn, history kept)",
)
async def opt_out(
    ambassador_id: str,
    programme_id: str,
    principal: AmbassadorOrManager,
    rt: Rt,
    body: Annotated[OptOutIn | None, Body(examples=[{"reason": "too busy"}])] = None,
) -> EnrolmentOut:
    async with rt.unit_of_work() as uow:
        enrolment = await enrolments.opt_out(
            uow, principal, ambassador_id, programme_id, body.reason if body else None
        )
        return enrolment_out(enrolment)


@router.get(
    "/{ambassador_id}/enrolments",
    response_model=list[EnrolmentOut],
    summary="Programmes a person takes or took part in",
)
async def list_enrolments(
    ambassador_id: str, principal: AmbassadorOrManager, rt: Rt
) -> list[EnrolmentOut]:
    async with rt.unit_of_work() as uow:
        rows = await enrolments.enrolments_of(uow, principal, ambassador_id)
    return [enrolment_out(r) for r in rows]


@router.get(
    "/{ambassador_id}/consents",
    response_model=list[ConsentOut],
    summary="Consent history (grants and withdrawals); `format=csv` to download",
    responses={200: {"content": {"text/csv": {}}}},
)
async def consent_history(
    ambassador_id: str,
    principal: AmbassadorOrManager,
    rt: Rt,
    format: Literal["json", "csv"] = Query(default="json"),
) -> list[ConsentOut] | Response:
    async with rt.unit_of_work() as uow:
        employee, rows = await enrolments.consents_of(uow, principal, ambassador_id)
    records = [consent_out(r) for r in rows]
    if format == "csv":
        return consents_csv(records, employee.id)
    return records


staff_router = APIRouter(prefix="/v1/consents", tags=["participation"])


@staff_router.get(
    "",
    response_model=list[ConsentOut],
    summary="Consent records of the tenant (audit export), optionally for one programme",
)
async def tenant_consents(
    principal: ProgrammeManager,
    rt: Rt,
    programme_id: str | None = None,
    limit: int = Query(default=1000, ge=1, le=10_000),
) -> list[ConsentOut]:
    async with rt.unit_of_work() as uow:
        rows = await enrolments.tenant_consents(uow, principal, programme_id, limit)
    return [consent_out(r) for r in rows]
