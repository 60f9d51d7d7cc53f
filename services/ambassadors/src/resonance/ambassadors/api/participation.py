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
    ConsentPage,
    DeclineIn,
    EnrolmentOut,
    EnrolmentPage,
    InvitationOut,
    InvitationPage,
    OptOutIn,
    consent_out,
    consents_csv,
    enrolment_out,
    invitation_out,
)
from resonance.ambassadors.service import enrolments, invitations
from resonance.common.api_paging import PageCursor, PageLimit
from resonance.common.paging import DEFAULT_LIMIT

router = APIRouter(prefix="/v1/ambassadors", tags=["participation"])


@router.get(
    "/{ambassador_id}/invitations",
    response_model=InvitationPage,
    summary="Invitations of a person (`me` for yourself), oldest first (paged by cursor)",
)
async def list_invitations(
    ambassador_id: str,
    principal: AmbassadorOrManager,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> InvitationPage:
    async with rt.unit_of_work() as uow:
        page = await invitations.invitations_of(uow, principal, ambassador_id, cursor, limit)
    return InvitationPage(
        items=[invitation_out(invitation, programme) for invitation, programme in page.rows],
        next_cursor=page.next_cursor,
    )


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
    response_model=EnrolmentPage,
    summary="Programmes a person takes or took part in, oldest first (paged by cursor)",
)
async def list_enrolments(
    ambassador_id: str,
    principal: AmbassadorOrManager,
    rt: Rt,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> EnrolmentPage:
    async with rt.unit_of_work() as uow:
        page = await enrolments.enrolments_of(uow, principal, ambassador_id, cursor, limit)
    return EnrolmentPage(items=[enrolment_out(r) for r in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/{ambassador_id}/consents",
    response_model=ConsentPage,
    summary="Consent history (grants and withdrawals), oldest first; `format=csv` to download",
    description="JSON is paged by cursor like every list; `format=csv` downloads the whole "
    "history at once (`limit` and `cursor` do not apply to it).",
    responses={200: {"content": {"text/csv": {}}}},
)
async def consent_history(
    ambassador_id: str,
    principal: AmbassadorOrManager,
    rt: Rt,
    format: Literal["json", "csv"] = Query(default="json"),
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> ConsentPage | Response:
    whole = format == "csv"
    async with rt.unit_of_work() as uow:
        employee, page = await enrolments.consents_of(
            uow, principal, ambassador_id, None if whole else cursor, None if whole else limit
        )
    records = [consent_out(r) for r in page.rows]
    if whole:
        return consents_csv(records, employee.id)
    return ConsentPage(items=records, next_cursor=page.next_cursor)


staff_router = APIRouter(prefix="/v1/consents", tags=["participation"])


@staff_router.get(
    "",
    response_model=ConsentPage,
    summary="Consent records of the tenant (audit export), optionally for one programme, "
    "oldest first (paged by cursor)",
)
async def tenant_consents(
    principal: ProgrammeManager,
    rt: Rt,
    programme_id: str | None = Query(default=None, max_length=64),
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> ConsentPage:
    async with rt.unit_of_work() as uow:
        page = await enrolments.tenant_consents(uow, principal, programme_id, cursor, limit)
    return ConsentPage(items=[consent_out(r) for r in page.rows], next_cursor=page.next_cursor)
