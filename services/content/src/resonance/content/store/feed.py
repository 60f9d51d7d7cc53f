"""The ambassador feed query, in plain SQL on a plain asyncpg connection (store/reader.py):
it is the hottest path of the service, so no ORM, no statement building per request, two
round trips (who is calling, then the page with its captions). Targeting here mirrors
domain/targeting.py (the tests pin both to the same cases): within a field any value
matches, across fields all must match, an empty field matches everyone.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import asyncpg

from resonance.content.domain.cursor import FeedPosition
from resonance.content.domain.targeting import AudienceProfile
from resonance.content.store.callers import CALLER_ROW_SQL
from resonance.content.store.tables import TS_CONFIGS

SEARCH_CONFIGS = sorted({*TS_CONFIGS.values(), "simple"})

FEED_COLUMNS = (
    "i.id, i.family, i.category, i.format, i.title, i.body, i.url, i.image_url, "
    "i.preview_title, i.preview_description, i.language, i.brand, i.tags, i.campaign_id, "
    "i.pinned, i.must_read, i.feed_at, i.expires_at"
)

# A NULL profile attribute makes "x = ANY(col)" NULL, so only untargeted fields match it.
# The whole rule sits in a CASE on purpose: PostgreSQL would multiply the selectivities of
# these clauses into "1 row" and prefer a full scan + sort over walking ix_content_items_feed
# (measured: ~400 ms vs ~0.5 ms on 100,000 items, see bench/content_feed.py).
TARGETING_SQL = """CASE WHEN
        (cardinality(i.t_brands) = 0 OR :brand = ANY(i.t_brands))
    AND (cardinality(i.t_entities) = 0 OR :entity = ANY(i.t_entities))
    AND (cardinality(i.t_job_families) = 0 OR :job_family = ANY(i.t_job_families))
    AND (cardinality(i.t_sites) = 0 OR :site = ANY(i.t_sites))
    AND (cardinality(i.t_countries) = 0 OR :country = ANY(i.t_countries))
    AND (cardinality(i.t_worker_types) = 0 OR :worker_type = ANY(i.t_worker_types))
    AND (cardinality(i.t_languages) = 0 OR i.t_languages && CAST(:languages AS text[]))
    AND (cardinality(i.t_programmes) = 0 OR i.t_programmes && CAST(:programmes AS text[]))
    THEN true ELSE false END"""

# One tsquery per stemming configuration, OR-ed: an item matches in its own language and the
# GIN index on the stored tsvector still serves the search. Config names are constants.
SEARCH_SQL = (
    "i.search @@ ("
    + " || ".join(f"websearch_to_tsquery('{config}'::regconfig, :q)" for config in SEARCH_CONFIGS)
    + ")"
)

FILTERS_SQL: dict[str, str] = {
    "family": "i.family = :family",
    "campaign_id": "i.campaign_id = :campaign_id",
    "tag": ":tag = ANY(i.tags)",
    "language": "i.language = :language",
    "format": "i.format = :format",
    "q": SEARCH_SQL,
}


AUDIENCE_SQL = (
    "SELECT a.ambassador_id, a.active, a.brand, a.entity, "  # noqa: S608 (constants only)
    "a.job_family, a.site, a.country, a.worker_type, a.languages, a.programmes, "
    "s.disclosure_text "
    "FROM (SELECT 1) AS one "
    f"LEFT JOIN LATERAL ({CALLER_ROW_SQL}) AS a ON true "
    "LEFT JOIN tenant_settings s ON s.tenant = :tenant"
)

# A page's captions come with its rows, in the same statement: captions are looked up for the
# (at most limit + 1) rows of the page only, after the ordered walk of the feed index.
CAPTIONS_SQL = (
    "(SELECT coalesce(json_agg(json_build_object('network', c.network, 'language', "
    "c.language, 'variant', c.variant, 'text', c.text) "
    "ORDER BY c.network, c.language, c.variant), '[]') "
    "FROM captions c WHERE c.item_id = p.id) AS captions"
)
ORDER_SQL = "ORDER BY {t}.pinned DESC, {t}.must_read DESC, {t}.feed_at DESC, {t}.id DESC"

_NAMED = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`:name` parameters as asyncpg's `$n`, with the names in their order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _NAMED.sub(number, sql), tuple(names)


_AUDIENCE = positional(AUDIENCE_SQL)


@dataclass(frozen=True)
class FeedFilters:
    family: str | None = None
    campaign_id: uuid.UUID | None = None
    tag: str | None = None
    language: str | None = None
    format: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class Audience:
    ambassador_id: str
    profile: AudienceProfile | None
    active: bool
    disclosure: str | None


async def audience_of(conn: asyncpg.Connection, tenant: str, subject: str) -> Audience:
    """Who the token's subject is (see store/callers.py), their projected profile (None if
    unknown) and the tenant's disclosure, in one round trip."""
    sql, names = _AUDIENCE
    values = {"tenant": tenant, "subject": subject}
    row = await conn.fetchrow(sql, *(values[n] for n in names))
    assert row is not None
    if row["ambassador_id"] is None:
        return Audience(subject, None, True, row["disclosure_text"])
    profile = AudienceProfile(
        brand=row["brand"],
        entity=row["entity"],
        job_family=row["job_family"],
        site=row["site"],
        country=row["country"],
        worker_type=row["worker_type"],
        languages=frozenset(row["languages"]),
        programmes=frozenset(row["programmes"]),
    )
    return Audience(row["ambassador_id"], profile, bool(row["active"]), row["disclosure_text"])


