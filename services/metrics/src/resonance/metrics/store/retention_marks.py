"""Kept retention marks (tables_activity.RetentionMarks): recomputed from memberships and
share days, a week's bit set as shares arrive, and read grouped per (enrolment day, marks).

The plain computation (store/kpi_people.cohorts) stays the answer whenever the marks cannot
give it: the tenant's zone changed since they were computed, or a programme id is the
reserved FIRST_ENROLMENT key.
"""

# Every fragment interpolated below is one of ours (kpi_scope.py, boards.segment_sql);
# values are bound.
# ruff: noqa: S608

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.domain.retention import MARKED_WEEKS, EnrolmentDay
from resonance.metrics.domain.segments import Segment
from resonance.metrics.store.boards import segment_sql
from resonance.metrics.store.kpi_scope import Scope, days, short_read

# The row of a person's first enrolment in any programme (a membership's programme id is
# never empty: such a membership gets no programme row, and reads naming it take the plain
# computation).
FIRST_ENROLMENT = ""

# Each enrolment's local day, per membership and per person (their first), for the people
# selected by {who}; their marks from their share days (ix_ambassador_daily_shared).
_ENROLMENTS = """
  SELECT m.tenant, m.ambassador_id, m.programme_id,
    CAST(m.enrolled_at AT TIME ZONE CAST(:tz AS text) AS date) AS eday
  FROM memberships m WHERE m.enrolled_at IS NOT NULL AND m.programme_id <> '' AND {who}
  UNION ALL
  SELECT m.tenant, m.ambassador_id, '',
    CAST(min(m.enrolled_at) AT TIME ZONE CAST(:tz AS text) AS date)
  FROM memberships m WHERE m.enrolled_at IS NOT NULL AND {who}
  GROUP BY m.tenant, m.ambassador_id
"""
REFRESH = f"""
  INSERT INTO retention_marks (tenant, ambassador_id, programme_id, timezone, enrolled_day, weeks)
  SELECT e.tenant, e.ambassador_id, e.programme_id, :tz, e.eday, coalesce((
    SELECT bit_or(CAST(1 AS bigint) << ((d.day - e.eday) / 7)) FROM ambassador_daily d
    WHERE d.tenant = e.tenant AND d.ambassador_id = e.ambassador_id AND d.shares > 0
    AND d.day >= e.eday AND d.day < e.eday + 7 * {MARKED_WEEKS}), 0)
  FROM ({_ENROLMENTS}) e ORDER BY 1, 2, 3
"""


async def _lock(session: AsyncSession, tenant: str, people: list[str] | None) -> None:
    """Serialises the writers of the same marks (a share's bit and a recount from share days
    in two transactions would otherwise lose the bit): the tenant's lock, shared by writers
    of some people's marks and held alone by a recount of everyone; then each person's, in
    one order so two writers never wait on each other."""
    tenant_key = f"retention_marks:{tenant}"
    if people is None:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": tenant_key}
        )
        return
    await session.execute(
        text("SELECT pg_advisory_xact_lock_shared(hashtextextended(:k, 0))"), {"k": tenant_key}
    )
    await session.execute(
        text(
            "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
            "FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k"
        ),
        {"keys": sorted({f"{tenant_key}:{who}" for who in people})},
    )


async def refresh(
    session: AsyncSession, tenant: str, timezone: str, people: Iterable[str] | None = None
) -> None:
    """Recomputes the marks of `people` (everyone in the tenant when None) in `timezone`."""
    params: dict[str, Any] = {"tenant": tenant, "tz": timezone}
    who = "m.tenant = :tenant"
    forget = "DELETE FROM retention_marks WHERE tenant = :tenant"
    chosen = None if people is None else sorted(set(people))
    await _lock(session, tenant, chosen)
    if chosen is not None:
        params["people"] = chosen
        who += " AND m.ambassador_id = ANY(CAST(:people AS text[]))"
        forget += " AND ambassador_id = ANY(CAST(:people AS text[]))"
    await session.execute(text(forget), params)
    await session.execute(text(REFRESH.format(who=who)), params)


