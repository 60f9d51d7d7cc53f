"""Privacy: what this service holds about a person, for a data subject request."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from resonance.common.api_params import AmbassadorRef
from resonance.common.auth import Principal, Role, require_roles
from resonance.content.api.deps import NO_NUL, Rt
from resonance.content.service import privacy

router = APIRouter(prefix="/v1/ambassadors", tags=["privacy"], dependencies=NO_NUL)

# A person asking about themselves (`me`), or a programme manager about anyone of the tenant.
AmbassadorOrManager = Annotated[
    Principal, Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER))
]

EXPORT_EXAMPLE: dict[str, Any] = {
    "ambassador_id": "5f1c...",
    "profile": {"ambassador_id": "5f1c...", "country": "FR", "programmes": ["8a1e..."]},
    "submissions": [{"id": "0b7d...", "title": "Our new plant", "status": "pending"}],
    "submitted_items": [],
    "shares": [{"content_id": "c41a...", "shared_at": "2026-05-03T09:00:00+00:00"}],
    "truncated": [],
    "exported_at": "2026-05-04T10:00:00+00:00",
}


@router.get(
    "/{ambassador_id}/export",
    summary="Everything this service holds about a person (`me` for yourself)",
    description="The content service's part of a data subject request: the projected profile "
    "(targeting attributes), submissions, items published from them and shares. Each list "
    f"holds at most {privacy.MAX_ROWS} rows, newest first; `truncated` names the lists cut "
    "short. An ambassador may ask only about themselves (403 otherwise); a programme manager "
    "about anyone of their tenant (404 when this service holds nothing about them), audited.",
    responses={200: {"content": {"application/json": {"example": EXPORT_EXAMPLE}}}},
)
async def export(
    ambassador_id: AmbassadorRef, principal: AmbassadorOrManager, rt: Rt
) -> dict[str, Any]:
    async with rt.unit_of_work() as uow:
        return await privacy.export(uow, principal, ambassador_id)
