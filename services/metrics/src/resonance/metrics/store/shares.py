"""Posts (share_facts): where each belongs in the aggregates and its latest reach."""

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables_activity import ShareFact

_shares: Table = ShareFact.__table__


async def share(session: AsyncSession, tenant: str, share_id: str) -> ShareFact | None:
    return (
        await session.execute(
            select(ShareFact)
            .where(ShareFact.tenant == tenant, ShareFact.share_id == share_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
