"""KPI queries about people: population rates, concentration, cohorts, most active people.
Each is one GROUP BY over memberships and the per-person monthly or daily roll-up."""

# Every fragment interpolated below is one of ours (kpi_scope.py); values are bound.
# ruff: noqa: S608

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.kpi_scope import (
    Scope,
    activity_where,
    memberships_from,
    population_sql,
)


def person_activity(scope: Scope) -> str:
    """FROM and WHERE over the people's activity rows of the period, aliased `d` (shares,
    contributions, ambassador_id): months when the period is whole months, else days."""
    whole_months = (scope.first_day is None or scope.first_day.day == 1) and scope.end_day.day == 1
    if whole_months:
        return (
            "FROM ambassador_monthly d WHERE d.tenant = :tenant "
            "AND (CAST(:first AS date) IS NULL OR d.month >= :first) AND d.month < :end"
        )
    return (
        "FROM ambassador_daily d WHERE d.tenant = :tenant "
        "AND (CAST(:first AS date) IS NULL OR d.day >= :first) AND d.day < :end"
    )


@dataclass(frozen=True)
class PopulationCounts:
    enrolled: int
    sharers: int
    active: int
    connected: int
    targeted: int  # invited or enrolled by the end of the period
    engaged: int  # of those, enrolled by the end of the period


async def population_counts(session: AsyncSession, scope: Scope) -> PopulationCounts:
    """One pass over the population (joined to its activity and connections in the period)
    and one over the memberships (who was targeted, who enrolled, by the end)."""
    params = scope.params()
    pop = population_sql(scope, params)
    source, conditions = memberships_from(scope, params)
    row = (
        await session.execute(
            text(
                f"WITH pop AS ({pop}), "
                "act AS (SELECT d.ambassador_id, bool_or(d.shares > 0) AS shared, "
                f"bool_or(d.contributions > 0) AS active {person_activity(scope)} "
                "GROUP BY d.ambassador_id), "
                "conn AS (SELECT DISTINCT c.ambassador_id FROM connections c "
                "WHERE c.tenant = :tenant AND c.connected_at < :end_ts AND (c.disconnected_at "
                "IS NULL OR CAST(:start_ts AS timestamptz) IS NULL "
                "OR c.disconnected_at >= :start_ts)), "
                "marks AS (SELECT count(*) AS enrolled, count(*) FILTER (WHERE act.shared) AS s, "
                "count(*) FILTER (WHERE act.active) AS a, count(conn.ambassador_id) AS c "
                "FROM pop LEFT JOIN act USING (ambassador_id) LEFT JOIN conn USING (ambassador_id)), "
                "funnel AS (SELECT count(DISTINCT m.ambassador_id) FILTER "
                "(WHERE coalesce(m.invited_at, m.enrolled_at) < :end_ts) AS targeted, "
                "count(DISTINCT m.ambassador_id) FILTER (WHERE m.enrolled_at < :end_ts) AS engaged "
                f"FROM {source} WHERE {' AND '.join(conditions)}) "
                "SELECT marks.enrolled, marks.s, marks.a, marks.c, funnel.targeted, funnel.engaged "
                "FROM marks, funnel"
            ),
            params,
        )
    ).one()
    return PopulationCounts(*(int(v) for v in row))


async def contribution_buckets(session: AsyncSession, scope: Scope) -> dict[int, int]:
    """{contributions in the period: number of enrolled people} (zeros included)."""
    params = scope.params()
    rows = await session.execute(
        text(
            f"WITH pop AS ({population_sql(scope, params)}), "
            "act AS (SELECT d.ambassador_id, sum(d.contributions) AS n "
            f"{person_activity(scope)} GROUP BY d.ambassador_id) "
            "SELECT coalesce(act.n, 0) AS v, count(*) FROM pop LEFT JOIN act USING (ambassador_id) "
            "GROUP BY v"
        ),
        params,
    )
    return {int(v): int(n) for v, n in rows}


@dataclass(frozen=True)
class CohortRows:
    sizes: dict[date, dict[date, int]]  # cohort month -> {enrolment day: members}
    active: dict[tuple[date, int], int]  # (cohort month, week) -> members active that week


