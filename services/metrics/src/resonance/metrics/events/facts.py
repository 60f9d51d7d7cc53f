"""The metrics consumer: every fact of the other services applied to the aggregates, the
people projection, points, badges and challenges (service/).

Each handler runs inside the consumer's transaction (`session`) and keeps every effect in it
(reward.granted included, through the outbox): the runner commits the inbox claim, the effects
and then the Kafka offset as one, so a redelivered event is applied once. The event's own time
(`envelope.time`) orders changes of one thing, so an older event never overwrites newer state.
A fact about someone already erased (in flight on another topic) is dropped.

share.made, most of the traffic, is only queued here and validated and applied by the fold
job in large sets (service/fold.py): the runner leaves its parsing and inbox claim to the fold
(`deferred`).
"""

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.consumer import ConsumerSpec, Deferred, QueueHandler
from resonance.common.events import Envelope
from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorErased,
    AmbassadorInvited,
    AmbassadorLeft,
    AmbassadorStageChanged,
    AmbassadorUpdated,
    CampaignLaunched,
    ConnectionConnected,
    ConnectionDisconnected,
    ContentPublished,
    ContentRetired,
    ConversionRecorded,
    LinkClicked,
    ReachMeasured,
    ShareFailed,
    ShareMade,
    SubmissionApproved,
)
from resonance.common.service import Runtime
from resonance.metrics.service import Uow, erasure, facts, fold, people, shares
from resonance.metrics.settings import MetricsSettings

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
Apply = Callable[[Uow, str, Any, Envelope], Awaitable[Any]]

# What each event does, given a unit of work over the consumer's transaction.
APPLY: dict[type[Any], Apply] = {
    ContentPublished: lambda uow, t, e, env: facts.published(uow, t, e, env.time),
    ContentRetired: lambda uow, t, e, env: facts.retired(uow, t, e, env.time),
    CampaignLaunched: lambda uow, t, e, env: facts.campaign_launched(uow, t, e),
    SubmissionApproved: lambda uow, t, e, env: facts.submission_approved(uow, t, e, env.time),
    AmbassadorInvited: lambda uow, t, e, env: people.invited(uow, t, e, env.time),
    AmbassadorEnrolled: lambda uow, t, e, env: people.enrolled(uow, t, e, env.time),
    AmbassadorUpdated: lambda uow, t, e, env: people.updated(uow, t, e, env.time),
    AmbassadorLeft: lambda uow, t, e, env: people.left(uow, t, e, env.time),
    AmbassadorStageChanged: lambda uow, t, e, env: people.stage_changed(uow, t, e, env.time),
    AmbassadorErased: lambda uow, t, e, env: erasure.erased(uow, t, e),
    ShareFailed: lambda uow, t, e, env: facts.share_failed(uow, t, e, env.time),
    ReachMeasured: lambda uow, t, e, env: shares.reached(uow, t, e),
    LinkClicked: lambda uow, t, e, env: facts.clicked(uow, t, e, env.id),
    ConversionRecorded: lambda uow, t, e, env: facts.converted(uow, t, e),
    ConnectionConnected: lambda uow, t, e, env: facts.connected(uow, t, e, env.time),
    ConnectionDisconnected: lambda uow, t, e, env: facts.disconnected(uow, t, e, env.time),
}


def _handler(runtime: Runtime[MetricsSettings], apply: Apply) -> Handler:
    async def handle(session: AsyncSession, event: Any, envelope: Envelope) -> None:
        uow = runtime.bind(session)
        who = getattr(event, "ambassador_id", None)
        if not isinstance(event, AmbassadorErased) and await people.is_erased(
            uow, envelope.tenant, who
        ):
            return  # about someone erased, still in flight: recreating their rows is not ours
        await apply(uow, envelope.tenant, event, envelope)

    return handle


def _share_queue(runtime: Runtime[MetricsSettings]) -> QueueHandler:
    """share.made is most of the traffic: a poll's worth is appended to the share queue in
    one statement; the fold job validates and applies it (service/fold.py)."""

    async def handle(session: AsyncSession, events: list[Deferred]) -> None:
        await fold.queue(runtime.bind(session), events)

    return handle


# Every fact this consumer takes in: applied as it arrives, or queued (share.made).
CONSUMED: frozenset[type[Any]] = frozenset({*APPLY, ShareMade})


def build_consumers(runtime: Runtime[MetricsSettings]) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            "metrics.facts",
            {event: _handler(runtime, apply) for event, apply in APPLY.items()},
            deferred={ShareMade: _share_queue(runtime)},
            # Queuing costs little per record: larger polls mean fewer round trips per event.
            max_poll_records=2000,
        )
    ]
