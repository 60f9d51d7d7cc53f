"""What re-engagement needs: people who chose an address, their last share and suggestion,
items live now and what peers shared lately."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables_reports import NudgeRow

_nudges: Table = NudgeRow.__table__


@dataclass(frozen=True)
class Reachable:
    """A person who asked for suggestions at an address, with what planning needs."""

    ambassador_id: str
    email: str
    token: str
    enrolled_at: datetime
    last_share_at: datetime | None
    last_suggested_at: datetime | None
    timezone: str | None
    quiet_hours_start: str | None
    quiet_hours_end: str | None
    working_days: list[int]
    next_allowed_nudge_at: datetime | None
    programmes: list[str]
    attributes: dict[str, Any]


async def reachable(session: AsyncSession, tenant: str) -> list[Reachable]:
    """People enrolled now (in a programme they have not left) who want suggestions."""
    rows = await session.execute(
        text(
            "SELECT a.ambassador_id, p.email, p.unsubscribe_token, m.enrolled_at, "
            "c.last_share_at, n.last_at, a.timezone, a.quiet_hours_start, a.quiet_hours_end, "
            "a.working_days, a.next_allowed_nudge_at, a.programmes, a.brand, a.entity, a.site, "
            "a.country, a.job_family, a.worker_type "
            "FROM ambassador_prefs p "
            "JOIN ambassadors a ON a.tenant = p.tenant AND a.ambassador_id = p.ambassador_id "
            "JOIN (SELECT ambassador_id, min(enrolled_at) AS enrolled_at FROM memberships "
            "      WHERE tenant = :tenant AND enrolled_at IS NOT NULL AND left_at IS NULL "
            "      GROUP BY ambassador_id) m ON m.ambassador_id = p.ambassador_id "
            "LEFT JOIN ambassador_counters c ON c.tenant = p.tenant "
            "      AND c.ambassador_id = p.ambassador_id "
            "LEFT JOIN (SELECT ambassador_id, max(sent_at) AS last_at FROM nudges "
            "      WHERE tenant = :tenant GROUP BY ambassador_id) n "
            "      ON n.ambassador_id = p.ambassador_id "
            "WHERE p.tenant = :tenant AND p.email IS NOT NULL AND p.suggestions AND a.active "
            "AND NOT a.erased ORDER BY a.ambassador_id"
        ),
        {"tenant": tenant},
    )
    return [
        Reachable(
            ambassador_id=str(r[0]),
            email=str(r[1]),
            token=str(r[2]),
            enrolled_at=r[3],
            last_share_at=r[4],
            last_suggested_at=r[5],
            timezone=r[6],
            quiet_hours_start=r[7],
            quiet_hours_end=r[8],
            working_days=list(r[9] or []),
            next_allowed_nudge_at=r[10],
            programmes=list(r[11] or []),
            attributes={
                "brand": r[12],
                "entity": r[13],
                "site": r[14],
                "country": r[15],
                "job_family": r[16],
                "worker_type": r[17],
            },
        )
        for r in rows
    ]


@dataclass(frozen=True)
class LiveItem:
    content_id: str
    title: str | None
    published_at: datetime
    targeting: dict[str, Any]
    peer_shares: int


async def live_items_shared_since(
    session: AsyncSession, tenant: str, since: date, now: datetime
) -> list[LiveItem]:
    """Items on offer now (published, not retired, not expired) with their shares since."""
    rows = await session.execute(
        text(
            "SELECT c.content_id, c.title, c.published_at, c.targeting, "
            "coalesce(s.shares, 0) FROM published_content c "
            "LEFT JOIN (SELECT content_id, sum(shares) AS shares FROM daily_activity "
            "  WHERE tenant = :tenant AND day >= :since GROUP BY content_id) s "
            "  ON s.content_id = c.content_id "
            "WHERE c.tenant = :tenant AND c.retired_at IS NULL AND c.published_at <= :now "
            "AND (c.expires_at IS NULL OR c.expires_at > :now) AND c.family <> 'submission'"
        ),
        {"tenant": tenant, "since": since, "now": now},
    )
    return [LiveItem(str(r[0]), r[1], r[2], dict(r[3] or {}), int(r[4])) for r in rows]


async def shared_by(session: AsyncSession, tenant: str, ambassador_id: str) -> set[str]:
    rows = await session.execute(
        text(
            "SELECT DISTINCT content_id FROM share_facts WHERE tenant = :tenant "
            "AND ambassador_id = :who AND content_id <> ''"
        ),
        {"tenant": tenant, "who": ambassador_id},
    )
    return {str(r[0]) for r in rows}


async def claim(
    session: AsyncSession, tenant: str, key: str, ambassador_id: str, items: list[str], at: datetime
) -> bool:
    """Records the week's suggestion; False when this person already has one this week."""
    inserted = await session.execute(
        insert(_nudges)
        .values(
            tenant=tenant,
            key=key,
            ambassador_id=ambassador_id,
            content_ids=items,
            status="sending",
            sent_at=at,
        )
        .on_conflict_do_nothing()
        .returning(_nudges.c.key)
    )
    return inserted.first() is not None


async def mark(session: AsyncSession, tenant: str, key: str, status: str) -> None:
    await session.execute(
        _nudges.update()
        .where(_nudges.c.tenant == tenant, _nudges.c.key == key)
        .values(status=status)
    )
