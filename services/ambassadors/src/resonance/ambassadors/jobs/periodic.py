"""Background jobs: each loop opens one unit of work per round and calls one use case."""

import asyncio
import logging
from typing import TypeAlias

from resonance.ambassadors.service import hr_webhook, intake, invitations, privacy
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.common.service import Runtime

log = logging.getLogger(__name__)

Rt: TypeAlias = Runtime[AmbassadorsSettings]


async def invitation_dispatcher(runtime: Rt) -> None:
    """Invitations wait out the onboarding delay, then go out through the outbox."""
    while True:
        async with runtime.unit_of_work() as uow:
            sent = await invitations.dispatch_due(uow)
        if sent:
            log.info("sent %d invitations", sent)
        await asyncio.sleep(runtime.settings.invitation_poll_interval_s)


async def scheduled_leavers(runtime: Rt) -> None:
    """Leavers announced ahead of time stop taking part on their last day."""
    while True:
        async with runtime.unit_of_work() as uow:
            await intake.apply_due_leavers(uow)
        await asyncio.sleep(runtime.settings.invitation_poll_interval_s)


async def erasure_scheduler(runtime: Rt) -> None:
    """People who left long ago are anonymised without anyone having to ask."""
    while True:
        async with runtime.unit_of_work() as uow:
            erased = await privacy.erase_after_retention(uow)
        if erased:
            log.info("erased %d people after their retention period", erased)
        await asyncio.sleep(runtime.settings.erasure_poll_interval_s)


async def webhook_replay_purge(runtime: Rt) -> None:
    """Signatures outside the replay window are refused as stale anyway: forget them."""
    while True:
        async with runtime.unit_of_work() as uow:
            await hr_webhook.forget_old_signatures(uow)
        await asyncio.sleep(max(runtime.settings.webhook_replay_window_s, 60))
