"""Privacy: what this service holds about a person, for a data subject request."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from resonance.common.api_params import AmbassadorRef
from resonance.common.auth import Principal, Role, require_roles
from resonance.metrics.api.deps import Rt
from resonance.metrics.service import privacy

router = APIRouter(prefix="/v1/ambassadors", tags=["privacy"])

# A person asking about themselves (`me`), or a programme manager about anyone of the tenant.
AmbassadorOrManager = Annotated[
    Principal, Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER))
]

EXPORT_EXAMPLE: dict[str, Any] = {
    "ambassador_id": "5f1c...",
    "profile": {"ambassador_id": "5f1c...", "country": "FR", "quiet_hours_start": "20:00"},
    "preferences": {"hidden": True, "email": "lea@example.com", "suggestions": True},
    "balance": {"earned": 120, "spent": 50, "held": 0},
    "counters": {"shares": 14, "longest_weekly_streak": 3},
    "memberships": [],
    "connections": [{"network": "linkedin", "audience_size": 480}],
    "shares": [],
    "daily_activity": [],
    "points_ledger": [{"amount": 10, "reason": "share", "occurred_at": "2026-05-03T09:00:00Z"}],
    "board_scores": [],
    "badges": [{"code": "first_share", "title": "First share"}],
    "challenge_progress": [],
    "redemptions": [],
    "reengagement_mails": [],
    "digests": [],
    "truncated": [],
    "exported_at": "2026-05-04T10:00:00+00:00",
}


@router.get(
    "/{ambassador_id}/export",
    summary="Everything this service holds about a person (`me` for yourself)",
    description="The metrics service's part of a data subject request: projected profile, "
    "memberships, connections, preferences (whether they hide from public boards, digest "
    "address; never the unsubscribe token), share facts, daily roll-ups, points ledger and "
    "balance, board scores, badges, challenge progress, redemptions, re-engagement mails and "
    f"digests naming them. Each list holds at most {privacy.MAX_ROWS} rows, newest first; "
    "`truncated` names the lists cut short. An ambassador may ask only about themselves "
    "(403 otherwise); a programme manager about anyone of their tenant (404 when this "
    "service holds nothing about them), audited.",
    responses={200: {"content": {"application/json": {"example": EXPORT_EXAMPLE}}}},
)
async def export(
    ambassador_id: AmbassadorRef, principal: AmbassadorOrManager, rt: Rt
) -> dict[str, Any]:
    async with rt.unit_of_work() as uow:
        return await privacy.export(uow, principal, ambassador_id)
