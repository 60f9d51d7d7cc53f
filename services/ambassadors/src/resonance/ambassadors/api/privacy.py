"""Privacy: a person's data export, and erasure that every other service follows."""

from typing import Any

from fastapi import APIRouter, status

from resonance.ambassadors.api.deps import AmbassadorOrManager, Rt
from resonance.ambassadors.api.schemas_privacy import EXPORT_EXAMPLE, ErasureOut
from resonance.ambassadors.service import privacy

router = APIRouter(prefix="/v1/ambassadors", tags=["privacy"])


@router.get(
    "/{ambassador_id}/export",
    summary="Everything this service holds about a person (`me` for yourself)",
    responses={200: {"content": {"application/json": {"example": EXPORT_EXAMPLE}}}},
)
async def export(ambassador_id: str, principal: AmbassadorOrManager, rt: Rt) -> dict[str, Any]:
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
