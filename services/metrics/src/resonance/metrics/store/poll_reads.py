"""What applying a whole poll of share facts reads at once: one query per kind of row for
every person, item and post of the poll, instead of one per fact."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, select, text
from sqlalchemy import insert as sa_insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.activity import Attributes
from resonance.metrics.store.people import person_hash
from resonance.metrics.store.tables import PublishedContent
from resonance.metrics.store.tables_activity import ShareFact
from resonance.metrics.store.tables_gamification import BadgeAward, ChallengeRow

_shares: Table = ShareFact.__table__
_badges: Table = BadgeAward.__table__


@dataclass(frozen=True)
class ItemContext:
    family: str | None
    campaign_id: str | None


# `= ANY(:array)` rather than IN lists: one prepared statement whatever the poll's size.
async def erased_among(session: AsyncSession, tenant: str, people: set[str]) -> set[str]:
    hashes = {person_hash(tenant, who): who for who in people}
    found = await session.execute(
        text(
            "SELECT person_hash FROM erasures WHERE tenant = :tenant "
            "AND person_hash = ANY(CAST(:hashes AS text[]))"
        ),
        {"tenant": tenant, "hashes": list(hashes)},
    )
    return {hashes[str(h)] for h in found.scalars()}


async def known_shares(session: AsyncSession, tenant: str, share_ids: list[str]) -> set[str]:
    found = await session.execute(
        text(
            "SELECT share_id FROM share_facts WHERE tenant = :tenant "
            "AND share_id = ANY(CAST(:ids AS text[]))"
        ),
        {"tenant": tenant, "ids": share_ids},
    )
    return {str(s) for s in found.scalars()}


async def items(
    session: AsyncSession, tenant: str, content_ids: set[str]
) -> dict[str, ItemContext]:
    if not content_ids:
        return {}
    found = await session.execute(
        select(
            PublishedContent.content_id,
            PublishedContent.family,
            PublishedContent.campaign_id,
        ).where(
            PublishedContent.tenant == tenant,
            PublishedContent.content_id.in_(sorted(content_ids)),
        )
    )
    return {str(row[0]): ItemContext(row[1], row[2]) for row in found}


async def attributes(session: AsyncSession, tenant: str, ids: set[str]) -> dict[str, Attributes]:
    """The segment attributes of the people whose profile is known."""
    found = await session.execute(
        text(
            "SELECT ambassador_id, programmes, brand, entity, site, country, job_family "
            "FROM ambassadors WHERE tenant = :tenant AND ambassador_id = ANY(CAST(:ids AS text[])) "
            "AND profile_at IS NOT NULL"
        ),
        {"tenant": tenant, "ids": sorted(ids)},
    )
    return {
        str(r[0]): Attributes(
            programmes=tuple(r[1] or ()),
            brand=r[2],
            entity=r[3],
            site=r[4],
            country=r[5],
            job_family=r[6],
        )
        for r in found
    }


async def audiences(
    session: AsyncSession, tenant: str, ids: set[str]
) -> dict[tuple[str, str], int]:
    """(person, network) -> the largest audience of their live connections there."""
    found = await session.execute(
        text(
            "SELECT ambassador_id, network, max(audience_size) FROM connections "
            "WHERE tenant = :tenant AND ambassador_id = ANY(:people) "
            "AND disconnected_at IS NULL AND audience_size IS NOT NULL "
            "GROUP BY ambassador_id, network"
        ),
        {"tenant": tenant, "people": sorted(ids)},
    )
    return {(str(r[0]), str(r[1])): int(r[2]) for r in found}


async def badge_codes(session: AsyncSession, tenant: str, ids: list[str]) -> dict[str, set[str]]:
    found = await session.execute(
        text(
            "SELECT ambassador_id, code FROM badge_awards WHERE tenant = :tenant "
            "AND ambassador_id = ANY(CAST(:ids AS text[]))"
        ),
        {"tenant": tenant, "ids": ids},
    )
    codes: dict[str, set[str]] = {}
    for who, code in found:
        codes.setdefault(str(who), set()).add(str(code))
    return codes


async def any_challenge_running(
    session: AsyncSession, tenant: str, first: datetime, last: datetime
) -> bool:
    """Whether a challenge's window meets [first, last]: if none does, no fact of the poll
    can advance one."""
    found = await session.execute(
        select(ChallengeRow.id)
        .where(
            ChallengeRow.tenant == tenant,
            ChallengeRow.starts_at <= last,
            ChallengeRow.ends_at > first,
            ChallengeRow.cancelled_at.is_(None),
        )
        .limit(1)
    )
    return found.first() is not None


async def insert_shares(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    """New posts (their ids checked unknown in this transaction)."""
    if rows:
        # The core INSERT (cached once compiled), not the PostgreSQL one (compiled every time).
        await session.execute(sa_insert(_shares).returning(_shares.c.share_id), rows)
