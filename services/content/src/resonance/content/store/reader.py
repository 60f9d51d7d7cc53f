"""A plain asyncpg pool for the ambassador feed, the service's hottest read.

The shared SQLAlchemy engine pings every connection it hands out (pool_pre_ping: BEGIN,
an empty query, ROLLBACK) and wraps each statement in a transaction and a greenlet: for a
feed answered by two sub-millisecond SELECTs that was most of the request's round trips and
CPU. Here a read takes a connection, runs its statements in autocommit (asyncpg keeps their
prepared plans per connection) and, instead of pinging each time, retries once on a fresh
connection if the one it got turns out dead (the database restarted).
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from opentelemetry.trace import Tracer
from sqlalchemy.engine import make_url

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


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    """The reads here leave no session state (no SET, LISTEN, advisory lock or cursor), so
    the pool's default reset (a round trip of RESET ALL, UNLISTEN ... on every release) is
    skipped; asyncpg still rolls back a transaction left open."""


class Reader:
    def __init__(self, database_url: str, max_size: int, tracer: Tracer) -> None:
        self.tracer = tracer
        self._dsn = driver_dsn(database_url)
        self._max_size = max_size
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
        """Runs read-only `work` on a pooled connection, once more if the connection died."""
        pool = await self._get_pool()
        try:
            async with pool.acquire() as conn:
                return await work(conn)
        except _DEAD_CONNECTION:
            await pool.expire_connections()
            async with pool.acquire() as conn:
                return await work(conn)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
