"""Badges awarded (each once per person: the primary key says so)."""

from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.paging import keyset
from resonance.metrics.store.tables_gamification import BadgeAward

_badges: Table = BadgeAward.__table__


async def award_badge(
    session: AsyncSession, tenant: str, ambassador_id: str, code: str, title: str, at: datetime
) -> bool:
    """True when the badge is new for this person."""
    inserted = await session.execute(
        insert(_badges)
        .values(tenant=tenant, ambassador_id=ambassador_id, code=code, title=title, awarded_at=at)
        .on_conflict_do_nothing()
        .returning(_badges.c.code)
    )
    return inserted.first() is not None


async def award_badges(
    session: AsyncSession, tenant: str, awards: list[tuple[str, str, str]], at: datetime
) -> set[tuple[str, str]]:
    """`award_badge` for many (person, code, title) at once; returns the (person, code)
    pairs that are new. Rows go in key order, so two transactions lock them alike."""
    if not awards:
        return set()
    inserted = await session.execute(
        insert(_badges)
        .values(
            [
                {
                    "tenant": tenant,
                    "ambassador_id": who,
                    "code": code,
                    "title": title,
                    "awarded_at": at,
                }
                for who, code, title in sorted(set(awards))
            ]
        )
        .on_conflict_do_nothing()
        .returning(_badges.c.ambassador_id, _badges.c.code)
    )
    return {(str(who), str(code)) for who, code in inserted}


async def codes_of(session: AsyncSession, tenant: str, ambassador_id: str) -> set[str]:
    rows = await session.execute(
        select(_badges.c.code).where(
            _badges.c.tenant == tenant, _badges.c.ambassador_id == ambassador_id
        )
    )
    return {str(code) for code in rows.scalars()}


async def badges_of(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[BadgeAward]:
    """Oldest first (award time, then code: one award per code), strictly after `after`."""
    query = select(BadgeAward).where(
        BadgeAward.tenant == tenant, BadgeAward.ambassador_id == ambassador_id
    )
    order = (BadgeAward.awarded_at, BadgeAward.code)
    return list((await session.execute(keyset(query, order, after, limit))).scalars())
