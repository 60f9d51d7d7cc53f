"""Incremental writes to the aggregates: one upsert per fact and grain, adding to counters.

Every write is `INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`, so the cost of a
fact does not grow with history, and two facts for the same row never lose an increment.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.domain.badges import BadgeCounters
from resonance.metrics.store.tables import NONE_KEY
from resonance.metrics.store.tables_activity import (
    AmbassadorCounters,
    AmbassadorDaily,
    DailyActivity,
    ItemVisitor,
)

_daily: Table = DailyActivity.__table__
_person_daily: Table = AmbassadorDaily.__table__
_counters: Table = AmbassadorCounters.__table__
_visitors: Table = ItemVisitor.__table__

SEGMENT_COLUMNS = ("programmes", "brand", "entity", "site", "country", "job_family")


@dataclass(frozen=True)
class Attributes:
    """A person's segment attributes when a fact is applied (None: profile not known yet)."""

    programmes: tuple[str, ...] = ()
    brand: str | None = None
    entity: str | None = None
    site: str | None = None
    country: str | None = None
    job_family: str | None = None

    def values(self) -> dict[str, object]:
        return {
            "programmes": list(self.programmes),
            "brand": self.brand,
            "entity": self.entity,
            "site": self.site,
            "country": self.country,
            "job_family": self.job_family,
        }


@dataclass(frozen=True)
class ActivityKey:
    tenant: str
    day: date
    ambassador_id: str
    content_id: str | None = None
    campaign_id: str | None = None
    network: str | None = None
    family: str | None = None
    attributes: Attributes | None = field(default=None, compare=False)


def _segment_values(attributes: Attributes | None) -> dict[str, object]:
    if attributes is None:
        return {"segment_known": False, **Attributes().values()}
    return {"segment_known": True, **attributes.values()}


def _segment_updates(table: Table) -> dict[str, object]:
    """Keep what a row knows; fill a row written before the profile arrived."""
    known = table.c.segment_known
    updates: dict[str, object] = {"segment_known": known | text("excluded.segment_known")}
    for name in SEGMENT_COLUMNS:
        updates[name] = func.coalesce(
            text(f"CASE WHEN {table.name}.segment_known THEN NULL ELSE excluded.{name} END"),
            table.c[name],
        )
    return updates


def _additions(table: Table, increments: Mapping[str, int]) -> dict[str, object]:
    return {name: table.c[name] + text(f"excluded.{name}") for name in increments}


async def add_activity(
    session: AsyncSession, key: ActivityKey, increments: Mapping[str, int]
) -> None:
    """Adds `increments` (column: amount) to the row of `key`, creating it if needed."""
    if not increments:
        return
    values = {
        "tenant": key.tenant,
        "day": key.day,
        "ambassador_id": key.ambassador_id,
        "content_id": key.content_id or NONE_KEY,
        "campaign_id": key.campaign_id or NONE_KEY,
        "network": key.network or NONE_KEY,
        "family": key.family,
        **_segment_values(key.attributes),
        **increments,
    }
    statement = insert(_daily).values(values)
    updates = {
        **_additions(_daily, increments),
        **_segment_updates(_daily),
        "family": func.coalesce(_daily.c.family, statement.excluded.family),
    }
    await session.execute(
        statement.on_conflict_do_update(index_elements=list(_daily.primary_key), set_=updates)
    )


async def add_person_day(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    day: date,
    attributes: Attributes | None,
    increments: Mapping[str, int],
    scored_at: datetime | None = None,
) -> int:
    """Adds to the person's row of `day`; returns the row's shares after the addition."""
    values = {
        "tenant": tenant,
        "ambassador_id": ambassador_id,
        "day": day,
        "last_scored_at": scored_at,
        **_segment_values(attributes),
        **increments,
    }
    statement = insert(_person_daily).values(values)
    updates = {
        **_additions(_person_daily, increments),
        **_segment_updates(_person_daily),
        "last_scored_at": func.greatest(
            _person_daily.c.last_scored_at, statement.excluded.last_scored_at
        ),
    }
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_person_daily.primary_key), set_=updates
        ).returning(_person_daily.c.shares)
    )
    return int(result.scalar_one())


