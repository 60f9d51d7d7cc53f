"""Keeps a service's background workers (consumers, the outbox relay, jobs) alive across
transient faults: Kafka or the database restarting, a connection lost."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from time import monotonic

log = logging.getLogger(__name__)

# A worker that ran this long before it crashed starts again after the shortest delay.
SETTLED_S = 60.0


async def supervise(name: str, work: Callable[[], Awaitable[None]]) -> None:
    """Keeps a worker alive across transient faults (Kafka or the database restarting)."""
    delay = 0.5
    while True:
        started = monotonic()
        try:
            await work()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            if monotonic() - started >= SETTLED_S:
                delay = 0.5  # a fault after a good run is a new fault, not the same one again
            log.exception("%s crashed; restarting in %.1fs", name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
