"""KPI queries about people: population rates, concentration, cohorts, most active people.
Populations are read one row a person from the kept spans (population_spans) or a
programme's memberships, joined to the per-person monthly or daily roll-up; retention
cohorts from the kept marks (store/retention_marks.py), `cohorts` below being the plain
computation from share days they fall back to."""

# Every fragment interpolated below is one of ours (kpi_scope.py); values are bound.
# ruff: noqa: S608

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store import member_months
from resonance.metrics.store.boards import segment_sql
from resonance.metrics.store.kpi_scope import (
    Scope,
    activity_where,
    days,
    memberships_from,
    short_read,
)


def person_activity(scope: Scope) -> str:
    """FROM and WHERE over the people's activity rows of the period, aliased `d` (shares,
    contributions, ambassador_id): months when the period is whole months, else days."""
    whole_months = (scope.first_day is None or scope.first_day.day == 1) and scope.end_day.day == 1
    if whole_months:
        return f"FROM ambassador_monthly d WHERE d.tenant = :tenant AND {days(scope, 'd', 'month')}"
    return f"FROM ambassador_daily d WHERE d.tenant = :tenant AND {days(scope)}"


@dataclass(frozen=True)
class PopulationCounts:
    enrolled: int
    sharers: int
    active: int
    connected: int
    targeted: int  # invited or enrolled by the end of the period
    engaged: int  # of those, enrolled by the end of the period


def in_period(alias: str) -> str:
    """Whether the membership (or span) `alias` was enrolled at some moment of the period:
    enrolled before its end and not left before its start."""
    return (
        f"{alias}.enrolled_at IS NOT NULL AND {alias}.enrolled_at < :end_ts AND "
        f"({alias}.left_at IS NULL OR CAST(:start_ts AS timestamptz) IS NULL "
        f"OR {alias}.left_at >= :start_ts)"
    )


@dataclass(frozen=True)
class People:
    """The people of a segment, one row a person aliased `p` (FROM `source` WHERE `where`),
    and SQL conditions on that row: enrolled at some moment of the period, targeted
    (invited or enrolled) and engaged (enrolled) by its end."""

    source: str
    where: str
    enrolled: str
    targeted: str
    engaged: str

    def rows(self) -> str:
        """One row a person: ambassador_id and the three flags (e, t, g)."""
        return (
            f"SELECT p.ambassador_id, {self.enrolled} AS e, {self.targeted} AS t, "
            f"{self.engaged} AS g FROM {self.source} WHERE {self.where}"
        )


def _people_join(scope: Scope, params: dict[str, Any]) -> tuple[str, list[str]]:
    """The join to the people's current attributes when the segment needs them."""
    segment = scope.segment
    people = segment.people_part()
    if people.is_everyone:
        return "", []
    join = " JOIN ambassadors a ON a.tenant = p.tenant AND a.ambassador_id = p.ambassador_id"
    return join, segment_sql(people, params, "a")


def _grouped(source: str, conditions: list[str]) -> People:
    """Memberships (aliased m in `source`) grouped per person."""
    grouped = (
        f"SELECT m.ambassador_id, bool_or({in_period('m')}) AS enrolled, "
        "bool_or(coalesce(m.invited_at, m.enrolled_at) < :end_ts) AS targeted, "
        "bool_or(m.enrolled_at < :end_ts) AS engaged "
        f"FROM {source} WHERE {' AND '.join(conditions)} GROUP BY m.ambassador_id"
    )
    return People(f"({grouped}) p", "true", "p.enrolled", "p.targeted", "p.engaged")


def people_of(scope: Scope, params: dict[str, Any]) -> list[People]:
    """Where a segment's people are read from (disjoint parts, one row a person in each),
    without grouping memberships where it can:

    - all programmes: the kept spans (population_spans, domain/population.py) of the people
      whose enrolments leave no gap, and the memberships, grouped, of the few whose do;
    - one programme: its memberships (one row a person by their key);
    - several programmes: the memberships grouped per person (one pass over the covering
      ix_memberships_person)."""
    programmes = sorted(scope.segment.programmes)
    if len(programmes) > 1:
        return [_grouped(*memberships_from(scope, params))]
    join, conditions = _people_join(scope, params)
    if programmes:
        params["programme"] = programmes[0]
        where = ["p.tenant = :tenant", "p.programme_id = :programme", *conditions]
        return [
            People(
                f"memberships p{join}",
                " AND ".join(where),
                in_period("p"),
                "coalesce(p.invited_at, p.enrolled_at) < :end_ts",
                "p.enrolled_at < :end_ts",
            )
        ]
    spans = People(
        f"population_spans p{join}",
        " AND ".join(["p.tenant = :tenant", "NOT p.gaps", *conditions]),
        in_period("p"),
        "p.targeted_at < :end_ts",
        "p.enrolled_at < :end_ts",
    )
    gaps = _grouped(
        f"population_spans p{join} JOIN memberships m "
        "ON m.tenant = p.tenant AND m.ambassador_id = p.ambassador_id",
        ["p.tenant = :tenant", "p.gaps", *conditions],
    )
    return [spans, gaps]


def _everyone(parts: list[People]) -> str:
    return " UNION ALL ".join(part.rows() for part in parts)


CONNECTED = (
    "SELECT c.ambassador_id FROM connections c WHERE c.tenant = :tenant "
    "AND c.connected_at < :end_ts AND (c.disconnected_at IS NULL "
    "OR CAST(:start_ts AS timestamptz) IS NULL OR c.disconnected_at >= :start_ts)"
)


