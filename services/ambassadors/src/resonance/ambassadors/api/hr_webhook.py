"""Signed HR webhook (joiner / mover / leaver) and its per-tenant secret."""

from fastapi import APIRouter, Header, Request, Response, status

from resonance.ambassadors.api.deps import AdminOnly, Rt
from resonance.ambassadors.api.schemas_hr import NoticeAccepted, SecretIn, SecretOut, SecretStatus
from resonance.ambassadors.domain.errors import SignatureRefused
from resonance.ambassadors.domain.hr_notice import NOTICE_EXAMPLE, HrNotice
from resonance.ambassadors.service import hr_webhook
from resonance.ambassadors.service.intake import IgnoredFact
from resonance.common.errors import Problem

router = APIRouter(prefix="/v1/hr", tags=["hr intake"])


@router.put(
    "/webhook-secret",
    response_model=SecretOut,
    summary="Set or rotate this tenant's HR webhook signing secret (admin)",
)
async def set_secret(body: SecretIn, principal: AdminOnly, rt: Rt, response: Response) -> SecretOut:
    async with rt.unit_of_work() as uow:
        made = await hr_webhook.set_secret(uow, principal.tenant, rt.secrets, body.secret)
    # The answer carries the secret: no cache, and no copy in the idempotency table either.
    response.headers["Cache-Control"] = "no-store"
    return SecretOut(tenant=principal.tenant, secret=made.secret, updated_at=made.updated_at)


@router.get(
    "/webhook-secret",
    response_model=SecretStatus,
    summary="Whether a webhook secret is configured (the secret is never shown again)",
)
async def secret_status(principal: AdminOnly, rt: Rt) -> SecretStatus:
    async with rt.unit_of_work() as uow:
        updated_at = await hr_webhook.secret_updated_at(uow, principal.tenant)
    return SecretStatus(
        tenant=principal.tenant, configured=updated_at is not None, updated_at=updated_at
    )


@router.post(
    "/webhooks/{tenant}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=NoticeAccepted,
    summary="Joiner / mover / leaver notification from an HR system (HMAC-signed)",
    description="Authenticated by `X-Resonance-Signature: sha256=HMAC_SHA256(secret, timestamp + '.' + body)` "
    "and `X-Resonance-Timestamp` (unix seconds, within the replay window). A signature is "
    "accepted once: a replay answers 409.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": HrNotice.model_json_schema(),
                    "example": NOTICE_EXAMPLE,
                }
            },
        }
    },
)
async def receive_notice(
    tenant: str,
    request: Request,
    rt: Rt,
    x_resonance_timestamp: str | None = Header(default=None),
    x_resonance_signature: str | None = Header(default=None),
) -> NoticeAccepted:
    # The signature covers the raw bytes: the body is read as is, parsed once it holds, and
    # no transaction opens before it does.
    body = await request.body()
    try:
        verified = await hr_webhook.verify_notice(
            rt, tenant, body, x_resonance_timestamp, x_resonance_signature
        )
    except SignatureRefused as exc:
        # Headers that are not a timestamp and a signature are a bad request (400); a
        # signature that does not hold is a failed authentication (401), whatever the body.
        code = 400 if exc.reason == "malformed" else 401
        raise Problem(code, exc.title, exc.detail, reason=exc.reason) from exc
    async with rt.unit_of_work() as uow:
        result = await hr_webhook.apply_notice(uow, tenant, verified)
    if isinstance(result, IgnoredFact):
        # Accepted (the HR system must not retry) but applied to nobody.
        return NoticeAccepted(employee_id=None, outcome=f"ignored_{result.reason}")
    return NoticeAccepted(employee_id=result.employee.id, outcome=result.decision.outcome)
