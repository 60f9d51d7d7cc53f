"""The HR webhook's sealed secrets and the signatures already accepted."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.ambassadors.store.tables import WebhookDelivery, WebhookSecret


async def get_secret(session: AsyncSession, tenant: str) -> WebhookSecret | None:
    return await session.get(WebhookSecret, tenant)


async def save_secret(session: AsyncSession, tenant: str, sealed: str, at: datetime) -> None:
    await session.execute(
        insert(WebhookSecret)
        .values(tenant=tenant, sealed_secret=sealed, updated_at=at)
        .on_conflict_do_update(
            index_elements=["tenant"], set_={"sealed_secret": sealed, "updated_at": at}
        )
    )


async def remember_signature(
    session: AsyncSession, tenant: str, signature: str, at: datetime
) -> bool:
    """Records an accepted signature; False if it was already there (a replay)."""
    inserted = await session.execute(
        insert(WebhookDelivery)
        .values(tenant=tenant, signature=signature, received_at=at)
        .on_conflict_do_nothing()
        .returning(WebhookDelivery.signature)
    )
    return inserted.first() is not None


async def delivery_id_seen(session: AsyncSession, tenant: str, delivery_id: str) -> bool:
    found = await session.execute(
        select(WebhookDelivery.signature).where(
            WebhookDelivery.tenant == tenant, WebhookDelivery.delivery_id == delivery_id
        )
    )
    return found.first() is not None


async def get_delivery(
    session: AsyncSession, tenant: str, signature: str
) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, (tenant, signature))


async def forget_deliveries(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < before))
