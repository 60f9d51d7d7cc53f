"""The ambassador's feed: what is targeted at them, live, and not yet shared by them.

The hottest read of the service: it runs on the feed's own asyncpg pool (store/reader.py)
rather than in a unit of work, in two statements (who is calling; the page)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from opentelemetry.trace import SpanKind

from resonance.common.auth import Principal
from resonance.common.domain_errors import NotFound
from resonance.content.domain.cursor import FeedPosition
from resonance.content.domain.errors import NotActiveAmbassador
from resonance.content.domain.targeting import AudienceProfile
from resonance.content.store.feed import (
    Audience,
    FeedFilters,
    audience_of,
    feed_item_row,
    feed_rows,
)
from resonance.content.store.reader import Reader

__all__ = ["FeedFilters", "FeedPage", "feed_item", "feed_page"]

# Who may read the feed (README "Who may read the feed"): a caller with the ambassador role
# whom this service does not know yet (enrolment reaches it by event, about a second later)
# reads what targets everyone; a person it knows as no longer active (left every programme
# or the company) is refused, whatever their token still says.


@dataclass(frozen=True)
class FeedPage:
    rows: list[asyncpg.Record]  # in feed order, each with its captions as JSON text
    next_cursor: str | None
    disclosure: str | None


async def feed_page(
    reader: Reader,
    principal: Principal,
    filters: FeedFilters,
    cursor: str | None,
    limit: int,
    now: datetime,
) -> FeedPage:
    """One page of the caller's feed, after `cursor` (an InvalidCursor if we never issued it)."""
    after = FeedPosition.decode(cursor) if cursor else None

    async def read(conn: asyncpg.Connection) -> tuple[Audience, list[asyncpg.Record]]:
        audience = await audience_of(conn, principal.tenant, principal.subject)
        if not audience.active:
            return audience, []
        # Someone not (yet) in the projection sees what targets everyone.
        rows = await feed_rows(
            conn,
            principal.tenant,
            audience.ambassador_id,
            audience.profile or AudienceProfile(),
            filters,
            now,
            after,
            limit + 1,
        )
        return audience, rows

    # One span for the feed's two statements (they bypass the instrumented engine).
    with reader.tracer.start_as_current_span(
        "feed read", kind=SpanKind.CLIENT, attributes={"db.system": "postgresql"}
    ):
        audience, rows = await reader.run(read)
    if not audience.active:
        raise NotActiveAmbassador("you left the programme")
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = (
        FeedPosition(last["pinned"], last["must_read"], last["feed_at"], last["id"]).encode()
        if more and last is not None
        else None
    )
    return FeedPage(rows, next_cursor, audience.disclosure)


async def feed_item(
    reader: Reader, principal: Principal, item_id: uuid.UUID, now: datetime
) -> tuple[asyncpg.Record, str | None]:
    """One item of the caller's feed (and the disclosure), by the feed's rule; NotFound when
    it is not theirs to see (unknown, other tenant, not targeted, not live)."""

    async def read(conn: asyncpg.Connection) -> tuple[Audience, asyncpg.Record | None]:
        audience = await audience_of(conn, principal.tenant, principal.subject)
        if not audience.active:
            return audience, None
        row = await feed_item_row(
            conn, principal.tenant, audience.profile or AudienceProfile(), item_id, now
        )
        return audience, row

    with reader.tracer.start_as_current_span(
        "feed item read", kind=SpanKind.CLIENT, attributes={"db.system": "postgresql"}
    ):
        audience, row = await reader.run(read)
    if not audience.active:
        raise NotActiveAmbassador("you left the programme")
    if row is None:
        raise NotFound(f"no item {item_id} in your feed")
    return row, audience.disclosure
