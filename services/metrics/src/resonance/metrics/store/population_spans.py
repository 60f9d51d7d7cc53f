"""Kept population spans (tables.PopulationSpan): one row per person, recomputed from their
memberships whenever one changes (domain/population.py says what the columns mean)."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# `reach`: the latest end among the person's earlier enrolments (infinity while one lasts);
# an enrolment starting after it leaves a gap. NULL enrolments sort last and count for
# nothing but the first invitation.
REFRESH = """
  INSERT INTO population_spans (tenant, ambassador_id, enrolled_at, targeted_at, left_at, gaps)
  SELECT m.tenant, m.ambassador_id, min(m.enrolled_at), min(coalesce(m.invited_at, m.enrolled_at)),
    CASE WHEN bool_or(m.enrolled_at IS NOT NULL AND m.left_at IS NULL) THEN NULL
      ELSE max(m.left_at) FILTER (WHERE m.enrolled_at IS NOT NULL) END,
    coalesce(bool_or(m.enrolled_at > m.reach OR m.left_at < m.enrolled_at), false)
  FROM (SELECT m.tenant, m.ambassador_id, m.invited_at, m.enrolled_at, m.left_at,
      max(coalesce(m.left_at, 'infinity')) OVER (PARTITION BY m.tenant, m.ambassador_id
        ORDER BY m.enrolled_at, m.programme_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        AS reach
    FROM memberships m WHERE {who}) m
  GROUP BY m.tenant, m.ambassador_id ORDER BY 1, 2
"""


async def refresh(session: AsyncSession, tenant: str, people: Iterable[str] | None = None) -> None:
    """Recomputes the spans of `people` (everyone in the tenant when None)."""
    params: dict[str, Any] = {"tenant": tenant}
    who = "m.tenant = :tenant"
    forget = "DELETE FROM population_spans WHERE tenant = :tenant"
    if people is not None:
        params["people"] = sorted(set(people))
        who += " AND m.ambassador_id = ANY(CAST(:people AS text[]))"
        forget += " AND ambassador_id = ANY(CAST(:people AS text[]))"
    await session.execute(text(forget), params)
    await session.execute(text(REFRESH.format(who=who)), params)
