"""Challenges and each person's progress."""

import uuid
from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.paging import keyset
from resonance.metrics.store.tables_gamification import ChallengeProgressRow, ChallengeRow

_progress: Table = ChallengeProgressRow.__table__


async def running_at(
    session: AsyncSession, tenant: str, at: datetime, metrics: list[str]
) -> list[ChallengeRow]:
    """Challenges whose window holds `at` and that count one of `metrics`."""
    return list(
        (
            await session.execute(
                select(ChallengeRow).where(
                    ChallengeRow.tenant == tenant,
                    ChallengeRow.starts_at <= at,
                    ChallengeRow.ends_at > at,
                    ChallengeRow.cancelled_at.is_(None),
                    ChallengeRow.metric.in_(metrics),
                )
            )
        ).scalars()
    )


async def challenge(
    session: AsyncSession, tenant: str, challenge_id: uuid.UUID, *, for_update: bool = False
) -> ChallengeRow | None:
    query = select(ChallengeRow).where(
        ChallengeRow.tenant == tenant, ChallengeRow.id == challenge_id
    )
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def challenges_of(
    session: AsyncSession, tenant: str, *, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[ChallengeRow]:
    """Oldest first (creation time, then id), strictly after `after`."""
    query = select(ChallengeRow).where(ChallengeRow.tenant == tenant)
    order = (ChallengeRow.created_at, ChallengeRow.id)
    return list((await session.execute(keyset(query, order, after, limit))).scalars())


async def add_progress(
    session: AsyncSession, tenant: str, challenge_id: uuid.UUID, ambassador_id: str, amount: int
) -> ChallengeProgressRow:
    statement = insert(_progress).values(
        tenant=tenant, challenge_id=challenge_id, ambassador_id=ambassador_id, value=amount
    )
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_progress.primary_key),
            set_={"value": _progress.c.value + statement.excluded.value},
        ).returning(*_progress.c)
    )
    return ChallengeProgressRow.model_validate(dict(result.mappings().one()))


async def mark_completed(
    session: AsyncSession, challenge_id: uuid.UUID, ambassador_id: str, at: datetime
) -> bool:
    """Sets completed_at once; False when it was already set (the award is given once)."""
    result = await session.execute(
        _progress.update()
        .where(
            _progress.c.challenge_id == challenge_id,
            _progress.c.ambassador_id == ambassador_id,
            _progress.c.completed_at.is_(None),
        )
        .values(completed_at=at)
        .returning(_progress.c.ambassador_id)
    )
    return result.first() is not None


async def progress_of(
    session: AsyncSession, challenge_id: uuid.UUID, ambassador_id: str
) -> ChallengeProgressRow | None:
    return (
        await session.execute(
            select(ChallengeProgressRow).where(
                ChallengeProgressRow.challenge_id == challenge_id,
                ChallengeProgressRow.ambassador_id == ambassador_id,
            )
        )
    ).scalar_one_or_none()
