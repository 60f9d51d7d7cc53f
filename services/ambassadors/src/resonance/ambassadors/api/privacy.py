"""Privacy: a person's data export, and erasure that every other service follows."""

from typing import Any

from fastapi import APIRouter, Query, status

from resonance.ambassadors.api.deps import AdminOnly, AmbassadorOrManager, Rt
from resonance.ambassadors.api.schemas_privacy import (
    EXPORT_EXAMPLE,
    AuditPageOut,
    ErasureOut,
    audit_page_out,
)
from resonance.ambassadors.service import privacy
from resonance.common.api_params import AmbassadorRef
from resonance.common.paging import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix="/v1/ambassadors", tags=["privacy"])
audit_router = APIRouter(prefix="/v1/audit", tags=["privacy"])


@audit_router.get(
    "/personal-data",
    response_model=AuditPageOut,
    summary="Staff actions on other people's personal data (admin)",
    description="Every read, change, export, erasure, consent lookup or login link a programme "
    "manager (or admin) made on someone else's record, oldest first. Paged by cursor.",
)
async def audit_trail(
    principal: AdminOnly,
    rt: Rt,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None, max_length=500),
) -> AuditPageOut:
    async with rt.unit_of_work() as uow:
        page = await privacy.audit_trail(uow, principal, cursor, limit)
    return audit_page_out(page)


@router.get(
    "/{ambassador_id}/export",
    summary="Everything this service holds about a person (`me` for yourself)",
    responses={200: {"content": {"application/json": {"example": EXPORT_EXAMPLE}}}},
)
async def export(
    ambassador_id: AmbassadorRef, principal: AmbassadorOrManager, rt: Rt
) -> dict[str, Any]:
    async with rt.unit_of_work() as uow:
        return await privacy.export(uow, principal, ambassador_id)


@router.post(
    "/{ambassador_id}/erasure",
    status_code=status.HTTP_200_OK,
    response_model=ErasureOut,
    summary="Erase a person's personal data now (right to erasure)",
    description="Anonymises this service's record (ids and aggregate counts remain), ends any "
    "participation, and emits `ambassador.erased` so every other service purges its copy.",
)
async def erase(ambassador_id: str, principal: AmbassadorOrManager, rt: Rt) -> ErasureOut:
    async with rt.unit_of_work() as uow:
        erasure = await privacy.erase_on_request(uow, principal, ambassador_id)
    return ErasureOut(ambassador_id=erasure.ambassador_id, erased_at=erasure.erased_at)
