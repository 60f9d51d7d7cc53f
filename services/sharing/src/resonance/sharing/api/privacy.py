"""Privacy: what this service holds about a person, for a data subject request."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from resonance.common.api_params import AmbassadorRef
from resonance.common.auth import Principal, Role, require_roles
from resonance.sharing.api.deps import Rt
from resonance.sharing.service import privacy

router = APIRouter(prefix="/v1/ambassadors", tags=["privacy"])

# A person asking about themselves (`me`), or a programme manager about anyone of the tenant.
AmbassadorOrManager = Annotated[
    Principal, Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER))
]

EXPORT_EXAMPLE: dict[str, Any] = {
    "ambassador_id": "5f1c...",
    "profile": {"login_subject": "idp|42", "employee_active": True, "memberships": {}},
    "connections": [
        {
            "id": "c0de...",
            "network": "linkedin",
            "network_user_id": "li-123",
            "display_name": "Léa Martin",
            "status": "connected",
            "connected_at": "2026-04-01T08:00:00+00:00",
        }
    ],
    "pending_authorizations": [],
    "shares": [{"id": "5ha2...", "network": "linkedin", "status": "posted", "text": "Proud!"}],
    "reach": [{"share_id": "5ha2...", "impressions": 1200, "clicks": 14}],
    "conversions": [{"share_id": "5ha2...", "kind": "application"}],
    "autoshare_choices": [{"network": "linkedin", "action": "granted"}],
    "truncated": [],
    "exported_at": "2026-05-04T10:00:00+00:00",
}


@router.get(
    "/{ambassador_id}/export",
    summary="Everything this service holds about a person (`me` for yourself)",
    description="The sharing service's part of a data subject request: projected profile, "
    "connected accounts (never their tokens), pending authorizations, shares (scheduled, "
    "posted, failed, cancelled) with their text, reach figures, conversions attributed to "
    f"them and auto-share opt-ins. Each list holds at most {privacy.MAX_ROWS} rows, newest "
    "first; `truncated` names the lists cut short. An ambassador may ask only about "
    "themselves (403 otherwise); a programme manager about anyone of their tenant (404 when "
    "this service holds nothing about them, or they were erased), audited.",
    responses={200: {"content": {"application/json": {"example": EXPORT_EXAMPLE}}}},
)
async def export(
    ambassador_id: AmbassadorRef, principal: AmbassadorOrManager, rt: Rt
) -> dict[str, Any]:
    async with rt.unit_of_work() as uow:
        return await privacy.export(uow, principal, ambassador_id)