async def mark_share_days(
    session: AsyncSession, tenant: str, share_days: Iterable[tuple[str, date]]
) -> None:
    """Sets the week bit of each (person, day) that just became a share day, in every row
    of the person (each enrolment counts weeks from its own day)."""
    pairs = sorted(set(share_days))
    if not pairs:
        return
    await _lock(session, tenant, [who for who, _ in pairs])
    await session.execute(
        text(
            "UPDATE retention_marks r SET weeks = r.weeks | v.bits FROM ("
            "SELECT s.who, r2.programme_id, "
            "bit_or(CAST(1 AS bigint) << ((s.day - r2.enrolled_day) / 7)) AS bits "
            "FROM unnest(CAST(:people AS text[]), CAST(:days AS date[])) AS s(who, day) "
            "JOIN retention_marks r2 ON r2.tenant = :tenant AND r2.ambassador_id = s.who "
            f"AND s.day >= r2.enrolled_day AND s.day < r2.enrolled_day + 7 * {MARKED_WEEKS} "
            "GROUP BY s.who, r2.programme_id) v "
            "WHERE r.tenant = :tenant AND r.ambassador_id = v.who "
            "AND r.programme_id = v.programme_id AND r.weeks & v.bits <> v.bits"
        ),
        {"tenant": tenant, "people": [p for p, _ in pairs], "days": [d for _, d in pairs]},
    )


async def in_zone(session: AsyncSession, tenant: str, timezone: str) -> bool:
    """Whether every kept mark of the tenant counts days in `timezone` (two empty index
    ranges when it does: `<>` would scan the tenant's whole range)."""
    other = await session.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM retention_marks WHERE tenant = :tenant "
            "AND (timezone < :tz OR timezone > :tz))"
        ),
        {"tenant": tenant, "tz": timezone},
    )
    return not other.scalar_one()


async def enrolment_days(
    session: AsyncSession, scope: Scope, weeks: int
) -> list[EnrolmentDay] | None:
    """People whose first enrolment in the segment falls in the period, per enrolment day:
    how many, and how many have week k marked, for k < `weeks`; None when the marks cannot
    answer (see the module's docstring)."""
    segment = scope.segment
    if FIRST_ENROLMENT in segment.programmes or not 0 < weeks <= MARKED_WEEKS:
        return None
    if not await in_zone(session, scope.tenant, scope.timezone):
        return None
    params = scope.params()
    source, conditions = _marks_from(segment, params)
    # Constants of ours, one column per week: bit k of the marks.
    per_week = ", ".join(f"count(*) FILTER (WHERE f.weeks & {1 << k} <> 0)" for k in range(weeks))
    if not segment.programmes:
        conditions.append(days(scope, "r", "enrolled_day"))
        members = f"SELECT r.enrolled_day, r.weeks FROM {source} WHERE {' AND '.join(conditions)}"
    else:
        # A member of several of the programmes counts once, from their first enrolment.
        conditions.append("r.enrolled_day < :end")
        members = (
            "SELECT g.enrolled_day, g.weeks FROM ("
            f"SELECT DISTINCT ON (r.ambassador_id) r.enrolled_day, r.weeks FROM {source} "
            f"WHERE {' AND '.join(conditions)} ORDER BY r.ambassador_id, r.enrolled_day) g "
            f"WHERE {days(scope, 'g', 'enrolled_day')}"
        )
    await short_read(session)
    rows = await session.execute(
        text(f"SELECT f.enrolled_day, count(*), {per_week} FROM ({members}) f GROUP BY 1"),
        params,
    )
    return [EnrolmentDay(r[0], int(r[1]), tuple(int(n) for n in r[2:])) for r in rows]


def _marks_from(segment: Segment, params: dict[str, Any]) -> tuple[str, list[str]]:
    """FROM retention_marks r (joined to the people when the segment needs their current
    attributes) and the conditions of the tenant and programmes."""
    conditions = ["r.tenant = :tenant"]
    if segment.programmes:
        params["programmes"] = sorted(segment.programmes)
        conditions.append("r.programme_id = ANY(CAST(:programmes AS text[]))")
    else:
        params["first_enrolment"] = FIRST_ENROLMENT
        conditions.append("r.programme_id = :first_enrolment")
    people = segment.people_part()
    source = "retention_marks r"
    if not people.is_everyone:
        source += " JOIN ambassadors a ON a.tenant = r.tenant AND a.ambassador_id = r.ambassador_id"
        conditions += segment_sql(people, params, "a")
    return source, conditions
