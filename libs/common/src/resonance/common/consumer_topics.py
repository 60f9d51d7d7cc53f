"""Dead-letter topics exist before a consumer takes anything.

A consumer that cannot dead-letter a poison record cannot move past it: the record and
everything after it wait, and the failure shows only once a bad event arrives. So, before
it subscribes, the consumer checks that the dead-letter topic of each topic it reads exists.
A missing one is created when the consumer's principal may create topics; under the
platform's ACLs services may not, so the consumer then stays unsubscribed (not ready,
`/readyz` naming the topic), says so in the log once per interval, and looks again with
backoff until an operator (or the deployment) creates it.
"""

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
)

from resonance.common.events.catalogue import DLQ_SUFFIX

log = logging.getLogger(__name__)

# Kafka's answers to CreateTopics that mean "you may not", not "not now".
_REFUSED = {TopicAuthorizationFailedError.errno, ClusterAuthorizationFailedError.errno}
_CREATED = {0, TopicAlreadyExistsError.errno}

ListTopics = Callable[[], Awaitable[set[str]]]
# Creates the named topics; returns False when the principal is not allowed to.
CreateTopics = Callable[[list[str]], Awaitable[bool]]


def missing(wanted: Sequence[str], existing: set[str]) -> list[str]:
    return [name for name in wanted if name not in existing]


def next_delay(delay: float, max_delay: float) -> float:
    return min(delay * 2, max_delay)


class DeadLetterTopics:
    """Waits until every topic of `wanted` exists, creating them while that is allowed.

    `missing_now` is what readiness reports: the topics still missing at the last look
    (empty once they all exist)."""

    def __init__(
        self,
        wanted: Sequence[str],
        list_topics: ListTopics,
        create_topics: CreateTopics | None,
        *,
        first_delay_s: float = 0.5,
        max_delay_s: float = 10.0,
        log_every_s: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wanted = list(wanted)
        self.missing_now: list[str] = []
        self.first_delay_s = first_delay_s
        self.max_delay_s = max_delay_s
        self._list_topics = list_topics
        self._create_topics = create_topics
        self._log_every_s = log_every_s
        self._monotonic = monotonic
        self._last_logged: float | None = None
        self._subscriber: tuple[AIOKafkaConsumer, list[str]] | None = None

    @classmethod
    def of(
        cls,
        consumer: AIOKafkaConsumer,
        topics: Sequence[str],
        bootstrap_servers: str,
        kafka_options: Mapping[str, Any] | None,
    ) -> "DeadLetterTopics":
        """The dead-letter topics of `topics`, looked up through `consumer`'s cluster
        metadata and created (when allowed) with an admin client of the same principal;
        `subscribe_when_ready` then subscribes `consumer` to `topics`."""
        gate = cls(
            [t + DLQ_SUFFIX for t in topics],
            consumer.topics,
            functools.partial(create_with_admin, bootstrap_servers, dict(kafka_options or {})),
        )
        gate._subscriber = (consumer, list(topics))
        return gate

    async def subscribe_when_ready(self, stopping: asyncio.Event) -> bool:
        """Subscribes the consumer once the dead-letter topics exist (at once if it already
        is subscribed); False if `stopping` was set first."""
        assert self._subscriber is not None, "built by DeadLetterTopics.of"
        consumer, topics = self._subscriber
        if consumer.subscription():
            return True
        if not await self.wait(stopping):
            return False
        consumer.subscribe(topics)
        return True

    async def wait(self, stopping: asyncio.Event) -> bool:
        """True once every topic exists; False if `stopping` was set first."""
        delay = self.first_delay_s
        while not stopping.is_set():
            self.missing_now = missing(self.wanted, await self._list_topics())
            if self.missing_now and self._create_topics is not None:
                if not await self._create_topics(self.missing_now):
                    self._create_topics = None  # refused: asking again will not change that
                self.missing_now = missing(self.wanted, await self._list_topics())
            if not self.missing_now:
                return True
            self._report()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=delay)
            delay = next_delay(delay, self.max_delay_s)
        return False

    def _report(self) -> None:
        now = self._monotonic()
        if self._last_logged is not None and now - self._last_logged < self._log_every_s:
            return
        self._last_logged = now
        log.error(
            "not consuming: dead-letter topic(s) missing and not creatable here: %s",
            ", ".join(self.missing_now),
        )


async def create_with_admin(
    bootstrap_servers: str,
    kafka_options: Mapping[str, Any],
    names: list[str],
    partitions: int = 3,
) -> bool:
    """Creates `names` (an existing one counts as created). False when the principal may not
    create topics; other failures are logged and left for the next look."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **kafka_options)
    try:
        await admin.start()
        brokers = (await admin.describe_cluster()).get("brokers") or [None]
        response = await admin.create_topics(
            [
                NewTopic(n, num_partitions=partitions, replication_factor=min(3, len(brokers)))
                for n in names
            ]
        )
    except (TopicAuthorizationFailedError, ClusterAuthorizationFailedError):
        return False
    except Exception as exc:
        log.warning("creating dead-letter topics failed (%s)", type(exc).__name__)
        return True
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
    codes = {topic: code for topic, code, *_ in response.topic_errors}
    if any(code in _REFUSED for code in codes.values()):
        return False
    failed = {topic: code for topic, code in codes.items() if code not in _CREATED}
    if failed:
        log.warning("creating dead-letter topics failed (error codes %s)", failed)
    else:
        log.info("created dead-letter topic(s) %s", ", ".join(names))
    return True
