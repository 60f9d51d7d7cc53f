"""Privacy: a person's data export, and erasure that every other service follows."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict

from resonance.ambassadors.store.people import employee_for
from resonance.ambassadors.store.privacy import erase_employee, export_person
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime, runtime_of

router = APIRouter(prefix="/v1/ambassadors", tags=["privacy"])
self_or_staff = require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER)


class ErasureOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ambassador_id": "5f1c...",
                    "erased_at": "2026-05-04T10:00:00Z",
                    "event": "ambassador.erased",
                }
            ]
        }
    )

    ambassador_id: str
    erased_at: datetime
    event: str = "ambassador.erased"


@router.get(
    "/{ambassador_id}/export",
    summary="Everything this service holds about a person (`me` for yourself)",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "employee": {"id": "5f1c...", "given_name": "Léa", "stage": "sharer"},
                        "consents": [{"action": "granted", "charter_version": "2026-01"}],
                        "enrolments": [],
                        "invitations": [],
                        "nominations": [],
                        "registrations": [],
                        "exported_at": "2026-05-04T10:00:00+00:00",
                    }
                }
            }
        }
    },
)
async def export(
    ambassador_id: str,
    principal: Principal = Depends(self_or_staff),
    runtime: Runtime = Depends(runtime_of),
) -> dict[str, Any]:
    async with runtime.db.session() as session:
        employee = await employee_for(session, principal, ambassador_id)
        return await export_person(session, employee)


@router.post(
    "/{ambassador_id}/erasure",
    status_code=status.HTTP_200_OK,
    response_model=ErasureOut,
    summary="Erase a person's personal data now (right to erasure)",
    description="Anonymises this service's record (ids and aggregate counts remain), ends any "
    "participation, and emits `ambassador.erased` so every other service purges its copy.",
)
async def erase(
    ambassador_id: str,
    principal: Principal = Depends(self_or_staff),
    runtime: Runtime = Depends(runtime_of),
) -> ErasureOut:
    async with runtime.db.transaction() as session:
        employee = await employee_for(session, principal, ambassador_id, lock=True)
        await erase_employee(session, runtime.outbox, employee)
        assert employee.erased_at is not None
        return ErasureOut(ambassador_id=employee.id, erased_at=employee.erased_at)
