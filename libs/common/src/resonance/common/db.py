"""Async database access: one engine per service, sessions as units of work.

Every connection carries a statement timeout and an idle-in-transaction timeout, and SQL
parameters never appear in exceptions or logs (they are personal data more often than not).
"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

# A value quoted in an error message ('jane@example.com'); the driver's own
# "<class 'asyncpg.exceptions.DataError'>" is matched too, to be kept as it is.
_QUOTED_VALUE = re.compile(r"(<class '[^']*'>)|'[^']*'|\"[^\"]*\"")


def _unquote_values(message: str) -> str:
    return _QUOTED_VALUE.sub(lambda m: m.group(1) or "<value>", message)


# SQLSTATE classes worth running the transaction again for: 08 connection exception, 40
# serialization failure or deadlock, 53 insufficient resources, 57 operator intervention.
RETRYABLE_CLASSES = frozenset({"08", "40", "53", "57"})


def sqlstate(exc: BaseException) -> str:
    """PostgreSQL's SQLSTATE of a database error ('' for anything else)."""
    if not isinstance(exc, DBAPIError):
        return ""
    orig = exc.orig
    return str(getattr(orig, "sqlstate", "") or getattr(orig, "pgcode", "") or "")


def scrub_data_error(context: ExceptionContext) -> None:
    """Data errors (SQLSTATE class 22) quote the value they refused, e.g. asyncpg's "invalid
    input for query argument $1: 'jane@example.com'", which hide_parameters cannot reach.
    Their message is rewritten before anything reads it (our logs, the SQLAlchemy span's
    status, a supervisor's traceback). Other classes name tables and constraints, not values:
    they are left alone for debugging."""
    orig = context.original_exception
    if not str(getattr(orig, "sqlstate", "") or "").startswith("22"):
        return
    for exc in (orig, context.sqlalchemy_exception):
        if exc is not None and exc.args and isinstance(exc.args[0], str):
            exc.args = (_unquote_values(exc.args[0]), *exc.args[1:])


def session_limits(
    statement_timeout_s: float, idle_in_transaction_timeout_s: float
) -> dict[str, str]:
    """PostgreSQL settings every pooled connection starts with (milliseconds; 0 disables)."""
    return {
        "statement_timeout": str(round(statement_timeout_s * 1000)),
        "idle_in_transaction_session_timeout": str(round(idle_in_transaction_timeout_s * 1000)),
    }


_FRESH = "resonance.fresh"


def _mark_fresh(dbapi_connection: object, record: ConnectionPoolEntry) -> None:
    record.info[_FRESH] = True


def _ping_on_checkout(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """SQLAlchemy's `pool_pre_ping`, in one round trip instead of three.

    The asyncpg dialect's own ping wraps its query in BEGIN ... ROLLBACK (three round trips,
    for PgBouncer's transaction mode, where a prepared statement may land on another server
    connection); every transaction paid it on checkout. A simple-protocol `SELECT 1` is one
    message, safe behind PgBouncer too. As with pre-ping: a connection just opened is not
    pinged, and a failed ping invalidates the pool, which retries with a new connection, so
    connections a database restart killed are replaced without the caller seeing an error."""
    if record.info.pop(_FRESH, False):
        return
    try:
        # The asyncio adapter's documented hook to the driver's own connection (asyncpg).
        dbapi_connection.run_async(lambda driver: driver.execute("SELECT 1"))
    except Exception as exc:
        raise InvalidatePoolError(f"ping failed: {type(exc).__name__}") from exc


class Database:
    def __init__(
        self,
        url: str,
        pool_size: int = 10,
        *,
        statement_timeout_s: float = 30.0,
        idle_in_transaction_timeout_s: float = 60.0,
    ) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            # Checked on checkout by _ping_on_checkout (a cheaper pre-ping).
            pool_pre_ping=False,
            # Errors and logs name the statement, never the values bound to it (e-mail
            # addresses, names, tokens).
            hide_parameters=True,
            connect_args={
                "server_settings": session_limits(
                    statement_timeout_s, idle_in_transaction_timeout_s
                )
            },
        )
        # Registered before any instrumentation, so it runs first and tracing sees the result.
        event.listen(self.engine.sync_engine, "handle_error", scrub_data_error)
        event.listen(self.engine.sync_engine, "connect", _mark_fresh)
        event.listen(self.engine.sync_engine, "checkout", _ping_on_checkout)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any exception."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection on which each statement commits on its own, with no BEGIN and COMMIT
        round trips around it: for a single statement that needs no transaction."""
        async with self.engine.connect() as conn:
            yield await conn.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("select 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
