"""A plain asyncpg pool for the ambassador feed, the service's hottest read.

The shared SQLAlchemy engine pings every connection it hands out (pool_pre_ping: BEGIN,
an empty query, ROLLBACK) and wraps each statement in a transaction and a greenlet: for a
feed answered by two sub-millisecond SELECTs that was most of the request's round trips and
CPU. Here a read takes a connection, runs its statements in autocommit (asyncpg keeps their
prepared plans per connection) and, instead of pinging each time, retries once on a fresh
connection if the one it got turns out dead (the database restarted).
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from opentelemetry.trace import Tracer
from sqlalchemy.engine import make_url

from resonance.common.domain_errors import Unavailable
from resonance.common.service import Runtime

T = TypeVar("T")
APPLICATION_NAME = "resonance-content-reader"  # tells these connections apart in pg_stat_activity

# Errors meaning "this connection is gone", not "this query is wrong": worth one retry.
# A backend terminated while idle in the pool can also surface as a protocol state error or
# as the server's admin-shutdown notice when the next statement is sent.
_DEAD_CONNECTION = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
)


def driver_dsn(sqlalchemy_url: str) -> str:
    """`postgresql+asyncpg://...` as asyncpg reads it."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


class FeedBusy(Unavailable):
    """No connection of the feed's pool came free in time."""

    title = "Feed busy"
    default_slug = "feed-busy"


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    """The reads here leave no session state (no SET, LISTEN, advisory lock or cursor), so
    the pool's default reset (a round trip of RESET ALL, UNLISTEN ... on every release) is
    skipped; asyncpg still rolls back a transaction left open."""


class Reader:
    def __init__(
        self, database_url: str, max_size: int, tracer: Tracer, acquire_timeout_s: float = 2.0
    ) -> None:
        self.tracer = tracer
        self._dsn = driver_dsn(database_url)
        self._max_size = max_size
        self._acquire_timeout_s = acquire_timeout_s
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=1,
                        max_size=self._max_size,
                        server_settings={"application_name": APPLICATION_NAME},
                        reset=_nothing_to_reset,
                    )
        return self._pool

    async def run(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """Runs read-only `work` on a pooled connection, once more if the connection died.

        Waits at most the acquire timeout for a free connection: when every one is busy (a
        stuck database, a burst) the read is refused as Unavailable (503) instead of queueing
        requests without end."""
        pool = await self._get_pool()
        try:
            async with self._acquire(pool) as conn:
                return await work(conn)
        except _DEAD_CONNECTION:
            await pool.expire_connections()
            async with self._acquire(pool) as conn:
                return await work(conn)

    @asynccontextmanager
    async def _acquire(self, pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
        try:
            conn = await pool.acquire(timeout=self._acquire_timeout_s)
        except TimeoutError as exc:
            raise FeedBusy("the feed is busy; try again in a moment") from exc
        try:
            yield conn
        finally:
            await pool.release(conn)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


# The reader lives in the runtime's extensions, opened and closed by the app's hooks.
FEED_READER = "content.feed_reader"


async def open_feed_reader(runtime: Runtime[Any]) -> None:
    """Start hook: the pool itself opens on the first read."""
    runtime.extensions[FEED_READER] = Reader(
        runtime.settings.database_url,
        runtime.settings.database_pool_size,
        runtime.tracer_provider.get_tracer("resonance.content.feed"),
        runtime.settings.feed_pool_acquire_timeout_s,
    )


async def close_feed_reader(runtime: Runtime[Any]) -> None:
    reader = runtime.extensions.pop(FEED_READER, None)
    if isinstance(reader, Reader):
        await reader.close()


def feed_reader_of(runtime: Runtime[Any]) -> Reader:
    reader = runtime.extensions.get(FEED_READER)
    if not isinstance(reader, Reader):
        raise RuntimeError("the feed reader is not open: the app's start hooks did not run")
    return reader
