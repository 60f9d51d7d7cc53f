"""KPI queries about people: population rates, concentration, cohorts, most active people.
Each is one GROUP BY over memberships and the per-person monthly or daily roll-up."""

# Every fragment interpolated below is one of ours (kpi_scope.py); values are bound.
# ruff: noqa: S608

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.kpi_scope import Scope, activity_where, memberships_from


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


# One row a person, from one pass over their memberships (the covering index
# ix_memberships_person: an index-only scan in person order, no DISTINCT).
IN_PERIOD = (
    "m.enrolled_at IS NOT NULL AND m.enrolled_at < :end_ts AND (m.left_at IS NULL "
    "OR CAST(:start_ts AS timestamptz) IS NULL OR m.left_at >= :start_ts)"
)


async def population_counts(session: AsyncSession, scope: Scope) -> PopulationCounts:
    """One pass over the memberships in the segment, grouped per person (enrolled at some
    moment of the period, targeted and engaged by its end), joined to their activity and
    connections in the period."""
    params = scope.params()
    source, conditions = memberships_from(scope, params)
    row = (
        await session.execute(
            text(
                f"WITH per AS (SELECT m.ambassador_id, bool_or({IN_PERIOD}) AS enrolled, "
                "bool_or(coalesce(m.invited_at, m.enrolled_at) < :end_ts) AS targeted, "
                "bool_or(m.enrolled_at < :end_ts) AS engaged "
                f"FROM {source} WHERE {' AND '.join(conditions)} GROUP BY m.ambassador_id), "
                "act AS (SELECT d.ambassador_id, bool_or(d.shares > 0) AS shared, "
                f"bool_or(d.contributions > 0) AS active {person_activity(scope)} "
                "GROUP BY d.ambassador_id), "
                "conn AS (SELECT DISTINCT c.ambassador_id FROM connections c "
                "WHERE c.tenant = :tenant AND c.connected_at < :end_ts AND (c.disconnected_at "
                "IS NULL OR CAST(:start_ts AS timestamptz) IS NULL "
                "OR c.disconnected_at >= :start_ts)) "
                "SELECT count(*) FILTER (WHERE per.enrolled), "
                "count(*) FILTER (WHERE per.enrolled AND act.shared), "
                "count(*) FILTER (WHERE per.enrolled AND act.active), "
                "count(conn.ambassador_id) FILTER (WHERE per.enrolled), "
                "count(*) FILTER (WHERE per.targeted), count(*) FILTER (WHERE per.engaged) "
                "FROM per LEFT JOIN act USING (ambassador_id) LEFT JOIN conn USING (ambassador_id)"
            ),
            params,
        )
    ).one()
    return PopulationCounts(*(int(v) for v in row))


def _population(scope: Scope, params: dict[str, Any]) -> str:
    """The people enrolled at some moment of the period, in the segment (one row each)."""
    source, conditions = memberships_from(scope, params)
    return (
        f"SELECT m.ambassador_id FROM {source} WHERE {' AND '.join(conditions)} "
        f"AND {IN_PERIOD} GROUP BY m.ambassador_id"
    )


async def contribution_buckets(session: AsyncSession, scope: Scope) -> dict[int, int]:
    """{contributions in the period: number of enrolled people} (zeros included)."""
    params = scope.params()
    rows = await session.execute(
        text(
            f"WITH pop AS ({_population(scope, params)}), "
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


def _first_enrolments(scope: Scope, params: dict[str, Any]) -> str:
    """Per person in the segment, the local day of their first enrolment (`eday`), for those
    whose first enrolment falls in the period."""
    source, conditions = memberships_from(scope, params)
    eday = "CAST(min(m.enrolled_at) AT TIME ZONE CAST(:tz AS text) AS date)"
    return (
        f"SELECT m.ambassador_id, {eday} AS eday FROM {source} "
        f"WHERE {' AND '.join(conditions)} AND m.enrolled_at IS NOT NULL "
        f"AND m.enrolled_at < :end_ts GROUP BY m.ambassador_id "
        f"HAVING (CAST(:first AS date) IS NULL OR {eday} >= :first) AND {eday} < :end"
    )


async def cohorts(session: AsyncSession, scope: Scope, weeks: int, today: date) -> CohortRows:
    """Members by first enrolment (local day) within the period, and per cohort and week
    after enrolment how many shared in a week already over by `today`: one statement, the
    members computed once; each member's weeks read from the index of their share days
    (ix_ambassador_daily_shared), never from a scan of the period's activity."""
    params = {**scope.params(), "weeks": weeks, "today": today}
    rows = await session.execute(
        text(
            f"WITH mem AS MATERIALIZED ({_first_enrolments(scope, params)}) "
            "SELECT mem.eday, CAST(NULL AS integer), count(*) FROM mem GROUP BY mem.eday "
            "UNION ALL "
            "SELECT CAST(date_trunc('month', mem.eday) AS date), w.week, count(*) FROM mem "
            "CROSS JOIN LATERAL (SELECT DISTINCT (d.day - mem.eday) / 7 AS week "
            "FROM ambassador_daily d WHERE d.tenant = :tenant "
            "AND d.ambassador_id = mem.ambassador_id AND d.shares > 0 AND d.day >= mem.eday "
            "AND d.day < mem.eday + 7 * :weeks) w "
            "WHERE mem.eday + 7 * (w.week + 1) <= :today GROUP BY 1, 2"
        ),
        params,
    )
    sizes: dict[date, dict[date, int]] = {}
    active: dict[tuple[date, int], int] = {}
    for day, week, n in rows:
        if week is None:
            sizes.setdefault(day.replace(day=1), {})[day] = int(n)
        else:
            active[(day, int(week))] = int(n)
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
    source, conditions = memberships_from(scope, params)
    row = await session.execute(
        text(
            f"SELECT count(*) FROM (SELECT m.ambassador_id FROM {source} "
            f"WHERE {' AND '.join(conditions)} AND m.enrolled_at IS NOT NULL "
            "AND m.enrolled_at < :end_ts GROUP BY m.ambassador_id "
            "HAVING CAST(:start_ts AS timestamptz) IS NULL OR min(m.enrolled_at) >= :start_ts) f"
        ),
        params,
    )
    return int(row.scalar_one())