async def population_counts(session: AsyncSession, scope: Scope) -> PopulationCounts:
    """The people in the segment (enrolled at some moment of the period, targeted and
    engaged by its end), in one pass over their rows, each met with their activity and
    connections in the period (hashed: far fewer rows than people); over one whole month
    of the whole tenant, their activity from the kept member months instead."""
    params = scope.params()
    parts = people_of(scope, params)
    await short_read(session)
    month = await member_months.usable(session, scope)
    if month is not None:
        return await _kept_population_counts(session, params, parts, month)
    people = _everyone(parts)
    row = (
        await session.execute(
            text(
                "WITH act AS (SELECT d.ambassador_id, bool_or(d.shares > 0) AS shared, "
                f"bool_or(d.contributions > 0) AS active {person_activity(scope)} "
                "GROUP BY d.ambassador_id), "
                f"conn AS (SELECT DISTINCT ambassador_id FROM ({CONNECTED}) c) "
                "SELECT count(*) FILTER (WHERE per.e), "
                "count(*) FILTER (WHERE per.e AND act.shared), "
                "count(*) FILTER (WHERE per.e AND act.active), "
                "count(conn.ambassador_id) FILTER (WHERE per.e), "
                "count(*) FILTER (WHERE per.t), count(*) FILTER (WHERE per.g) "
                f"FROM ({people}) per LEFT JOIN act USING (ambassador_id) "
                "LEFT JOIN conn USING (ambassador_id)"
            ),
            params,
        )
    ).one()
    return PopulationCounts(*(int(v) for v in row))


def _gap_activity(gaps: People) -> str:
    """FROM and WHERE: the month's activity rows (`d`) of the people with gaps enrolled in
    the period (`per`), whom the kept flags leave out."""
    return (
        f"FROM ({gaps.rows()}) per JOIN ambassador_monthly d ON d.tenant = :tenant "
        "AND d.month = :month AND d.ambassador_id = per.ambassador_id WHERE per.e"
    )


async def _kept_population_counts(
    session: AsyncSession, params: dict[str, Any], parts: list[People], month: date
) -> PopulationCounts:
    """The people counted in one pass over their rows without meeting their activity; who
    shared and who contributed from the kept histogram, plus the people with gaps."""
    _, gaps = parts  # the whole tenant's: the gap-free spans, the people with gaps
    params["month"] = month
    row = (
        await session.execute(
            text(
                "SELECT count(*) FILTER (WHERE per.e), count(*) FILTER (WHERE per.e AND "
                f"per.ambassador_id IN ({CONNECTED})), count(*) FILTER (WHERE per.t), "
                f"count(*) FILTER (WHERE per.g) FROM ({_everyone(parts)}) per"
            ),
            params,
        )
    ).one()
    gap_shared, gap_active = (
        await session.execute(
            text(
                "SELECT count(*) FILTER (WHERE d.shares > 0), "
                f"count(*) FILTER (WHERE d.contributions > 0) {_gap_activity(gaps)}"
            ),
            params,
        )
    ).one()
    shared, active = await member_months.members_active(session, params["tenant"], month)
    enrolled, connected, targeted, engaged = (int(v) for v in row)
    return PopulationCounts(
        enrolled, shared + int(gap_shared), active + int(gap_active), connected, targeted, engaged
    )


async def _kept_contribution_buckets(
    session: AsyncSession, params: dict[str, Any], parts: list[People], month: date
) -> dict[int, int]:
    _, gaps = parts  # the whole tenant's: the gap-free spans, the people with gaps
    params["month"] = month
    enrolled = (
        await session.execute(
            text(f"SELECT count(*) FROM ({_everyone(parts)}) per WHERE per.e"), params
        )
    ).scalar_one()
    buckets = await member_months.members_by_contributions(session, params["tenant"], month)
    gap_buckets = await session.execute(
        text(f"SELECT d.contributions, count(*) {_gap_activity(gaps)} GROUP BY 1"), params
    )
    for contributions, people in gap_buckets:
        buckets[int(contributions)] = buckets.get(int(contributions), 0) + int(people)
    zeros = int(enrolled) - sum(n for c, n in buckets.items() if c > 0)
    buckets = {c: n for c, n in buckets.items() if c > 0}
    return {0: zeros, **buckets} if zeros else buckets


async def contribution_buckets(session: AsyncSession, scope: Scope) -> dict[int, int]:
    """{contributions in the period: number of enrolled people} (zeros included); over one
    whole month of the whole tenant, from the kept member months."""
    params = scope.params()
    parts = people_of(scope, params)
    await short_read(session)
    month = await member_months.usable(session, scope)
    if month is not None:
        return await _kept_contribution_buckets(session, params, parts, month)
    people = _everyone(parts)
    rows = await session.execute(
        text(
            "WITH act AS (SELECT d.ambassador_id, sum(d.contributions) AS n "
            f"{person_activity(scope)} GROUP BY d.ambassador_id) "
            "SELECT coalesce(act.n, 0) AS v, count(*) "
            f"FROM ({people}) per LEFT JOIN act USING (ambassador_id) WHERE per.e GROUP BY v"
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
        f"HAVING {eday} < :end" + ("" if scope.first_day is None else f" AND {eday} >= :first")
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