async def cohorts(session: AsyncSession, scope: Scope, weeks: int, today: date) -> CohortRows:
    """Members by first enrolment (local day) within the period, and per cohort and week
    after enrolment how many shared in a week already over by `today`."""
    params = {**scope.params(), "weeks": weeks, "today": today}
    members = population_sql(scope, params, in_period=False).replace(
        "SELECT DISTINCT m.ambassador_id",
        "SELECT m.ambassador_id, "
        "CAST(min(m.enrolled_at) AT TIME ZONE CAST(:tz AS text) AS date) AS eday",
    )
    members += " GROUP BY m.ambassador_id"
    window = "(CAST(:first AS date) IS NULL OR mem.eday >= :first) AND mem.eday < :end"
    sizes: dict[date, dict[date, int]] = {}
    rows = await session.execute(
        text(
            f"WITH mem AS ({members}) SELECT mem.eday, count(*) FROM mem WHERE {window} "
            "GROUP BY mem.eday"
        ),
        params,
    )
    for eday, n in rows:
        sizes.setdefault(eday.replace(day=1), {})[eday] = int(n)
    rows = await session.execute(
        text(
            f"WITH mem AS ({members}), weeks AS (SELECT DISTINCT mem.ambassador_id, mem.eday, "
            "(d.day - mem.eday) / 7 AS week FROM mem JOIN ambassador_daily d "
            "ON d.tenant = :tenant AND d.ambassador_id = mem.ambassador_id AND d.shares > 0 "
            "AND d.day >= mem.eday AND d.day < mem.eday + 7 * :weeks "
            f"WHERE {window}) "
            "SELECT CAST(date_trunc('month', eday) AS date), week, count(*) FROM weeks "
            "WHERE eday + 7 * (week + 1) <= :today GROUP BY 1, 2"
        ),
        params,
    )
    active = {(cohort, int(week)): int(n) for cohort, week, n in rows}
    return CohortRows(sizes, active)


@dataclass(frozen=True)
class PersonTotals:
    ambassador_id: str
    shares: int
    contributions: int
    clicks: int
    points: int


ORDERS = {
    "shares": "shares",
    "contributions": "contributions",
    "clicks": "clicks",
    "points": "points",
}


async def top_people(
    session: AsyncSession, scope: Scope, by: str, limit: int
) -> list[PersonTotals]:
    """Most active people in the period, leaving out those hidden and those erased."""
    params: dict[str, Any] = {**scope.params(), "limit": limit}
    order = ORDERS[by]
    rows = await session.execute(
        text(
            "SELECT d.ambassador_id, sum(d.shares) AS shares, sum(d.contributions) AS contributions,"
            " sum(d.clicks) AS clicks, sum(d.points) AS points FROM ambassador_daily d "
            "LEFT JOIN ambassador_prefs p ON p.tenant = d.tenant AND p.ambassador_id = d.ambassador_id "
            f"WHERE {activity_where(scope, params)} AND NOT coalesce(p.hidden, false) "
            "AND d.ambassador_id NOT LIKE 'erased-%' "
            f"GROUP BY d.ambassador_id HAVING sum(d.{order}) > 0 "
            f"ORDER BY {order} DESC, d.ambassador_id LIMIT :limit"
        ),
        params,
    )
    return [PersonTotals(str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


async def enrolments(session: AsyncSession, scope: Scope) -> int:
    """People whose first enrolment falls in the period."""
    params = scope.params()
    members = population_sql(scope, params, in_period=False).replace(
        "SELECT DISTINCT m.ambassador_id", "SELECT m.ambassador_id, min(m.enrolled_at) AS first_at"
    )
    row = await session.execute(
        text(
            f"WITH mem AS ({members} GROUP BY m.ambassador_id) SELECT count(*) FROM mem "
            "WHERE (CAST(:start_ts AS timestamptz) IS NULL OR first_at >= :start_ts) "
            "AND first_at < :end_ts"
        ),
        params,
    )
    return int(row.scalar_one())
