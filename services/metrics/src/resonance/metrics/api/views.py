"""Mapping service results to response schemas (shared by several routers)."""

from resonance.metrics.api.schemas_me import PeriodOut
from resonance.metrics.domain.periods import Period


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(
        kind=period.kind.value,
        label=period.label,
        first_day=period.first_day,
        end_day=period.end_day,
        timezone=period.timezone,
    )
