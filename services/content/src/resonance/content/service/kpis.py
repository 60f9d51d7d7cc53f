"""The content mix KPI: company vs market share of what was published, against the target."""

from dataclasses import dataclass
from datetime import datetime

from resonance.common.auth import Principal
from resonance.common.unit_of_work import UnitOfWork
from resonance.content.domain.mix import Mix, compute_mix, period
from resonance.content.settings import ContentSettings
from resonance.content.store.mix import published_per_family
from resonance.content.store.tenants import tenant_settings


@dataclass(frozen=True)
class MixReport:
    since: datetime
    until: datetime
    mix: Mix


async def content_mix(
    uow: UnitOfWork[ContentSettings],
    principal: Principal,
    brand: str | None,
    since: datetime | None,
    until: datetime | None,
) -> MixReport:
    """Items published in the period (default: the last 30 days), optionally of one brand."""
    since, until = period(since, until, uow.now())
    counts = await published_per_family(uow.session, principal.tenant, since, until, brand)
    target = (await tenant_settings(uow.session, principal.tenant)).mix_target_company
    return MixReport(
        since, until, compute_mix(counts.get("company", 0), counts.get("market", 0), target)
    )
