"""Conversions reported by careers sites, ATS and CRM: an application, lead or sign-up that
came through a share (its id travels in `utm_content`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeAlias

from resonance.common.auth import Principal
from resonance.common.domain_errors import Invalid, NotFound
from resonance.common.events.catalogue import ConversionRecorded
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import conversion_queries, share_queries
from resonance.sharing.store.share_views import Conversion

Uow: TypeAlias = UnitOfWork[SharingSettings]
# Reporting systems' clocks drift; a conversion "in the future" by more than this is wrong.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ConversionCommand:
    share_id: str
    kind: str
    value: float | None = None
    currency: str | None = None
    occurred_at: datetime | None = None
    # The reporting system's own id of the conversion: a second report of it is the same one.
    external_ref: str | None = None


async def record_conversion(uow: Uow, actor: Principal, command: ConversionCommand) -> Conversion:
    now = uow.now()
    occurred_at = command.occurred_at or now
    if occurred_at > now + CLOCK_SKEW:
        raise Invalid("a conversion cannot happen in the future", slug="time-in-future")
    if command.value is not None and command.currency is None:
        raise Invalid("a value needs its currency (ISO 4217)", slug="currency-required")
    share = await share_queries.get(uow.session, actor.tenant, command.share_id)
    if share is None:
        raise NotFound("no such share", slug="share-not-found")
    if command.external_ref is not None:
        known = await conversion_queries.by_external_ref(
            uow.session, actor.tenant, command.external_ref
        )
        if known is not None:
            return known
    conversion = Conversion(
        tenant=actor.tenant,
        share_id=share.id,
        kind=command.kind,
        value=command.value,
        currency=command.currency.upper() if command.currency else None,
        external_ref=command.external_ref,
        occurred_at=occurred_at,
        recorded_at=now,
        reported_by=actor.client_id or actor.subject,
    )
    uow.session.add(conversion)
    await uow.emit(
        actor.tenant,
        ConversionRecorded(
            conversion_id=conversion.id,
            share_id=share.id,
            ambassador_id=share.ambassador_id,
            content_id=share.content_id,
            campaign_id=share.campaign_id,
            network=share.network,
            kind=command.kind,
            value=command.value,
            currency=conversion.currency,
            occurred_at=occurred_at,
        ),
    )
    return conversion
