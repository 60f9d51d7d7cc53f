"""Leaderboard queries, following domain/leaderboard.py's rules in SQL.

A board is a set of (ambassador, score, reached_at): read from board_scores for calendar
units (kept as points arrive) or summed from ambassador_daily for rolling and custom windows.
*Listed* people are the visible ones who scored; the order is score desc, reached_at asc,
ambassador_id asc; a rank is 1 + the listed people with a strictly higher score.
"""

# Every fragment interpolated into SQL here is one of ours; values are bound.
# ruff: noqa: S608

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.domain.segments import Segment


@dataclass(frozen=True)
class BoardSource:
    """Calendar board (`kind`, `label`) or a window of local days [first_day, end_day)."""

    tenant: str
    kind: str | None = None
    label: str | None = None
    first_day: date | None = None
    end_day: date | None = None


@dataclass(frozen=True)
class Row:
    ambassador_id: str
    score: int
    reached_at: datetime


def _scores(source: BoardSource, params: dict[str, Any]) -> str:
    params["tenant"] = source.tenant
    if source.kind is not None:
        params.update(kind=source.kind, label=source.label)
        return (
            "SELECT ambassador_id, score, reached_at FROM board_scores "
            "WHERE tenant = :tenant AND kind = :kind AND label = :label"
        )
    params.update(first=source.first_day, end=source.end_day)
    return (
        "SELECT ambassador_id, sum(points) AS score, max(last_scored_at) AS reached_at "
        "FROM ambassador_daily WHERE tenant = :tenant AND points <> 0 "
        # No `:first IS NULL OR` bound: a generic plan could not use it (kpi_scope.days).
        + ("" if source.first_day is None else "AND day >= :first ")
        + "AND day < :end GROUP BY ambassador_id"
    )


SEGMENT_SQL = {
    "brands": "a.brand = ANY(:brands)",
    "entities": "a.entity = ANY(:entities)",
    "sites": "a.site = ANY(:sites)",
    "countries": "a.country = ANY(:countries)",
    "job_families": "a.job_family = ANY(:job_families)",
}


def segment_sql(segment: Segment, params: dict[str, Any], alias: str = "a") -> list[str]:
    """Conditions on the people projection (aliased `a`) for a segment."""
    conditions = []
    if segment.programmes:
        params["programmes"] = sorted(segment.programmes)
        conditions.append(f"{alias}.programmes && CAST(:programmes AS text[])")
    for name, sql in SEGMENT_SQL.items():
        values = getattr(segment, name)
        if values:
            params[name] = sorted(values)
            conditions.append(sql.replace("a.", f"{alias}."))
    return conditions


def _listed(source: BoardSource, segment: Segment, params: dict[str, Any]) -> str:
    """The listed people of a board, as a subquery (ambassador_id, score, reached_at)."""
    conditions = ["s.score > 0", "NOT coalesce(p.hidden, false)"]
    join = ""
    if not segment.is_everyone:
        join = "JOIN ambassadors a ON a.tenant = :tenant AND a.ambassador_id = s.ambassador_id "
        conditions += segment_sql(segment, params)
    return (
        f"SELECT s.ambassador_id, s.score, s.reached_at FROM ({_scores(source, params)}) s "
        "LEFT JOIN ambassador_prefs p ON p.tenant = :tenant AND p.ambassador_id = s.ambassador_id "
        f"{join}WHERE {' AND '.join(conditions)}"
    )


_AFTER = (
    "(l.score < :c_score OR (l.score = :c_score AND (l.reached_at > :c_at "
    "OR (l.reached_at = :c_at AND l.ambassador_id > :c_id))))"
)


async def page(
    session: AsyncSession,
    source: BoardSource,
    segment: Segment,
    after: Row | None,
    limit: int,
) -> list[Row]:
    """Up to `limit` listed people in board order, after `after` (keyset pagination)."""
    params: dict[str, Any] = {"limit": limit}
    where = ""
    if after is not None:
        params.update(c_score=after.score, c_at=after.reached_at, c_id=after.ambassador_id)
        where = f"WHERE {_AFTER}"
    rows = await session.execute(
        text(
            f"SELECT l.ambassador_id, l.score, l.reached_at FROM ({_listed(source, segment, params)})"
            f" l {where} ORDER BY l.score DESC, l.reached_at, l.ambassador_id LIMIT :limit"
        ),
        params,
    )
    return [Row(str(r[0]), int(r[1]), r[2]) for r in rows]


async def standing_counts(
    session: AsyncSession, source: BoardSource, segment: Segment, score: int, exclude: str
) -> tuple[int, int]:
    """(listed people with a score above `score`, listed people), `exclude` left out of both."""
    params: dict[str, Any] = {"c_score": score, "exclude": exclude}
    if source.kind is not None and segment.is_everyone:
        return await _kept_board_counts(session, source, params)
    found = await session.execute(
        text(
            "SELECT count(*) FILTER (WHERE l.score > :c_score), count(*) "
            f"FROM ({_listed(source, segment, params)}) l WHERE l.ambassador_id <> :exclude"
        ),
        params,
    )
    higher, total = found.one()
    return int(higher), int(total)


async def _kept_board_counts(
    session: AsyncSession, source: BoardSource, params: dict[str, Any]
) -> tuple[int, int]:
    """Counts on a kept board, everyone: sums over the board's histogram (people per score,
    board_histograms), so the cost grows with the distinct scores above mine, not with the
    people; then the few hidden people and the viewer are taken out."""
    scores = _scores(source, params)
    hidden = (
        f"FROM ({scores}) s JOIN ambassador_prefs p ON p.tenant = :tenant "
        "AND p.ambassador_id = s.ambassador_id AND p.hidden WHERE s.ambassador_id <> :exclude"
    )
    # One pass over the board's scores for both sums (an all-time board has thousands).
    histogram = (
        "SELECT coalesce(sum(h.people) FILTER (WHERE h.score > greatest(:c_score, 0)), 0) "
        "AS higher, coalesce(sum(h.people), 0) AS listed FROM board_histograms h "
        "WHERE h.tenant = :tenant AND h.kind = :kind AND h.label = :label AND h.score > 0"
    )
    found = await session.execute(
        text(
            f"SELECT h.higher, (SELECT count(*) {hidden} AND s.score > greatest(:c_score, 0)), "
            f"h.listed, (SELECT count(*) {hidden} AND s.score > 0), "
            f"(SELECT count(*) FROM ({scores}) s WHERE s.ambassador_id = :exclude "
            f"AND s.score > 0) FROM ({histogram}) h"
        ),
        params,
    )
    higher, hidden_higher, total, hidden_total, me = (int(v) for v in found.one())
    # The viewer's own score is not above itself, so `higher` never holds them.
    return higher - hidden_higher, total - hidden_total - me


async def score_of(session: AsyncSession, source: BoardSource, ambassador_id: str) -> Row | None:
    params: dict[str, Any] = {"who": ambassador_id}
    found = await session.execute(
        text(
            f"SELECT s.ambassador_id, s.score, s.reached_at FROM ({_scores(source, params)}) s "
            "WHERE s.ambassador_id = :who"
        ),
        params,
    )
    row = found.first()
    return None if row is None else Row(str(row[0]), int(row[1]), row[2])
