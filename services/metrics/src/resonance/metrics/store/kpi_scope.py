"""What a KPI read is about (tenant, local days, segment) and the SQL conditions it turns into.

Activity rows (daily_activity, ambassador_daily) are filtered on the segment attributes they
were written with; populations (memberships) on the people's current attributes and on the
programme they are members of.
"""

# Every fragment interpolated into SQL here is one of ours; values are bound.

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.domain.segments import Segment
from resonance.metrics.store.boards import segment_sql


@dataclass(frozen=True)
class Scope:
    tenant: str
    timezone: str
    first_day: date | None  # None: all time
    end_day: date  # exclusive
    start: datetime | None  # first_day's local midnight, in UTC
    end: datetime  # end_day's local midnight, in UTC
    segment: Segment

    def params(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "first": self.first_day,
            "end": self.end_day,
            "start_ts": self.start,
            "end_ts": self.end,
            "tz": self.timezone,
        }


def days(scope: Scope, alias: str = "d", column: str = "day") -> str:
    """The period's days on `alias.column`. An all-time read has no lower bound in its text
    rather than a `:first IS NULL OR` one: a prepared statement's generic plan cannot use a
    bound it may have to ignore, and read every day there is (seen at 326,000 rows)."""
    upper = f"{alias}.{column} < :end"
    return upper if scope.first_day is None else f"{alias}.{column} >= :first AND {upper}"


def activity_where(scope: Scope, params: dict[str, Any], alias: str = "d") -> str:
    """Conditions on an activity table aliased `alias`: tenant, days, segment."""
    conditions = [f"{alias}.tenant = :tenant", days(scope, alias)]
    conditions += segment_sql(scope.segment, params, alias)
    return " AND ".join(conditions)


def memberships_from(scope: Scope, params: dict[str, Any]) -> tuple[str, list[str]]:
    """FROM memberships m (joined to the people only when the segment needs their attributes)
    and the conditions of the tenant, programmes and people's attributes."""
    conditions = ["m.tenant = :tenant"]
    segment = scope.segment
    if segment.programmes:
        params["programmes"] = sorted(segment.programmes)
        conditions.append("m.programme_id = ANY(CAST(:programmes AS text[]))")
    people = segment.people_part()
    source = "memberships m"
    if not people.is_everyone:
        source += " JOIN ambassadors a ON a.tenant = m.tenant AND a.ambassador_id = m.ambassador_id"
        conditions += segment_sql(people, params, "a")
    return source, conditions


# Segment field -> the attribute column activity rows keep it in.
_ATTRIBUTES = {
    "brands": "brand",
    "entities": "entity",
    "sites": "site",
    "countries": "country",
    "job_families": "job_family",
}


def rollup_scope(segment: Segment, items: bool = False) -> str | None:
    """The activity rollup scope a segment's activity is summed in (migration 9d3f6a1c8e27):
    '' for the whole tenant, 'programme:<id>' for one programme alone and, per day (not per
    item), '<attribute>:<value>' for one value of one attribute alone; None when the read
    needs the activity rows (several values, several fields: a row may match twice)."""
    if segment.is_everyone:
        return ""
    named = [("programmes", segment.programmes)]
    named += [(name, getattr(segment, name)) for name in _ATTRIBUTES]
    fields = [(name, values) for name, values in named if values]
    if len(fields) != 1 or len(fields[0][1]) != 1:
        return None
    name, values = fields[0]
    value = next(iter(values))
    if name == "programmes":
        return f"programme:{value}"
    return None if items else f"{_ATTRIBUTES[name]}:{value}"


async def short_read(session: AsyncSession) -> None:
    """For the rest of a people KPI read's transaction: no JIT compilation (~100 ms, more than
    the read, once its estimated cost passes jit_above_cost) and no parallel workers (joins
    to the period's activity are overestimated a hundredfold; starting workers costs more
    than the one pass over the people they would share)."""
    await session.execute(text("SET LOCAL jit = off"))
    await session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
