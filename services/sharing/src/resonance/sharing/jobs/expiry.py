"""Background job of the API process: announce connections that expire soon."""

import asyncio
import logging

from resonance.common.service import Runtime
from resonance.sharing.service.expiry import announce_expiring
from resonance.sharing.settings import SharingSettings

log = logging.getLogger(__name__)


async def announce_expiring_connections(runtime: Runtime[SharingSettings]) -> None:
    while True:
        async with runtime.unit_of_work() as uow:
            count = await announce_expiring(uow)
        if count:
            log.info("announced %d expiring connections", count)
        await asyncio.sleep(runtime.settings.expiry_check_interval_s)
