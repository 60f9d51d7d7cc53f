"""The ambassador feed query. Targeting here mirrors domain/targeting.py in SQL so PostgreSQL
filters while walking the feed index (see ix_content_items_feed)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from resonance.content.domain.cursor import FeedPosition
from resonance.content.domain.targeting import LIST_FIELDS, SCALAR_FIELDS, AudienceProfile
from resonance.content.domain.workflow import Status
from resonance.content.store.tables import TS_CONFIGS, AmbassadorView, ContentItem, ShareView

ITEMS = ContentItem.__table__  # type: ignore[attr-defined]
SHARES = ShareView.__table__  # type: ignore[attr-defined]
SEARCH_CONFIGS = sorted({*TS_CONFIGS.values(), "simple"})


@dataclass(frozen=True)
class FeedFilters:
    family: str | None = None
    campaign_id: str | None = None
    tag: str | None = None
    language: str | None = None
    format: str | None = None
    q: str | None = None


async def audience_of(
    session: AsyncSession, tenant: str, ambassador_id: str
) -> tuple[AudienceProfile, bool] | None:
    row = (
        await session.execute(
            select(AmbassadorView).where(
                AmbassadorView.tenant == tenant, AmbassadorView.ambassador_id == ambassador_id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    profile = AudienceProfile(
        brand=row.brand,
        entity=row.entity,
        job_family=row.job_family,
        site=row.site,
        country=row.country,
        worker_type=row.worker_type,
        languages=frozenset(row.languages),
        programmes=frozenset(row.programmes),
    )
    return profile, row.active


def targeting_clause(profile: AudienceProfile) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    for target_field, attribute in SCALAR_FIELDS.items():
        column = ITEMS.c[f"t_{target_field}"]
        value = getattr(profile, attribute)
        empty = func.cardinality(column) == 0
        clauses.append(or_(empty, literal(value, Text) == any_(column)) if value else empty)
    for target_field, attribute in LIST_FIELDS.items():
        column = ITEMS.c[f"t_{target_field}"]
        values = sorted(getattr(profile, attribute))
        empty = func.cardinality(column) == 0
        if values:
            wanted = bindparam(f"p_{target_field}", values, type_=ARRAY(Text))
            clauses.append(or_(empty, column.overlap(wanted)))
        else:
            clauses.append(empty)
    return and_(*clauses)


def search_clause(q: str) -> ColumnElement[bool]:
    # One query per stemming configuration, OR-ed: an item matches in its own language and the
    # GIN index on the stored tsvector still serves the search.
    query = None
    for config in SEARCH_CONFIGS:
        # Config names are our own constants, never caller input.
        part = func.websearch_to_tsquery(literal_column(f"'{config}'::regconfig"), q)
        query = part if query is None else query.op("||")(part)
    return ITEMS.c.search.op("@@")(query)


def feed_query(
    tenant: str,
    ambassador_id: str,
    profile: AudienceProfile,
    filters: FeedFilters,
    now: datetime,
    after: FeedPosition | None,
    limit: int,
) -> Select[tuple[object, ...]]:
    c = ITEMS.c
    already_shared = exists().where(
        SHARES.c.tenant == tenant,
        SHARES.c.ambassador_id == ambassador_id,
        SHARES.c.content_id == c.id,
    )
    conditions: list[ColumnElement[bool]] = [
        c.tenant == tenant,
        c.status == Status.PUBLISHED.value,
        c.feed_at <= now,
        or_(c.expires_at.is_(None), c.expires_at > now),
        ~already_shared,
        targeting_clause(profile),
    ]
    if filters.family:
        conditions.append(c.family == filters.family)
    if filters.campaign_id:
        conditions.append(c.campaign_id == filters.campaign_id)
    if filters.tag:
        conditions.append(literal(filters.tag.lower(), Text) == any_(c.tags))
    if filters.language:
        conditions.append(c.language == filters.language)
    if filters.format:
        conditions.append(c.format == filters.format)
    if filters.q:
        conditions.append(search_clause(filters.q))
    if after is not None:
        conditions.append(
            tuple_(c.pinned, c.must_read, c.feed_at, c.id)
            < tuple_(
                literal(after.pinned),
                literal(after.must_read),
                literal(after.feed_at),
                literal(after.id),
            )
        )
    return (
        select(ITEMS)
        .where(*conditions)
        .order_by(c.pinned.desc(), c.must_read.desc(), c.feed_at.desc(), c.id.desc())
        .limit(limit)
    )
