"""A KPI read's scope: the tenant's period (in their zone) and the segment."""

from datetime import date

from resonance.common.auth import Principal
from resonance.metrics.domain.periods import Period, local_day
from resonance.metrics.domain.segments import Segment
from resonance.metrics.domain.windows import PeriodRequest
from resonance.metrics.service import Uow
from resonance.metrics.service.callers import period_of
from resonance.metrics.service.config import TenantConfig, tenant_config
from resonance.metrics.store.kpi_scope import Scope


def scope_of(tenant: str, period: Period, segment: Segment) -> Scope:
    return Scope(
        tenant=tenant,
        timezone=period.timezone,
        first_day=period.first_day,
        end_day=period.end_day,
        start=period.start,
        end=period.end,
        segment=segment,
    )


async def resolve_scope(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> tuple[TenantConfig, Period, Scope]:
    config = await tenant_config(uow, principal.tenant)
    period = period_of(request, config, uow)
    return config, period, scope_of(principal.tenant, period, segment)


def today(uow: Uow, config: TenantConfig) -> date:
    return local_day(uow.now(), config.timezone)
