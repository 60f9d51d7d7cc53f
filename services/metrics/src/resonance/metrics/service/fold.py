"""share.made in two steps: taken in, then folded.

Taking in (the consumer, `queue`) appends each event to the share queue, so the consumer
keeps pace with Kafka whatever the aggregates cost. Folding (the fold job, `fold`) takes the
oldest rows in large sets and applies them as one poll of share.made (service/shares_poll.py),
claiming their event ids in the consumer's inbox in the same transaction: an event queued
twice (a redelivery) is applied once, and an event is "applied" (in the inbox) exactly when
its effects are visible. Aggregates lag the queue by one fold, a fraction of a second when
the fold keeps up.
"""

from collections.abc import Sequence

from pydantic import ValidationError

from resonance.common.consumer import Deferred, claim_events
from resonance.common.dlq import describe_failure
from resonance.common.events.catalogue import ShareMade
from resonance.metrics.service import Uow, shares_poll
from resonance.metrics.store import share_queue
from resonance.metrics.store.share_queue import Queued
from resonance.metrics.store.tables import plumbing

# The consumer group whose inbox records folded events (events/facts.py).
CONSUMER = "metrics.facts"


async def queue(uow: Uow, events: Sequence[Deferred]) -> None:
    """Appends the events to the share queue (the folds of every process are notified when
    the transaction commits)."""
    await share_queue.enqueue(uow.session, [e.body for e in events])


async def fold(uow: Uow, limit: int) -> int:
    """Applies up to `limit` of the oldest queued events; returns how many rows it took."""
    taken = await share_queue.take(uow.session, limit)
    await _apply(uow, taken)
    return len(taken)


async def fold_row(uow: Uow, seq: int) -> None:
    """One row alone: after a fold failed, to find the row that cannot be applied."""
    await _apply(uow, await share_queue.take_one(uow.session, seq))


async def fold_person(uow: Uow, tenant: str, who: str) -> None:
    """Applies what is queued for one person now (before their erasure re-keys it)."""
    await _apply(uow, await share_queue.take_person(uow.session, tenant, who))


async def _apply(uow: Uow, taken: list[Queued]) -> None:
    if not taken:
        return
    events, invalid = [], []
    for q in taken:
        try:
            events.append((q, ShareMade.model_validate_json(q.data)))
        except ValidationError as exc:
            invalid.append((q, describe_failure(exc)))
    # Set aside with the reason (no retry can mend a payload), not claimed: never applied.
    await share_queue.park_rows(uow.session, invalid)
    fresh = await claim_events(
        uow.session, plumbing.inbox, CONSUMER, [q.event_id for q, _ in events]
    )
    applying = []
    for q, event in events:
        if q.event_id in fresh:
            fresh.discard(q.event_id)  # queued twice: applied once
            applying.append((q.tenant, event))
    await shares_poll.made_many(uow, applying)
