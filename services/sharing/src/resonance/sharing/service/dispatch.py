"""Handing shares to the posting workers: a `share.requested` event (through the outbox, in
the transaction that marks the share `requested_at`) for each share that is due.

The database is the source of truth; the event only wakes a worker. So the scheduler also
hands out again what was handed out and never finished (a request lost, or a worker killed
mid-post): the worker's own checks make a duplicate request harmless.
"""

from datetime import timedelta
from typing import TypeAlias

from resonance.common.events.catalogue import ShareRequested
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import posting as store
from resonance.sharing.store.tables import Share

Uow: TypeAlias = UnitOfWork[SharingSettings]


async def request_share(uow: Uow, share: Share) -> None:
    """Marks `share` handed out and emits its share.requested, in the caller's transaction."""
    share.requested_at = uow.now()
    await uow.emit(
        share.tenant,
        ShareRequested(
            share_id=share.id,
            ambassador_id=share.ambassador_id,
            network=share.network,
            due_at=share.scheduled_for,
            attempt=share.attempts,
        ),
    )


async def dispatch_due(uow: Uow) -> int:
    """Hands out every scheduled share whose time has come; returns how many."""
    rows = await store.due(uow.session, uow.now(), uow.settings.scheduler_batch_size)
    for share in rows:
        await request_share(uow, share)
    return len(rows)


async def requeue_stale(uow: Uow) -> int:
    """Hands out again the shares that were handed out and never finished."""
    s = uow.settings
    now = uow.now()
    rows = await store.stale(
        uow.session,
        posting_before=now - timedelta(seconds=s.worker_in_doubt_after_s),
        scheduled_before=now - timedelta(seconds=s.worker_requeue_after_s),
        limit=s.scheduler_batch_size,
    )
    for share in rows:
        await request_share(uow, share)
    return len(rows)
