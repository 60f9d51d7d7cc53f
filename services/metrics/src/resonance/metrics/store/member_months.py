"""Kept member months (migration e5a7c3b9d2f1): each person-month of activity flagged with
whether the person was a member then (their gap-free span overlaps the local month of the
tenant's zone), and per month the members' people per (contributions, shared), kept by
triggers. Participation and concentration over one whole month for the whole tenant read
these instead of meeting every person with their activity.

Flags are counted in the zone `member_zones` holds for the tenant; they move with a person's
span (`recount` for them after population_spans.refresh) and with the zone (`recount` for
everyone). People whose enrolments leave gaps are never flagged: reads count them from their
memberships (few rows).
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.domain.periods import add_months
from resonance.metrics.store.kpi_scope import Scope

_RECOUNT = """
  UPDATE ambassador_monthly m SET member = f.member FROM (
    SELECT m.tenant, m.month, m.ambassador_id, coalesce(s.enrolled_at IS NOT NULL
      AND NOT s.gaps
      AND s.enrolled_at < CAST(m.month + interval '1 month' AS timestamp) AT TIME ZONE :tz
      AND (s.left_at IS NULL OR s.left_at >= CAST(m.month AS timestamp) AT TIME ZONE :tz),
      false) AS member
    FROM ambassador_monthly m LEFT JOIN population_spans s
      ON s.tenant = m.tenant AND s.ambassador_id = m.ambassador_id
    WHERE {who}) f
  WHERE m.tenant = f.tenant AND m.month = f.month AND m.ambassador_id = f.ambassador_id
    AND m.member <> f.member
"""


async def zone(session: AsyncSession, tenant: str) -> str | None:
    """The zone the tenant's flags are counted in (None: not counted yet)."""
    row = await session.execute(
        text("SELECT timezone FROM member_zones WHERE tenant = :tenant"), {"tenant": tenant}
    )
    return row.scalar_one_or_none()


async def recount(
    session: AsyncSession, tenant: str, timezone: str, people: Iterable[str] | None = None
) -> None:
    """Flags again the person-months of `people` (everyone when None, or when the zone moved)
    from their current spans, in `timezone`."""
    params: dict[str, Any] = {"tenant": tenant, "tz": timezone}
    if await zone(session, tenant) != timezone:
        people = None  # every flag was counted in another zone, or none was
        await session.execute(
            text(
                "INSERT INTO member_zones (tenant, timezone) VALUES (:tenant, :tz) "
                "ON CONFLICT (tenant) DO UPDATE SET timezone = excluded.timezone"
            ),
            params,
        )
    who = "m.tenant = :tenant"
    if people is not None:
        params["people"] = sorted(set(people))
        who += " AND m.ambassador_id = ANY(CAST(:people AS text[]))"
    await session.execute(text(_RECOUNT.format(who=who)), params)


def kept_month(scope: Scope) -> date | None:
    """The month a read can take from the kept flags: the whole tenant over one whole local
    month (a longer period needs each person's activity summed across months)."""
    first = scope.first_day
    if not scope.segment.is_everyone or first is None or first.day != 1:
        return None
    return first if scope.end_day == add_months(first, 1) else None


async def usable(session: AsyncSession, scope: Scope) -> date | None:
    """kept_month, when the flags are counted in the read's zone."""
    month = kept_month(scope)
    if month is None or await zone(session, scope.tenant) != scope.timezone:
        return None
    return month


async def members_active(session: AsyncSession, tenant: str, month: date) -> tuple[int, int]:
    """Flagged members who shared, and who contributed, in `month`."""
    row = await session.execute(
        text(
            "SELECT coalesce(sum(people) FILTER (WHERE shared), 0), "
            "coalesce(sum(people) FILTER (WHERE contributions > 0), 0) "
            "FROM member_month_histograms WHERE tenant = :tenant AND month = :month"
        ),
        {"tenant": tenant, "month": month},
    )
    shared, active = row.one()
    return int(shared), int(active)


async def members_by_contributions(
    session: AsyncSession, tenant: str, month: date
) -> dict[int, int]:
    """{contributions: flagged members} in `month`, those with none left out."""
    rows = await session.execute(
        text(
            "SELECT contributions, sum(people) FROM member_month_histograms "
            "WHERE tenant = :tenant AND month = :month AND contributions > 0 "
            "GROUP BY contributions HAVING sum(people) > 0"
        ),
        {"tenant": tenant, "month": month},
    )
    return {int(c): int(n) for c, n in rows}
