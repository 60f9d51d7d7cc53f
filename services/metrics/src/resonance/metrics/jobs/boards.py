"""Rolling boards job: when a tenant's local day changes, its rolling 30-day board is built for
the new window (service/boards.ensure_rolling); until then reads sum the daily rows. The same
round recounts retention marks kept in a zone that is no longer the tenant's
(service/populations.ensure_zone)."""

import asyncio
import logging

from resonance.common.service import Runtime
from resonance.metrics.service import boards, populations
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store.settings import tenants_known

log = logging.getLogger(__name__)


async def run_rolling_boards(runtime: Runtime[MetricsSettings]) -> None:
    if not runtime.settings.run_jobs:
        return
    while True:
        try:
            await build_rolling_boards(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("rolling boards round failed; retrying")
        await asyncio.sleep(runtime.settings.rolling_board_interval_s)


async def build_rolling_boards(runtime: Runtime[MetricsSettings]) -> int:
    """Builds the current window of every tenant that lacks it; returns how many were built."""
    async with runtime.unit_of_work() as uow:
        tenants = await tenants_known(uow.session)
    built = 0
    for tenant in tenants:
        async with runtime.unit_of_work() as uow:
            built += await boards.ensure_rolling(uow, tenant)
        async with runtime.unit_of_work() as uow:
            await populations.ensure_zone(uow, tenant)
    return built
