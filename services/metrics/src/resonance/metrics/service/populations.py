"""Keeps the population read models (population spans, member months, retention marks) in
step with the memberships and share days they summarise, in the fact's own transaction."""

from collections.abc import Iterable
from datetime import date

from resonance.metrics.service import Uow
from resonance.metrics.service.config import tenant_config
from resonance.metrics.store import member_months, population_spans, retention_marks


async def membership_changed(uow: Uow, tenant: str, ambassador_id: str) -> None:
    """A person was invited, enrolled or left: their span and retention marks again (the
    marks count weeks from enrolment days in the tenant's zone)."""
    await uow.session.flush()
    config = await tenant_config(uow, tenant)
    await population_spans.refresh(uow.session, tenant, [ambassador_id])
    await member_months.recount(uow.session, tenant, config.timezone, [ambassador_id])
    await retention_marks.refresh(uow.session, tenant, config.timezone, [ambassador_id])


async def new_share_days(uow: Uow, tenant: str, share_days: Iterable[tuple[str, date]]) -> None:
    """(person, day) pairs whose day just got its first share: their weeks' marks."""
    await retention_marks.mark_share_days(uow.session, tenant, share_days)


async def ensure_zone(uow: Uow, tenant: str) -> bool:
    """Recounts the tenant's retention marks and member months if they were counted in
    another zone than the tenant's (the service's default zone changed, a migration assumed
    UTC or counted none); True when it did. Until then the reads use the rows."""
    config = await tenant_config(uow, tenant)
    recounted = False
    if await member_months.zone(uow.session, tenant) != config.timezone:
        await member_months.recount(uow.session, tenant, config.timezone)
        recounted = True
    if await retention_marks.in_zone(uow.session, tenant, config.timezone):
        return recounted
    await retention_marks.refresh(uow.session, tenant, config.timezone)
    return True
