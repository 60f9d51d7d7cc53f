"""Rolling 30-day boards kept like the calendar ones (board_scores, kind rolling_30_days,
label = the window), so reading one is an index walk instead of a sum over 30 days of rows.

A window is built once, when the tenant's local day changes, from ambassador_daily; points
that arrive afterwards are added to it directly. An advisory lock per tenant keeps the two
apart: crediting takes it shared, building exclusive, so a build waits for the points being
credited to commit and sees them, and a credit either finds the window built (and adds to it)
or leaves it to the build that will count it.
"""

import hashlib
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables_gamification import RollingBoard

KIND = "rolling_30_days"


def _lock_key(tenant: str) -> int:
    digest = hashlib.sha256(f"rolling-board\x00{tenant}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def lock(session: AsyncSession, tenant: str, *, exclusive: bool) -> None:
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    await session.execute(text(f"SELECT {function}(:key)"), {"key": _lock_key(tenant)})


async def is_built(session: AsyncSession, tenant: str, label: str) -> bool:
    found = await session.execute(
        select(RollingBoard.label).where(RollingBoard.tenant == tenant, RollingBoard.label == label)
    )
    return found.first() is not None


async def build(
    session: AsyncSession, tenant: str, label: str, first_day: date, end_day: date, at: datetime
) -> None:
    """The window's board from the person-day rows, then the window marked built; boards of
    older windows go."""
    params = {"tenant": tenant, "label": label, "kind": KIND, "first": first_day, "end": end_day}
    await session.execute(
        text(
            "INSERT INTO board_scores (tenant, kind, label, ambassador_id, score, reached_at) "
            "SELECT tenant, :kind, :label, ambassador_id, sum(points), "
            "coalesce(max(last_scored_at), now()) FROM ambassador_daily "
            "WHERE tenant = :tenant AND day >= :first AND day < :end AND points <> 0 "
            "GROUP BY tenant, ambassador_id ON CONFLICT DO NOTHING"
        ),
        params,
    )
    await session.execute(
        text(
            "DELETE FROM board_scores WHERE tenant = :tenant AND kind = :kind AND label <> :label"
        ),
        params,
    )
    await session.execute(
        text(
            "DELETE FROM board_histograms WHERE tenant = :tenant AND kind = :kind "
            "AND label <> :label"
        ),
        params,
    )  # emptied by the delete above (trigger); the rows of zeros go too
    await session.execute(
        text("DELETE FROM rolling_boards WHERE tenant = :tenant AND label <> :label"), params
    )
    session.add(RollingBoard(tenant=tenant, label=label, built_at=at))
    await session.flush()
