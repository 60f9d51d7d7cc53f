"""Reads posted shares' metrics on their decaying schedule (service/reach.py)."""

import asyncio

from resonance.common.service import Runtime
from resonance.sharing.service import reach
from resonance.sharing.service.networks import networks_of
from resonance.sharing.settings import SharingSettings


async def poll_reach(runtime: Runtime[SharingSettings]) -> None:
    while True:
        networks = networks_of(runtime)
        # A full round may mean more is due: go again at once, else wait for the next tick.
        while await reach.poll_due(runtime, networks) >= runtime.settings.reach_batch_size:
            pass
        await asyncio.sleep(runtime.settings.reach_poll_interval_s)
