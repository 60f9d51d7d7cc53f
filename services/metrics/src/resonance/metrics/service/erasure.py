"""ambassador.erased: what is still queued for the person is folded first, so their shares
count in the anonymous aggregates exactly as if they had been applied before the erasure."""

from resonance.common.events.catalogue import AmbassadorErased
from resonance.metrics.service import Uow, fold, people


async def erased(uow: Uow, tenant: str, event: AmbassadorErased) -> str:
    await fold.fold_person(uow, tenant, event.ambassador_id)
    return await people.erased(uow, tenant, event)
