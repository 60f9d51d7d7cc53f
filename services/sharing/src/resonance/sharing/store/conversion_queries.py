"""Queries on reported conversions."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.sharing.store.share_views import Conversion


async def by_external_ref(
    session: AsyncSession, tenant: str, external_ref: str
) -> Conversion | None:
    query = select(Conversion).where(
        Conversion.tenant == tenant, Conversion.external_ref == external_ref
    )
    return (await session.execute(query)).scalar_one_or_none()
