"""Background job: publishes scheduled items when due and expires items past their window
(service/workflow.py decides and applies each change). Safe with several replicas: rows
another replica holds are skipped."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from resonance.common.service import Runtime
from resonance.common.unit_of_work import UnitOfWork
from resonance.content.service import workflow
from resonance.content.settings import ContentSettings

log = logging.getLogger(__name__)

Step = Callable[[UnitOfWork[ContentSettings]], Awaitable[int]]


async def run_scheduler(runtime: Runtime[ContentSettings]) -> None:
    while True:
        try:
            while await _round(runtime, workflow.release_due) == workflow.BATCH:
                pass
            while await _round(runtime, workflow.expire_past) == workflow.BATCH:
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler iteration failed; retrying")
        await asyncio.sleep(runtime.settings.scheduler_interval_s)


async def _round(runtime: Runtime[ContentSettings], step: Step) -> int:
    """One batch in one transaction."""
    async with runtime.unit_of_work() as uow:
        return await step(uow)
