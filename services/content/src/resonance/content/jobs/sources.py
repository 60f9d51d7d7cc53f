"""Background job: polls the feed sources that are due (service/sources.py)."""

import asyncio
import logging

from resonance.common.service import Runtime
from resonance.content.service import sources
from resonance.content.settings import ContentSettings

log = logging.getLogger(__name__)


async def run_source_poller(runtime: Runtime[ContentSettings]) -> None:
    while True:
        try:
            await sources.poll_due(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("source poll failed; retrying")
        await asyncio.sleep(runtime.settings.source_poll_interval_s)