@lru_cache(maxsize=256)
def feed_sql(present: frozenset[str], after: bool) -> tuple[str, tuple[str, ...]]:
    """The statement for a combination of filters (there are few: cached, as asyncpg caches
    its prepared plan per statement text), with its parameter names in order."""
    conditions = [
        "i.tenant = :tenant",
        "i.status = 'published'",
        "i.feed_at <= :now",
        "(i.expires_at IS NULL OR i.expires_at > :now)",
        "NOT EXISTS (SELECT 1 FROM shares s WHERE s.tenant = :tenant "
        "AND s.ambassador_id = :who AND s.content_id = i.id)",
        TARGETING_SQL,
    ]
    conditions += [sql for name, sql in FILTERS_SQL.items() if name in present]
    if after:
        # All four sort keys descend, so one row comparison continues after the cursor.
        conditions.append(
            "(i.pinned, i.must_read, i.feed_at, i.id) < (:c_pinned, :c_must_read, :c_at, :c_id)"
        )
    # Only constant fragments of this module are joined; every value is a bound parameter.
    page = (
        f"SELECT {FEED_COLUMNS} FROM content_items i WHERE "  # noqa: S608
        + "\n  AND ".join(conditions)
        + "\n"
        + ORDER_SQL.format(t="i")
        + " LIMIT :limit"
    )
    return positional(
        f"SELECT p.*, {CAPTIONS_SQL} FROM ({page}) AS p {ORDER_SQL.format(t='p')}"  # noqa: S608
    )


async def feed_rows(
    conn: asyncpg.Connection,
    tenant: str,
    ambassador_id: str,
    profile: AudienceProfile,
    filters: FeedFilters,
    now: datetime,
    after: FeedPosition | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The page's rows in feed order, each with its captions as a JSON array (text)."""
    values: dict[str, Any] = {
        "tenant": tenant,
        "who": ambassador_id,
        "now": now,
        "limit": limit,
        "brand": profile.brand,
        "entity": profile.entity,
        "job_family": profile.job_family,
        "site": profile.site,
        "country": profile.country,
        "worker_type": profile.worker_type,
        "languages": sorted(profile.languages),
        "programmes": sorted(profile.programmes),
    }
    present = []
    for name in FILTERS_SQL:
        value = getattr(filters, name)
        if value:
            present.append(name)
            values[name] = value.lower() if name == "tag" else value
    if after is not None:
        values.update(
            c_pinned=after.pinned, c_must_read=after.must_read, c_at=after.feed_at, c_id=after.id
        )
    sql, names = feed_sql(frozenset(present), after is not None)
    return list(await conn.fetch(sql, *(values[n] for n in names)))
