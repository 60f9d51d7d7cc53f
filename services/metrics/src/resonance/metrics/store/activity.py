"""Incremental writes to the aggregates: one upsert per fact and grain, adding to counters.

Every write is `INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`, so the cost of a
fact does not grow with history, and two facts for the same row never lose an increment.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Table, func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables import NONE_KEY
from resonance.metrics.store.tables_activity import (
    AmbassadorCounters,
    AmbassadorDaily,
    DailyActivity,
    ItemVisitor,
)

_daily: Table = DailyActivity.__table__  # type: ignore[attr-defined]
_person_daily: Table = AmbassadorDaily.__table__  # type: ignore[attr-defined]
_counters: Table = AmbassadorCounters.__table__  # type: ignore[attr-defined]
_visitors: Table = ItemVisitor.__table__  # type: ignore[attr-defined]

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
