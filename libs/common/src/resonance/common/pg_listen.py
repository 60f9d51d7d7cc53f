"""PostgreSQL LISTEN: wakes a worker when another process commits work for it.

NOTIFY is delivered at commit, to every process listening, whichever process wrote: work
queued by one replica wakes the workers of all of them, with no polling.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from resonance.common.db import Database


@asynccontextmanager
async def listening(
    db: Database, channel: str, signal: asyncio.Event
) -> AsyncIterator[asyncio.Event]:
    """Sets `signal` on every notification on `channel` while inside.

    Holds one pooled connection. Yields an event set (with `signal`) if that connection is
    lost: notifications sent meanwhile are gone, so the caller should look for work and
    listen again."""
    lost = asyncio.Event()

    def notified(*_: Any) -> None:
        signal.set()

    def terminated(*_: Any) -> None:
        lost.set()
        signal.set()

    async with db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None  # asyncpg's connection, under SQLAlchemy's adapter
        await driver.add_listener(channel, notified)
        driver.add_termination_listener(terminated)
        try:
            yield lost
        finally:
            driver.remove_termination_listener(terminated)
            if not driver.is_closed():
                with suppress(Exception):  # a connection lost meanwhile is discarded anyway
                    await driver.remove_listener(channel, notified)
