"""The unit of work a use case runs in: one transaction, its outbox, a clock and the service's
typed settings. Routers, jobs and event handlers all hand one of these to service functions."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.events.envelope import Envelope, EventData
from resonance.common.outbox import Outbox
from resonance.common.settings import ServiceSettings

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class UnitOfWork(Generic[SettingsT]):
    session: AsyncSession
    outbox: Outbox
    settings: SettingsT
    clock: Clock = utc_now

    def now(self) -> datetime:
        return self.clock()

    async def emit(self, tenant: str, event: EventData) -> Envelope:
        """Adds an event to the outbox: it is published only if the transaction commits."""
        return await self.outbox.add(self.session, tenant, event)
