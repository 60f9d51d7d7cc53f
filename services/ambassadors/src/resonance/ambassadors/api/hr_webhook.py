"""Signed HR webhook (joiner / mover / leaver) and its per-tenant secret."""

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Header, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from resonance.ambassadors.domain.hr import as_utc, facts_from_hr_event
from resonance.ambassadors.domain.webhook_signature import verify
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.intake import apply_hr_facts
from resonance.ambassadors.store.tables import WebhookDelivery, WebhookSecret
from resonance.common.auth import Principal, require_roles
from resonance.common.errors import Problem
from resonance.common.events.catalogue import HrEmployee
from resonance.common.service import Runtime, runtime_of

router = APIRouter(prefix="/v1/hr", tags=["hr intake"])

NOTICE_EXAMPLE: dict[str, Any] = {
    "delivery_id": "evt_01HF8Q2ZP7",
    "change": "joiner",
    "employee_number": "100871",
    "given_name": "Karim",
    "family_name": "Benali",
    "email": "karim.benali@acme.example",
    "department": "Logistics",
    "site": "Lyon",
    "country": "FR",
    "language": "fr",
    "worker_type": "frontline",
    "age_band": "25_34",
}


class HrNotice(HrEmployee):
    """An `hr.employee` fact, as the HR system posts it, with its own delivery id."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [NOTICE_EXAMPLE]})

    delivery_id: str | None = Field(default=None, max_length=200)


class NoticeAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"employee_id": "5f1c...", "outcome": "joiner"}]}
    )

    employee_id: str
    outcome: str


class SecretIn(BaseModel):
    secret: str | None = Field(
        default=None,
        min_length=32,
        max_length=256,
        description="Leave empty to have a strong secret generated.",
    )
    model_config = ConfigDict(json_schema_extra={"examples": [{}]})


class SecretOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"tenant": "acme", "secret": "q8Zs...", "updated_at": "2026-05-04T10:00:00Z"}
            ]
        }
    )

    tenant: str
    secret: str
    updated_at: datetime
    signature_header: str = (
        "X-Resonance-Signature: sha256=<hex HMAC-SHA256 of timestamp + '.' + body>"
    )
    timestamp_header: str = "X-Resonance-Timestamp: <unix seconds>"


class SecretStatus(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"tenant": "acme", "configured": True, "updated_at": "2026-05-04T10:00:00Z"}
            ]
        }
    )

    tenant: str
    configured: bool
    updated_at: datetime | None


@router.put(
    "/webhook-secret",
    response_model=SecretOut,
    summary="Set or rotate this tenant's HR webhook signing secret (admin)",
)
async def set_secret(
    body: SecretIn,
    principal: Principal = Depends(require_roles()),
    runtime: Runtime = Depends(runtime_of),
) -> SecretOut:
    secret = body.secret or secrets.token_urlsafe(32)
    sealed = runtime.secrets.seal(secret)
    now = datetime.now(UTC)
    async with runtime.db.transaction() as session:
        await session.execute(
            insert(WebhookSecret)
            .values(tenant=principal.tenant, sealed_secret=sealed, updated_at=now)
            .on_conflict_do_update(
                index_elements=["tenant"], set_={"sealed_secret": sealed, "updated_at": now}
            )
        )
    return SecretOut(tenant=principal.tenant, secret=secret, updated_at=now)


@router.get(
    "/webhook-secret",
    response_model=SecretStatus,
    summary="Whether a webhook secret is configured (the secret is never shown again)",
)
async def secret_status(
    principal: Principal = Depends(require_roles()),
    runtime: Runtime = Depends(runtime_of),
) -> SecretStatus:
    async with runtime.db.session() as session:
        row = await session.get(WebhookSecret, principal.tenant)
    return SecretStatus(
        tenant=principal.tenant,
        configured=row is not None,
        updated_at=row.updated_at if row else None,
    )


_REJECTIONS = {
    "missing": "X-Resonance-Timestamp and X-Resonance-Signature headers are required",
    "malformed": "signature must be sha256=<64 hex> and timestamp unix seconds",
    "stale": "timestamp outside the replay window",
    "bad_signature": "signature does not match",
}


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
    runtime: Runtime = Depends(runtime_of),
    x_resonance_timestamp: str | None = Header(default=None),
    x_resonance_signature: str | None = Header(default=None),
) -> NoticeAccepted:
    settings = runtime.settings
    assert isinstance(settings, AmbassadorsSettings)
    body = await request.body()
    async with runtime.db.transaction() as session:
        secret = await session.get(WebhookSecret, tenant)
        check = verify(
            # An unknown tenant is checked against a random secret: same work, same answer.
            runtime.secrets.open(secret.sealed_secret) if secret else secrets.token_hex(32),
            x_resonance_timestamp,
            x_resonance_signature,
            body,
            time.time(),
            settings.webhook_replay_window_s,
        )
        if check.verdict != "ok" or secret is None:
            detail = _REJECTIONS.get(check.verdict, "signature does not match")
            raise Problem(
                401,
                "Invalid signature",
                detail,
                reason=check.verdict if secret else "bad_signature",
            )
        seen = await session.execute(
            insert(WebhookDelivery)
            .values(tenant=tenant, signature=check.digest, received_at=datetime.now(UTC))
            .on_conflict_do_nothing()
            .returning(WebhookDelivery.signature)
        )
        if seen.first() is None:
            raise Problem(409, "Replayed delivery", "this signed notification was already accepted")
        try:
            notice = HrNotice.model_validate_json(body)
        except ValidationError as exc:
            errors = [
                {"location": [str(p) for p in e.get("loc", ())], "message": e.get("msg", "")}
                for e in exc.errors()
            ]
            raise Problem(
                422, "Request validation failed", f"{len(errors)} invalid field(s)", errors=errors
            ) from exc
        if notice.delivery_id:
            dup = await session.execute(
                select(WebhookDelivery.signature).where(
                    WebhookDelivery.tenant == tenant,
                    WebhookDelivery.delivery_id == notice.delivery_id,
                )
            )
            if dup.first() is not None:
                raise Problem(409, "Replayed delivery", "this delivery id was already accepted")
            row = await session.get(WebhookDelivery, (tenant, check.digest))
            if row is not None:
                row.delivery_id = notice.delivery_id
        event = HrEmployee.model_validate(notice.model_dump(exclude={"delivery_id"}))
        try:
            result = await apply_hr_facts(
                session,
                runtime.outbox,
                tenant,
                facts_from_hr_event(event),
                change=event.change,
                onboarding_delay_s=settings.onboarding_delay_s,
                hired_at=as_utc(event.hired_at),
                effective_at=as_utc(event.effective_at),
            )
            await session.flush()
        except IntegrityError as exc:
            # Two notices about one new person raced; the other won. Nothing was applied.
            raise Problem(
                409, "Concurrent update", "another notice about this person is being applied; retry"
            ) from exc
    return NoticeAccepted(employee_id=result.employee.id, outcome=result.decision.outcome)
