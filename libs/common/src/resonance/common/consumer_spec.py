"""What a consumer group applies (ConsumerSpec: handlers per event class, batch handlers,
deferred types) and the inbox claim; the runner that applies it is in consumer.py."""

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.events.envelope import Envelope, EventData

E = TypeVar("E", bound=EventData)
# A handler applies one event inside the consumer's transaction. It must keep every effect in
# `session` (outbox rows included): the runner commits the inbox claim, the effects and, after
# that, the Kafka offset as one unit, and may apply a whole poll in one transaction.
EventHandler = Callable[[AsyncSession, E, Envelope], Awaitable[None]]
# A batch handler applies consecutive events of one type from one poll at once (fewer, larger
# statements), in the same transaction; on any failure the poll is retried one event at a time
# through the single-event handler, which must therefore give the same result.
BatchHandler = Callable[[AsyncSession, list[tuple[Any, Envelope]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Deferred:
    """An event of a deferred type as taken in: routed by the CloudEvents headers the outbox
    relay sets (`ce_type`, `ce_id`, `ce_tenant`), its body (the envelope's JSON) not parsed.
    Without those headers the runner parses the envelope to route it."""

    id: str
    tenant: str
    type: str
    body: bytes

    @classmethod
    def of(cls, envelope: Envelope, body: bytes | None = None) -> "Deferred":
        return cls(envelope.id, envelope.tenant, envelope.type, body or envelope.to_bytes())


# A queue handler takes in events of a deferred type (ConsumerSpec `deferred`): it stores the
# bodies, durably, in the consumer's transaction, for the service to apply later in larger
# sets. Their envelopes and payloads are validated, and their ids claimed in the inbox, when
# applied: a body that is not an envelope must fail the handler (the runner then parses the
# events one by one and dead-letters what does not parse).
QueueHandler = Callable[[AsyncSession, list[Deferred]], Awaitable[None]]


@functools.cache
def _claim_statement(inbox: str) -> TextClause:
    # Text, not postgresql.insert(...).on_conflict_do_nothing(): SQLAlchemy 2.0 compiles a
    # PostgreSQL INSERT anew on every execution (sqlalchemy/sqlalchemy#10445), and this runs
    # for every poll of every consumer.
    return text(
        f"INSERT INTO {inbox} (consumer, event_id) "
        "SELECT :consumer, unnest(CAST(:ids AS text[])) ON CONFLICT DO NOTHING RETURNING event_id"
    )


async def claim_events(
    session: AsyncSession, inbox: Table, consumer: str, event_ids: list[str]
) -> set[str]:
    """Records the event ids in the consumer's inbox; returns those it had not applied yet."""
    if not event_ids:
        return set()
    claimed = await session.execute(
        _claim_statement(inbox.name),
        {"consumer": consumer, "ids": list(dict.fromkeys(event_ids))},
    )
    return set(claimed.scalars())


class PermanentError(Exception):
    """A handler raises this when retrying cannot help (bad payload): straight to the DLQ."""


@dataclass(frozen=True)
class _Route:
    model: type[EventData]
    handler: EventHandler[Any]


class ConsumerSpec:
    """What one consumer group of a service applies: `{EventClass: handler}`.

    The topics come from the classes, so a consumer cannot subscribe to one event type and
    miss another of the same aggregate by accident. Each payload is parsed once, here; a
    payload that does not validate is a permanent error (dead-lettered without retries).
    """

    def __init__(
        self,
        name: str,
        handlers: Mapping[type[Any], EventHandler[Any]],
        batch_handlers: Mapping[type[Any], BatchHandler] | None = None,
        deferred: Mapping[type[Any], QueueHandler] | None = None,
        max_poll_records: int = 500,
    ) -> None:
        """`deferred`: event types only queued here, for the service to apply later in larger
        sets: taking them in costs one insert, whatever applying them costs. The runner
        neither parses their payload nor claims them in the inbox: whatever applies them must
        (`claim_events`), in the transaction that applies them, so a redelivery queued twice
        is applied once; a payload that does not validate is then the applier's to set aside.

        `max_poll_records`: records per poll, applied per partition in one transaction each."""
        self.name = name
        self.max_poll_records = max_poll_records
        self._routes = {
            model.event_type: _Route(model, handler) for model, handler in handlers.items()
        }
        self._batch_routes = {
            model.event_type: handler for model, handler in (batch_handlers or {}).items()
        }
        if not set(self._batch_routes) <= set(self._routes):
            raise ValueError("a batch handler needs a single-event handler for the fallback")
        self._deferred = {model.event_type: queue for model, queue in (deferred or {}).items()}
        if set(self._deferred) & set(self._routes):
            raise ValueError("an event type is either applied here or deferred, not both")
        self.topics = sorted(
            {route.model.topic for route in self._routes.values()}
            | {model.topic for model in deferred or {}}
        )

    def handles(self, event_type: str) -> bool:
        return event_type in self._routes or event_type in self._deferred

    @property
    def event_types(self) -> list[str]:
        return sorted([*self._routes, *self._deferred])

    @property
    def has_deferred(self) -> bool:
        return bool(self._deferred)

    def defers(self, event_type: str) -> bool:
        return event_type in self._deferred

    def queue_handler(self, event_type: str) -> QueueHandler | None:
        return self._deferred.get(event_type)

    def batch_handler(self, event_type: str) -> BatchHandler | None:
        return self._batch_routes.get(event_type)

    def parse(self, envelope: Envelope) -> EventData:
        route = self._routes[envelope.type]
        try:
            return route.model.model_validate(envelope.data)
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
            raise PermanentError(f"invalid {envelope.type} payload ({fields})") from exc

    async def dispatch(self, session: AsyncSession, envelope: Envelope) -> None:
        queue = self.queue_handler(envelope.type)
        if queue is not None:
            await queue(session, [Deferred.of(envelope)])
            return
        event = self.parse(envelope)
        await self._routes[envelope.type].handler(session, event, envelope)