async def add_counters(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    increments: Mapping[str, int],
    share_at: datetime | None = None,
) -> AmbassadorCounters:
    values = {
        "tenant": tenant,
        "ambassador_id": ambassador_id,
        "first_share_at": share_at,
        "last_share_at": share_at,
        **increments,
    }
    statement = insert(_counters).values(values)
    updates = {
        **_additions(_counters, increments),
        "first_share_at": func.least(_counters.c.first_share_at, statement.excluded.first_share_at),
        "last_share_at": func.greatest(_counters.c.last_share_at, statement.excluded.last_share_at),
    }
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_counters.primary_key), set_=updates
        ).returning(*_counters.c)
    )
    return AmbassadorCounters.model_validate(dict(result.mappings().one()))


async def set_longest_streak(
    session: AsyncSession, tenant: str, ambassador_id: str, streak: int
) -> None:
    await session.execute(
        _counters.update()
        .where(_counters.c.tenant == tenant, _counters.c.ambassador_id == ambassador_id)
        .values(longest_weekly_streak=func.greatest(_counters.c.longest_weekly_streak, streak))
    )


async def share_days(session: AsyncSession, tenant: str, ambassador_id: str) -> list[date]:
    rows = await session.execute(
        text(
            "SELECT day FROM ambassador_daily WHERE tenant = :tenant AND ambassador_id = :who "
            "AND shares > 0"
        ),
        {"tenant": tenant, "who": ambassador_id},
    )
    return [row[0] for row in rows]


async def counters_of(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> AmbassadorCounters | None:
    rows = await session.execute(
        _counters.select().where(
            _counters.c.tenant == tenant, _counters.c.ambassador_id == ambassador_id
        )
    )
    found = rows.mappings().one_or_none()
    return None if found is None else AmbassadorCounters.model_validate(dict(found))


async def add_visitor(
    session: AsyncSession, tenant: str, content_id: str, day: date, visitor: str
) -> None:
    statement = insert(_visitors).values(
        tenant=tenant, content_id=content_id, day=day, visitor=visitor, clicks=1
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_visitors.primary_key),
            set_={"clicks": _visitors.c.clicks + 1},
        )
    )


async def fill_segments(
    session: AsyncSession, tenant: str, ambassador_id: str, attributes: Attributes
) -> None:
    """Rows written before the person's profile was known get it now."""
    for table in (_daily, _person_daily):
        await session.execute(
            table.update()
            .where(
                table.c.tenant == tenant,
                table.c.ambassador_id == ambassador_id,
                table.c.segment_known.is_(False),
            )
            .values(segment_known=True, **attributes.values())
        )


# Many rows at once (a consumer poll): one statement each, compiled once and cached, run as
# executemany. Rows must be summed per key first (one row may not be updated twice by one
# statement) and carry the same columns.


def _person_day_many_statement(increments: tuple[str, ...]) -> Any:
    statement = insert(_person_daily)
    return statement.on_conflict_do_update(
        index_elements=list(_person_daily.primary_key),
        set_={
            **_additions(_person_daily, dict.fromkeys(increments, 0)),
            **_segment_updates(_person_daily),
            "last_scored_at": func.greatest(
                _person_daily.c.last_scored_at, statement.excluded.last_scored_at
            ),
        },
    ).returning(_person_daily.c.ambassador_id, _person_daily.c.day, _person_daily.c.shares)


async def add_activity_many(
    session: AsyncSession, rows: Mapping[ActivityKey, Mapping[str, int]], columns: tuple[str, ...]
) -> None:
    """`add_activity` for many keys; every row adds to the same `columns` (0 where unused)."""
    if not rows:
        return
    base = insert(_daily)
    statement = base.on_conflict_do_update(
        index_elements=list(_daily.primary_key),
        set_={
            **_additions(_daily, dict.fromkeys(columns, 0)),
            **_segment_updates(_daily),
            "family": func.coalesce(_daily.c.family, base.excluded.family),
        },
    ).returning(_daily.c.day)  # RETURNING: sent as multi-row VALUES, not row by row
    params = [
        {
            "tenant": key.tenant,
            "day": key.day,
            "ambassador_id": key.ambassador_id,
            "content_id": key.content_id or NONE_KEY,
            "campaign_id": key.campaign_id or NONE_KEY,
            "network": key.network or NONE_KEY,
            "family": key.family,
            **_segment_values(key.attributes),
            **{name: increments.get(name, 0) for name in columns},
        }
        for key, increments in rows.items()
    ]
    await session.execute(statement, params)


