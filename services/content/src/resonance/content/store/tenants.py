"""Per-tenant content settings (approval, compliance, mix target, link policy): queries only."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.store.tables import TenantSettings


async def tenant_settings(session: AsyncSession, tenant: str) -> TenantSettings:
    """The stored settings, or the defaults (not stored) for a tenant that never set any."""
    row = (
        await session.execute(select(TenantSettings).where(TenantSettings.tenant == tenant))
    ).scalar_one_or_none()
    return row or TenantSettings(tenant=tenant)


async def tenant_settings_for_update(session: AsyncSession, tenant: str) -> TenantSettings:
    """The stored settings, locked; a new row (added to the session) for a tenant without."""
    row = (
        await session.execute(
            select(TenantSettings).where(TenantSettings.tenant == tenant).with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        row = TenantSettings(tenant=tenant)
        session.add(row)
    return row
