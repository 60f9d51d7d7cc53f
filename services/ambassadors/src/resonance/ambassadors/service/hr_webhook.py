"""The signed HR webhook: a per-tenant secret (sealed at rest), and notices accepted once.

A notice must be signed with the tenant's secret and fresh; its signature, and its delivery
id when it has one, are accepted once. Only then is its body read and applied through the
same pipeline as the other doors.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from resonance.ambassadors.domain.errors import ConcurrentUpdate, ReplayedDelivery, SignatureRefused
from resonance.ambassadors.domain.hr_notice import HrNotice, parse_notice
from resonance.ambassadors.domain.webhook_signature import verify
from resonance.ambassadors.service.intake import IgnoredFact, IntakeResult, apply_hr_event
from resonance.ambassadors.service.people import Uow
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store import webhooks
from resonance.common.secrets_box import SecretBox
from resonance.common.service import Runtime

_REJECTIONS = {
    "missing": "X-Resonance-Timestamp and X-Resonance-Signature headers are required",
    "malformed": "signature must be sha256=<64 hex> and timestamp unix seconds",
    "stale": "timestamp outside the replay window",
    "bad_signature": "signature does not match",
}


@dataclass(frozen=True)
class SecretSet:
    secret: str
    updated_at: datetime


async def set_secret(uow: Uow, tenant: str, box: SecretBox, secret: str | None) -> SecretSet:
    """Sets or rotates the tenant's secret (a strong one is generated if none is given)."""
    secret = secret or secrets.token_urlsafe(32)
    now = uow.now()
    await webhooks.save_secret(uow.session, tenant, box.seal(secret), now)
    return SecretSet(secret, now)


async def secret_updated_at(uow: Uow, tenant: str) -> datetime | None:
    """When the tenant's secret was last set (None: no secret); the secret is never shown."""
    row = await webhooks.get_secret(uow.session, tenant)
    return row.updated_at if row else None


@dataclass(frozen=True)
class VerifiedNotice:
    """A notice whose signature held, parsed: what `apply_notice` may act on."""

    digest: str
    notice: HrNotice


async def verify_notice(
    rt: Runtime[AmbassadorsSettings],
    tenant: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
) -> VerifiedNotice:
    """Checks the signature before any transaction opens: a stranger's request costs one
    read of the tenant's secret and an HMAC, and never holds a transaction or a lock."""
    async with rt.db.session() as session:
        stored = await webhooks.get_secret(session, tenant)
    check = verify(
        # An unknown tenant is checked against a random secret: same work, same answer.
        rt.secrets.open(stored.sealed_secret) if stored else secrets.token_hex(32),
        timestamp,
        signature,
        body,
        rt.clock().timestamp(),
        rt.settings.webhook_replay_window_s,
    )
    if check.verdict != "ok" or stored is None or check.digest is None:
        detail = _REJECTIONS.get(check.verdict, "signature does not match")
        # The shape of the headers says nothing about the tenant: malformed is told as such.
        shown = check.verdict if stored or check.verdict == "malformed" else "bad_signature"
        raise SignatureRefused(detail, reason=shown)
    return VerifiedNotice(check.digest, parse_notice(body))


async def apply_notice(
    uow: Uow, tenant: str, verified: VerifiedNotice
) -> IntakeResult | IgnoredFact:
    """Accepts a verified notice once (by signature and delivery id) and applies it."""
    session, notice = uow.session, verified.notice
    if not await webhooks.remember_signature(session, tenant, verified.digest, uow.now()):
        raise ReplayedDelivery("this signed notification was already accepted")
    if notice.delivery_id:
        if await webhooks.delivery_id_seen(session, tenant, notice.delivery_id):
            raise ReplayedDelivery("this delivery id was already accepted")
        delivery = await webhooks.get_delivery(session, tenant, verified.digest)
        if delivery is not None:
            delivery.delivery_id = notice.delivery_id
    try:
        result = await apply_hr_event(uow, tenant, notice.fact(), uow.now())
        await session.flush()
    except IntegrityError as exc:
        # Two notices about one new person raced; the other won. Nothing was applied.
        raise ConcurrentUpdate("another notice about this person is being applied; retry") from exc
    return result


async def forget_old_signatures(uow: Uow) -> None:
    """A signature older than the window is refused as stale anyway: no need to keep it."""
    window = timedelta(seconds=2 * uow.settings.webhook_replay_window_s)
    await webhooks.forget_deliveries(uow.session, uow.now() - window)