@dataclass(frozen=True)
class PersonDayAddition:
    attributes: Attributes | None
    increments: Mapping[str, int]
    scored_at: datetime | None


async def add_person_days_many(
    session: AsyncSession,
    tenant: str,
    rows: Mapping[tuple[str, date], PersonDayAddition],
    columns: tuple[str, ...],
) -> dict[tuple[str, date], int]:
    """`add_person_day` for many (person, day); returns each row's shares after the addition."""
    if not rows:
        return {}
    params = [
        {
            "tenant": tenant,
            "ambassador_id": who,
            "day": day,
            "last_scored_at": addition.scored_at,
            **_segment_values(addition.attributes),
            **{name: addition.increments.get(name, 0) for name in columns},
        }
        for (who, day), addition in rows.items()
    ]
    result = await session.execute(_person_day_many_statement(columns), params)
    return {(str(r[0]), r[1]): int(r[2]) for r in result}


async def add_counters_many(
    session: AsyncSession,
    tenant: str,
    rows: Mapping[str, tuple[Mapping[str, int], datetime | None, datetime | None]],
    columns: tuple[str, ...],
) -> None:
    """`add_counters` for many people: (increments, first share at, last share at) each."""
    if not rows:
        return
    base = insert(_counters)
    statement = base.on_conflict_do_update(
        index_elements=list(_counters.primary_key),
        set_={
            **_additions(_counters, dict.fromkeys(columns, 0)),
            "first_share_at": func.least(_counters.c.first_share_at, base.excluded.first_share_at),
            "last_share_at": func.greatest(_counters.c.last_share_at, base.excluded.last_share_at),
        },
    ).returning(_counters.c.shares)
    params = [
        {
            "tenant": tenant,
            "ambassador_id": who,
            "first_share_at": first,
            "last_share_at": last,
            **{name: increments.get(name, 0) for name in columns},
        }
        for who, (increments, first, last) in rows.items()
    ]
    await session.execute(statement, params)


async def share_days_many(
    session: AsyncSession, tenant: str, people: list[str]
) -> dict[str, list[date]]:
    rows = await session.execute(
        text(
            "SELECT ambassador_id, day FROM ambassador_daily WHERE tenant = :tenant "
            "AND ambassador_id = ANY(:people) AND shares > 0"
        ),
        {"tenant": tenant, "people": people},
    )
    days: dict[str, list[date]] = {}
    for who, day in rows:
        days.setdefault(str(who), []).append(day)
    return days


async def set_longest_streaks(session: AsyncSession, tenant: str, streaks: dict[str, int]) -> None:
    if not streaks:
        return
    await session.execute(
        text(
            "UPDATE ambassador_counters c SET longest_weekly_streak = "
            "greatest(c.longest_weekly_streak, s.streak) "
            "FROM unnest(CAST(:people AS text[]), CAST(:streaks AS int[])) AS s(who, streak) "
            "WHERE c.tenant = :tenant AND c.ambassador_id = s.who"
        ),
        {"tenant": tenant, "people": list(streaks), "streaks": list(streaks.values())},
    )


async def counters_many(
    session: AsyncSession, tenant: str, people: list[str]
) -> dict[str, BadgeCounters]:
    """What the badges are decided on, per person (plain values: no model per row)."""
    rows = await session.execute(
        text(
            "SELECT ambassador_id, shares, market_shares, approved_submissions, "
            "longest_weekly_streak FROM ambassador_counters WHERE tenant = :tenant "
            "AND ambassador_id = ANY(CAST(:people AS text[]))"
        ),
        {"tenant": tenant, "people": people},
    )
    return {str(r[0]): BadgeCounters(*r[1:]) for r in rows}
