"""Fold job: applies the share queue to the aggregates (service/fold.py). It is the second
half of taking share.made in, so it runs beside the consumers whatever `run_jobs` says, or,
with `fold_in_consumers` off, in processes of its own (`python -m resonance.metrics.folder`).
Whichever process queued rows, every fold is woken by the queue's NOTIFY at commit.

A fold that fails for a reason other than the database or the network being away is retried
row by row, so one row that cannot be applied is parked (kept with the reason, logged) and
the rest of the queue flows on. A fold chosen as a deadlock's victim (folds in several
processes update the same hot rows) runs again at once.
"""

import asyncio
import contextlib
import logging
import random
import time

from opentelemetry import metrics

from resonance.common.consumer import is_transient, lock_conflict
from resonance.common.pg_listen import listening
from resonance.common.service import Runtime
from resonance.metrics.service import fold
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store import share_queue

log = logging.getLogger(__name__)


# How often the queue's health is read for the gauges (a count of parked rows each time).
HEALTH_INTERVAL_S = 10.0


async def run_fold(runtime: Runtime[MetricsSettings]) -> None:
    meter = metrics.get_meter(__name__, meter_provider=runtime.meter_provider)
    lag = meter.create_gauge(
        "resonance.metrics.fold.lag",
        unit="s",
        description="How long the oldest share.made waiting in the share queue has waited: "
        "how far boards and KPIs are behind what was taken in",
    )
    parked = meter.create_gauge(
        "resonance.metrics.fold.parked",
        unit="{event}",
        description="share.made rows parked in the share queue (not applied: see `parked`)",
    )
    conflicts = meter.create_counter(
        "resonance.metrics.fold.conflicts",
        unit="{fold}",
        description="Folds rolled back by a deadlock with another fold, and run again",
    )
    settings = runtime.settings
    wake = asyncio.Event()
    checked = 0.0
    async with listening(runtime.db, share_queue.CHANNEL, wake) as lost:
        while True:
            if lost.is_set():
                # Raised as a connection fault: the supervisor starts the job again, listening.
                raise ConnectionError("lost the connection listening to the share queue")
            wake.clear()  # what is queued from now on wakes the wait below
            if time.monotonic() - checked >= HEALTH_INTERVAL_S:
                checked = time.monotonic()
                async with runtime.db.session() as session:
                    age, stuck = await share_queue.health(session)
                lag.set(age)
                parked.set(stuck)
            try:
                async with runtime.unit_of_work() as uow:
                    taken = await fold.fold(uow, settings.fold_batch_size)
            except Exception as exc:
                if lock_conflict(exc):
                    # Another fold held rows this set needed (folds share hot aggregate rows:
                    # today's totals, histograms); the set is back in the queue. Again now,
                    # after a moment so the two do not meet in step.
                    conflicts.add(1)
                    await asyncio.sleep(random.uniform(0, 0.05))  # noqa: S311 - jitter
                    continue
                if is_transient(exc):
                    raise  # the supervisor restarts the job once the database is back
                log.warning(
                    "fold of the share queue failed (%s); folding row by row", type(exc).__name__
                )
                await fold_singly(runtime, settings.fold_batch_size)
                continue
            if taken < settings.fold_batch_size:
                # Woken at once by a NOTIFY; the timeout is a safety net, not the pace.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), settings.fold_idle_interval_s)


async def fold_singly(runtime: Runtime[MetricsSettings], limit: int) -> None:
    async with runtime.unit_of_work() as uow:
        seqs = await share_queue.oldest(uow.session, limit)
    for seq in seqs:
        try:
            async with runtime.unit_of_work() as uow:
                await fold.fold_row(uow, seq)
        except Exception as exc:
            if is_transient(exc):
                raise
            log.error("share queue row %d parked: %s", seq, type(exc).__name__)
            async with runtime.unit_of_work() as uow:
                await share_queue.park(uow.session, seq, type(exc).__name__)
