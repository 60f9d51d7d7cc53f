"""Drains the clicks the redirect queued (service/links.py) into the database and the outbox,
in batches, so the redirect itself never waits for a write."""

import asyncio
import logging
from contextlib import suppress

from resonance.common.service import Runtime
from resonance.sharing.service import links
from resonance.sharing.settings import SharingSettings

log = logging.getLogger(__name__)
ATTEMPTS = 3
# On shutdown, what is still queued gets this long to reach the database.
FINAL_FLUSH_S = 2.0


async def _write(runtime: Runtime[SharingSettings], batch: list[links.Click]) -> None:
    state = links.state_of(runtime)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with runtime.unit_of_work() as uow:
                await links.record(uow, batch, state.visitor_secret)
            return
        except Exception:
            if attempt == ATTEMPTS:
                log.exception("%d clicks lost after %d attempts", len(batch), ATTEMPTS)
                return
            await asyncio.sleep(0.2 * 2**attempt)


async def record_clicks(runtime: Runtime[SharingSettings]) -> None:
    s = runtime.settings
    state = links.state_of(runtime)
    # A batch cancelled mid-write was rolled back: it is written again in the final flush
    # (the once-per-window key makes a second write of a click harmless).
    batch: list[links.Click] = []
    try:
        while True:
            batch = await links.next_batch(state, s.click_batch_max, s.click_flush_interval_s)
            await _write(runtime, batch)
            batch = []
    except asyncio.CancelledError:
        pending = batch
        while not state.queue.empty():
            pending.append(state.queue.get_nowait())
        if pending:
            with suppress(Exception):
                await asyncio.wait_for(_write(runtime, pending), FINAL_FLUSH_S)
        raise
