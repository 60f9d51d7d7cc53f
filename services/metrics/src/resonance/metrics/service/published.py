"""The count of live published items (the walking skeleton's figure)."""

from resonance.metrics.service import Uow
from resonance.metrics.store.published import count_live_by_family


async def live_by_family(uow: Uow, tenant: str) -> dict[str, int]:
    return await count_live_by_family(uow.session, tenant)
