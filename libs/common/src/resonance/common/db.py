"""Async database access: one engine per service, sessions as units of work.

Every connection carries a statement timeout and an idle-in-transaction timeout, and SQL
parameters never appear in exceptions or logs (they are personal data more often than not).
"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# A value quoted in an error message ('jane@example.com'); the driver's own
# "<class 'asyncpg.exceptions.DataError'>" is matched too, to be kept as it is.
_QUOTED_VALUE = re.compile(r"(<class '[^']*'>)|'[^']*'|\"[^\"]*\"")


def _unquote_values(message: str) -> str:
    return _QUOTED_VALUE.sub(lambda m: m.group(1) or "<value>", message)


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
            pool_pre_ping=True,
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
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any exception."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("select 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
