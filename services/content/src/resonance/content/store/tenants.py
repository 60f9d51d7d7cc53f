"""Per-tenant content settings (approval, compliance, mix target, link policy)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.content.store.tables import TenantSettings


async def tenant_settings(session: AsyncSession, tenant: str) -> TenantSettings:
    """The stored settings, or the defaults (not stored) for a tenant that never set any."""
    row = (
        await session.execute(select(TenantSettings).where(TenantSettings.tenant == tenant))
    ).scalar_one_or_none()
    return row or TenantSettings(tenant=tenant)


def allows_private_links(settings: TenantSettings, default: bool) -> bool:
    return default if settings.allow_private_links is None else settings.allow_private_links
