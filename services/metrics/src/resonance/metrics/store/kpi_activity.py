"""KPI queries about activity: totals, mix, reach, networks, items, days, echo, campaigns.
Each is one GROUP BY over the aggregates of the scope: the activity rollups (migration
9d3f6a1c8e27, kept by triggers on daily_activity) for the whole tenant, one programme or, per
day, one value of one attribute (kpi_scope.rollup_scope); daily_activity for other segments."""

# Every fragment interpolated below is one of ours (kpi_scope.py); values are bound.
# ruff: noqa: S608

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.domain.periods import month_cover
from resonance.metrics.store.kpi_scope import Scope, activity_where, days, rollup_scope
from resonance.metrics.store.tables import Campaign


@dataclass(frozen=True)
class Totals:
    shares: int = 0
    self_reported_shares: int = 0
    automatic_shares: int = 0
    failed_shares: int = 0
    clicks: int = 0
    internal_clicks: int = 0
    conversions: int = 0
    applications: int = 0
    leads: int = 0
    approved_submissions: int = 0
    impressions: int = 0
    measured_posts: int = 0
    estimated_impressions: int = 0
    estimated_posts: int = 0
    reactions: int = 0
    comments: int = 0
    reshares: int = 0
    post_clicks: int = 0


COLUMNS = [f.name for f in fields(Totals)]
SUMS = ", ".join(f"coalesce(sum(d.{c}), 0)" for c in COLUMNS)


def _totals(values: Any) -> Totals:
    return Totals(*(int(v) for v in values))


def _rows(scope: Scope, params: dict[str, Any]) -> str:
    """FROM and WHERE over the period's activity rows, aliased `d` (segments no rollup keeps)."""
    return f"FROM daily_activity d WHERE {activity_where(scope, params)}"


def _source(scope: Scope, params: dict[str, Any]) -> tuple[str, bool]:
    """FROM and WHERE over the period's activity, aliased `d`: the per-day rollup (network and
    family kept) when the segment has one, else the activity rows; and whether it is the
    rollup (whose grouped reads keep only keys that sum rows: `_HAS_ROWS`)."""
    rolled = rollup_scope(scope.segment)
    if rolled is None:
        return _rows(scope, params), False
    params["scope"] = rolled
    where = f"d.tenant = :tenant AND d.scope = :scope AND {days(scope)}"
    return f"FROM activity_days d WHERE {where}", True


def _item_cover(
    scope: Scope, params: dict[str, Any], columns: tuple[str, ...] = tuple(COLUMNS), only: str = ""
) -> str:
    """FROM over the period's activity per item in the item rollups of `:scope`, aliased `d`:
    its cover in monthly and daily rows (domain/periods.py `month_cover`: whole months, days
    added or taken away). The rows carry `columns` and `activity_rows`; `only` is a condition
    on their `d.content_id`."""
    parts = []
    for i, part in enumerate(month_cover(scope.first_day, scope.end_day)):
        table, column = ("activity_item_days", "day")
        if part.months:
            table, column = ("activity_item_months", "month")
        sign = "-" if part.sign < 0 else ""
        values = ", ".join(f"{sign}d.{c} AS {c}" for c in (*columns, "activity_rows"))
        lower = "" if part.first is None else f"d.{column} >= :p{i}_first AND "
        params[f"p{i}_first"], params[f"p{i}_end"] = part.first, part.end
        parts.append(
            f"SELECT d.content_id, {values} FROM {table} d WHERE d.tenant = :tenant "
            f"AND d.scope = :scope AND {lower}d.{column} < :p{i}_end{only}"
        )
    return f"FROM ({' UNION ALL '.join(parts)}) d"


def _top_items(scope: Scope, params: dict[str, Any], order: str) -> tuple[str, str]:
    """A WITH clause naming the `:limit` first items by `order` (`top`), and FROM over the
    rollups' rows of those items only: items are ranked on that one column first (summing
    every column for every item cost ~60 ms over a rolling month of 2,000 items), then the
    few are summed whole."""
    top = (
        f"WITH top AS MATERIALIZED (SELECT d.content_id {_item_cover(scope, params, (order,))} "
        f"GROUP BY d.content_id {_HAS_ROWS}ORDER BY coalesce(sum(d.{order}), 0) DESC, "
        "d.content_id LIMIT :limit) "
    )
    only = " AND d.content_id IN (SELECT content_id FROM top)"
    return top, _item_cover(scope, params, only=only)


_HAS_ROWS = "HAVING sum(d.activity_rows) > 0 "


async def totals(session: AsyncSession, scope: Scope) -> Totals:
    params = scope.params()
    source, _ = _source(scope, params)
    row = await session.execute(text(f"SELECT {SUMS} {source}"), params)
    return _totals(row.one())


# The rollups keep an unknown family as '' (a key column); rows keep it as NULL.
GROUPS = {"network": "d.network", "family": "nullif(d.family, '')", "day": "d.day"}


async def totals_by(
    session: AsyncSession, scope: Scope, group: str, limit: int | None = None, order: str = ""
) -> list[tuple[Any, Totals]]:
    """Totals per network, family, day or item (items: the `limit` first by `order`)."""
    params: dict[str, Any] = scope.params()
    prefix = ""
    if group != "item":
        key, (source, rolled) = GROUPS[group], _source(scope, params)
    else:
        key, item_scope = "d.content_id", rollup_scope(scope.segment, items=True)
        rolled = item_scope is not None
        if item_scope is None:
            source = _rows(scope, params)
        else:
            params["scope"] = item_scope
            if order:
                prefix, source = _top_items(scope, params, order)
            else:
                source = _item_cover(scope, params)
    order_by = f"ORDER BY {key}"
    if order:
        params["limit"] = limit
        order_by = f"ORDER BY coalesce(sum(d.{order}), 0) DESC, {key} LIMIT :limit"
    tail = (_HAS_ROWS if rolled else "") + order_by
    rows = await session.execute(
        text(f"{prefix}SELECT {key}, {SUMS} {source} GROUP BY {key} {tail}"), params
    )
    return [(r[0], _totals(r[1:])) for r in rows]


