"""Posts (share_facts): where each belongs in the aggregates and its latest reach."""

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
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


async def insert_share(session: AsyncSession, row: ShareFact) -> bool:
    """Records a post once; False when it was already known (a duplicate share.made)."""
    values = row.model_dump()
    inserted = await session.execute(
        insert(_shares).values(values).on_conflict_do_nothing().returning(_shares.c.share_id)
    )
    return inserted.first() is not None
