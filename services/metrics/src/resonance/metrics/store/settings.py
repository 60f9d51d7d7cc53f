"""Tenant settings and the company page's reach."""

from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.paging import keyset
from resonance.metrics.store.tables import CompanyReach
from resonance.metrics.store.tables_reports import TenantSettingsRow


async def tenant_settings(
    session: AsyncSession, tenant: str, *, for_update: bool = False
) -> TenantSettingsRow | None:
    query = select(TenantSettingsRow).where(TenantSettingsRow.tenant == tenant)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def company_reach_entry(
    session: AsyncSession, tenant: str, first_day: date
) -> CompanyReach | None:
    return (
        await session.execute(
            select(CompanyReach)
            .where(CompanyReach.tenant == tenant, CompanyReach.first_day == first_day)
            .with_for_update()
        )
    ).scalar_one_or_none()


async def company_reach_entries(
    session: AsyncSession, tenant: str, after: tuple[date] | None, limit: int
) -> list[CompanyReach]:
    """By first day (unique per tenant: the primary key), strictly after `after`."""
    query = select(CompanyReach).where(CompanyReach.tenant == tenant)
    order = (CompanyReach.first_day,)
    return list((await session.execute(keyset(query, order, after, limit))).scalars())


async def company_reach_within(
    session: AsyncSession, tenant: str, first_day: date | None, end_day: date
) -> tuple[int, int | None, int]:
    """Company reach and audience of the entries lying wholly inside the window, and how many
    entries that is (a ratio over a window no entry covers has no company side)."""
    row = (
        await session.execute(
            text(
                "SELECT coalesce(sum(reach), 0), sum(audience), count(*) FROM company_reach "
                "WHERE tenant = :tenant AND (CAST(:first AS date) IS NULL OR first_day >= :first) "
                "AND end_day <= :end"
            ),
            {"tenant": tenant, "first": first_day, "end": end_day},
        )
    ).one()
    return int(row[0]), None if row[1] is None else int(row[1]), int(row[2])


async def tenants_known(session: AsyncSession) -> list[str]:
    """Every tenant with people or settings here (the digest job's list)."""
    rows = await session.execute(
        text("SELECT tenant FROM ambassadors UNION SELECT tenant FROM tenant_settings")
    )
    return sorted(str(r[0]) for r in rows)