async def sharers_by_day(session: AsyncSession, scope: Scope) -> dict[date, int]:
    """People who shared, per day: kept per tenant or programme (sharer_days), else counted."""
    params = scope.params()
    rolled = rollup_scope(scope.segment)
    if rolled is None:
        query = (
            "SELECT d.day, count(*) FROM ambassador_daily d "
            f"WHERE {activity_where(scope, params)} AND d.shares > 0 GROUP BY d.day"
        )
    else:
        params["scope"] = rolled
        query = (
            "SELECT d.day, d.sharers FROM sharer_days d WHERE d.tenant = :tenant "
            f"AND d.scope = :scope AND {days(scope)} AND d.sharers > 0"
        )
    rows = await session.execute(text(query), params)
    return {day: int(n) for day, n in rows}


async def sharers(session: AsyncSession, scope: Scope) -> int:
    params = scope.params()
    row = await session.execute(
        text(
            "SELECT count(DISTINCT d.ambassador_id) FROM ambassador_daily d "
            f"WHERE {activity_where(scope, params)} AND d.shares > 0"
        ),
        params,
    )
    return int(row.scalar_one())


async def published_by_family(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Items published in the period, by family (retired since or not: they were offered)."""
    row = await session.execute(
        text(
            "SELECT family, count(*) FROM published_content WHERE tenant = :tenant "
            "AND (CAST(:start_ts AS timestamptz) IS NULL OR published_at >= :start_ts) "
            "AND published_at < :end_ts GROUP BY family"
        ),
        scope.params(),
    )
    return {str(f): int(n) for f, n in row}


@dataclass(frozen=True)
class ItemEchoRow:
    content_id: str
    sharers: int
    clicks: int
    unique_visitors: int


async def item_echo(session: AsyncSession, scope: Scope, limit: int) -> list[ItemEchoRow]:
    """Per item shared by colleagues in the period (tenant-wide: visitors are counted per
    item, whoever's post they came through): sharers, clicks and unique visitors."""
    params: dict[str, Any] = {**scope.params(), "limit": limit}
    rows = await session.execute(
        text(
            "WITH items AS (SELECT d.content_id, "
            "count(DISTINCT d.ambassador_id) FILTER (WHERE d.shares > 0) AS sharers, "
            "sum(d.clicks) AS clicks FROM daily_activity d WHERE d.tenant = :tenant AND "
            f"{days(scope, 'd')} AND d.content_id <> '' GROUP BY d.content_id "
            "HAVING sum(d.clicks) > 0), "
            "visitors AS (SELECT v.content_id, count(*) AS unique_visitors FROM item_visitors v "
            f"WHERE v.tenant = :tenant AND {days(scope, 'v')} GROUP BY v.content_id) "
            "SELECT items.content_id, items.sharers, items.clicks, "
            "coalesce(visitors.unique_visitors, 0) FROM items LEFT JOIN visitors "
            "USING (content_id) ORDER BY items.clicks DESC, items.content_id LIMIT :limit"
        ),
        params,
    )
    return [ItemEchoRow(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]


async def titles(
    session: AsyncSession, tenant: str, content_ids: list[str]
) -> dict[str, tuple[str | None, str]]:
    """{content_id: (title, family)} of the items known here."""
    if not content_ids:
        return {}
    rows = await session.execute(
        text(
            "SELECT content_id, title, family FROM published_content "
            "WHERE tenant = :tenant AND content_id = ANY(CAST(:ids AS text[]))"
        ),
        {"tenant": tenant, "ids": content_ids},
    )
    return {str(r[0]): (r[1], str(r[2])) for r in rows}


async def campaigns_with_totals(
    session: AsyncSession, tenant: str, limit: int, after: tuple[datetime, str] | None = None
) -> list[tuple[Campaign, int, int, int]]:
    """Launched campaigns, newest first (start, then id, both descending: a keyset page
    continues strictly after `after`), with their running shares, reach and clicks."""
    rows = await session.execute(
        text(
            "SELECT c.campaign_id, coalesce(t.shares, 0), coalesce(t.impressions, 0), "
            "coalesce(t.clicks, 0) FROM campaigns c LEFT JOIN campaign_totals t "
            "ON t.tenant = c.tenant AND t.campaign_id = c.campaign_id WHERE c.tenant = :tenant "
            "AND (CAST(:after_at AS timestamptz) IS NULL "
            "OR (c.starts_at, c.campaign_id) < (CAST(:after_at AS timestamptz), :after_id)) "
            "ORDER BY c.starts_at DESC, c.campaign_id DESC LIMIT :limit"
        ),
        {
            "tenant": tenant,
            "limit": limit,
            "after_at": after[0] if after else None,
            "after_id": after[1] if after else None,
        },
    )
    found = rows.all()
    if not found:
        return []
    by_id = {
        c.campaign_id: c
        for c in (
            await session.execute(
                select(Campaign).where(
                    Campaign.tenant == tenant,
                    Campaign.campaign_id.in_([r[0] for r in found]),
                )
            )
        ).scalars()
    }
    return [(by_id[r[0]], int(r[1]), int(r[2]), int(r[3])) for r in found]
