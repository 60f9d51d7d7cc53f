"""Digests made (one per key) and what a digest job needs to know."""

import uuid
from datetime import datetime

from sqlalchemy import Table, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.paging import keyset
from resonance.metrics.store.tables_reports import DigestRow

_digests: Table = DigestRow.__table__


async def exists(session: AsyncSession, key: str) -> bool:
    found = await session.execute(select(_digests.c.id).where(_digests.c.key == key))
    return found.first() is not None


async def claim(session: AsyncSession, values: dict[str, object]) -> bool:
    """Inserts the digest unless its key is taken (another run, another replica)."""
    inserted = await session.execute(
        insert(_digests).values(values).on_conflict_do_nothing().returning(_digests.c.id)
    )
    return inserted.first() is not None


async def mark(
    session: AsyncSession, digest_id: uuid.UUID, status: str, error: str | None, at: datetime
) -> None:
    await session.execute(
        _digests.update()
        .where(_digests.c.id == digest_id)
        .values(status=status, error=error, sent_at=at if status == "sent" else None)
    )


async def digest(session: AsyncSession, tenant: str, digest_id: uuid.UUID) -> DigestRow | None:
    return (
        await session.execute(
            select(DigestRow).where(DigestRow.tenant == tenant, DigestRow.id == digest_id)
        )
    ).scalar_one_or_none()


async def digests_of(
    session: AsyncSession, tenant: str, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[DigestRow]:
    """Newest first (creation time, then id, both descending), strictly after `after`."""
    query = select(DigestRow).where(DigestRow.tenant == tenant)
    order = (DigestRow.created_at, DigestRow.id)
    query = keyset(query, order, after, limit, descending=True)
    return list((await session.execute(query)).scalars())


async def programmes_of(session: AsyncSession, tenant: str) -> list[str]:
    rows = await session.execute(
        text("SELECT DISTINCT programme_id FROM memberships WHERE tenant = :tenant"),
        {"tenant": tenant},
    )
    return sorted(str(r[0]) for r in rows)


async def scrub_person(session: AsyncSession, tenant: str, ambassador_id: str) -> None:
    """Erasure: a past digest listing the person keeps its figures, not their id."""
    await session.execute(
        text(
            "UPDATE digests SET html = replace(html, :who, '(erased)'), "
            "data = CAST(replace(CAST(data AS text), :quoted, :erased) AS jsonb) "
            "WHERE tenant = :tenant AND position(:who in html) > 0"
        ),
        {
            "tenant": tenant,
            "who": ambassador_id,
            "quoted": f'"{ambassador_id}"',
            "erased": '"(erased)"',
        },
    )
