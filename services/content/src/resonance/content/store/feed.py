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

# Values compare trimmed (on the way in) and without regard to case (lower() on both sides,
# as domain/targeting.fold). A NULL profile attribute makes "x IN (...)" NULL, so only
# untargeted fields match it.
# The whole rule sits in a CASE on purpose: PostgreSQL would multiply the selectivities of
# these clauses into "1 row" and prefer a full scan + sort over walking ix_content_items_feed
# (measured: ~400 ms vs ~0.5 ms on 100,000 items, see bench/content_feed.py).
_SCALAR_TARGETS = {
    "brands": "brand",
    "entities": "entity",
    "job_families": "job_family",
    "sites": "site",
    "countries": "country",
    "worker_types": "worker_type",
}
_LIST_TARGETS = ("languages", "programmes")


def _one_of(column: str, param: str) -> str:
    """The profile's attribute is one of the column's values (constant names only)."""
    values = f"SELECT lower(v) FROM unnest(i.t_{column}) v"  # noqa: S608
    return f"(cardinality(i.t_{column}) = 0 OR lower(btrim(:{param})) IN ({values}))"


def _any_of(column: str) -> str:
    """One of the profile's values is one of the column's (constant names only)."""
    mine = f"SELECT lower(btrim(w)) FROM unnest(CAST(:{column} AS text[])) w"  # noqa: S608
    theirs = f"SELECT 1 FROM unnest(i.t_{column}) v WHERE lower(v) IN ({mine})"  # noqa: S608
    return f"(cardinality(i.t_{column}) = 0 OR EXISTS ({theirs}))"


TARGETING_SQL = (
    "CASE WHEN "
    + "\n    AND ".join(
        [_one_of(column, param) for column, param in _SCALAR_TARGETS.items()]
        + [_any_of(column) for column in _LIST_TARGETS]
    )
    + "\n    THEN true ELSE false END"
)

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


# Who may see an item at all: live, in its window, targeted at the caller.
VISIBLE_SQL = [
    "i.tenant = :tenant",
    "i.status = 'published'",
    "i.feed_at <= :now",
    "(i.expires_at IS NULL OR i.expires_at > :now)",
    TARGETING_SQL,
]


@lru_cache(maxsize=256)
def feed_sql(present: frozenset[str], after: bool) -> tuple[str, tuple[str, ...]]:
    """The statement for a combination of filters (there are few: cached, as asyncpg caches
    its prepared plan per statement text), with its parameter names in order."""
    conditions = [
        *VISIBLE_SQL,
        "NOT EXISTS (SELECT 1 FROM shares s WHERE s.tenant = :tenant "
        "AND s.ambassador_id = :who AND s.content_id = i.id)",
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


# One item of the feed by its id: the same rule, except that an item the caller already shared
# stays readable (the feed hides it so it is not shared twice; a link to it must not break).
_ONE = positional(
    f"SELECT p.*, {CAPTIONS_SQL} FROM (SELECT {FEED_COLUMNS} FROM content_items i "  # noqa: S608
    "WHERE i.id = :item_id AND " + " AND ".join(VISIBLE_SQL) + ") AS p"
)


def _profile_values(profile: AudienceProfile) -> dict[str, Any]:
    return {
        "brand": profile.brand,
        "entity": profile.entity,
        "job_family": profile.job_family,
        "site": profile.site,
        "country": profile.country,
        "worker_type": profile.worker_type,
        "languages": sorted(profile.languages),
        "programmes": sorted(profile.programmes),
    }


async def feed_item_row(
    conn: asyncpg.Connection,
    tenant: str,
    profile: AudienceProfile,
    item_id: uuid.UUID,
    now: datetime,
) -> asyncpg.Record | None:
    """The item with its captions if the caller may see it, else None."""
    sql, names = _ONE
    values = {"tenant": tenant, "now": now, "item_id": item_id, **_profile_values(profile)}
    return await conn.fetchrow(sql, *(values[n] for n in names))


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
        **_profile_values(profile),
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
