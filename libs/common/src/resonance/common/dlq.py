"""Dead-letter topics: inspect them and, once the cause is fixed, replay them.

    python -m resonance.common.dlq peek   content.dlq [--bootstrap 127.0.0.1:59092]
    python -m resonance.common.dlq replay content.dlq [--bootstrap 127.0.0.1:59092]

Security comes from the RESONANCE_KAFKA_* settings (RESONANCE_KAFKA_SECURITY_PROTOCOL,
RESONANCE_KAFKA_USERNAME, RESONANCE_KAFKA_PASSWORD, ...), as for a service.

Replaying republishes each record to its original topic with its key and headers (minus the
`dlq.*` ones). The consumer's inbox still guarantees that an event already applied is not
applied twice, so replaying more than needed is harmless.
"""

import argparse
import asyncio
import json
import re
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from resonance.common.db import sqlstate
from resonance.common.events.catalogue import DLQ_SUFFIX
from resonance.common.kafka_clients import client_options
from resonance.common.settings import ServiceSettings
from resonance.common.telemetry import decode_kafka_headers, kafka_headers

# What could be a value taken from the event rather than words of the message: anything
# quoted, e-mail addresses, and runs of digits (phone numbers, ids, dates).
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_EMAIL = re.compile(r"[^\s@()<>,;:]+@[^\s@()<>,;:]+")
_DIGITS = re.compile(r"\d{3,}")
MAX_ERROR_CHARS = 500


def describe_failure(exc: BaseException) -> str:
    """What went wrong with an event, fit for a `dlq.error` header, a log line or a span:
    the exception type and its message without the payload values it may quote (a dead
    letter outlives an erasure, and headers are read by whoever operates Kafka)."""
    name = type(exc).__name__
    if isinstance(exc, ValidationError):
        # Where and why, never the input: Pydantic's own text quotes `input_value=...`.
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['type']}"
            for err in exc.errors(include_input=False, include_url=False)[:10]
        ]
        return f"{name}: {exc.error_count()} error(s): {'; '.join(problems)}"[:MAX_ERROR_CHARS]
    if isinstance(exc, DBAPIError):
        # The driver's message can quote a row (a unique violation's DETAIL names the value).
        return f"{name}: {type(exc.orig).__name__} (SQLSTATE {sqlstate(exc) or '?'})"
    message = _DIGITS.sub("#", _EMAIL.sub("<email>", _QUOTED.sub("<value>", str(exc))))
    return f"{name}: {message}"[:MAX_ERROR_CHARS] if message else name


def _consumer(
    bootstrap_servers: str,
    dlq_topic: str,
    group_id: str | None,
    kafka_options: Mapping[str, Any] | None,
) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        dlq_topic,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **(kafka_options or {}),  # TLS, SASL: kafka_clients.client_options(settings)
    )


async def replay_dead_letters(
    bootstrap_servers: str,
    dlq_topic: str,
    producer: AIOKafkaProducer,
    limit: int = 10_000,
    kafka_options: Mapping[str, Any] | None = None,
) -> int:
    """Republishes dead letters not replayed before (a consumer group remembers where the
    last replay stopped)."""
    consumer = _consumer(bootstrap_servers, dlq_topic, f"dlq-replay.{dlq_topic}", kafka_options)
    await consumer.start()
    replayed = 0
    try:
        while replayed < limit:
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            if not batches:
                break
            offsets: dict[TopicPartition, int] = {}
            for tp, records in batches.items():
                for record in records:
                    headers = decode_kafka_headers(record.headers)
                    original = headers.get("dlq.original.topic", dlq_topic.removesuffix(DLQ_SUFFIX))
                    kept = {k: v for k, v in headers.items() if not k.startswith("dlq.")}
                    await producer.send_and_wait(
                        original, value=record.value, key=record.key, headers=kafka_headers(kept)
                    )
                    replayed += 1
                offsets[tp] = records[-1].offset + 1
            await consumer.commit(offsets)
    finally:
        await consumer.stop()
    return replayed


async def peek(
    bootstrap_servers: str,
    dlq_topic: str,
    limit: int = 50,
    kafka_options: Mapping[str, Any] | None = None,
) -> list[dict[str, str]]:
    consumer = _consumer(bootstrap_servers, dlq_topic, None, kafka_options)
    await consumer.start()
    found: list[dict[str, str]] = []
    try:
        while len(found) < limit:
            batches = await consumer.getmany(timeout_ms=1000, max_records=limit)
            if not batches:
                break
            for records in batches.values():
                for record in records:
                    headers = decode_kafka_headers(record.headers)
                    found.append(
                        {
                            "offset": str(record.offset),
                            "key": (record.key or b"").decode(errors="replace"),
                            **{k: v for k, v in headers.items() if k.startswith(("dlq.", "ce_"))},
                        }
                    )
    finally:
        await consumer.stop()
    return found[:limit]


async def _main(args: argparse.Namespace) -> None:
    security = client_options(ServiceSettings())
    if args.action == "peek":
        for row in await peek(args.bootstrap, args.topic, kafka_options=security):
            print(json.dumps(row))
        return
    producer = AIOKafkaProducer(
        bootstrap_servers=args.bootstrap, enable_idempotence=True, **security
    )
    await producer.start()
    try:
        count = await replay_dead_letters(
            args.bootstrap, args.topic, producer, kafka_options=security
        )
    finally:
        await producer.stop()
    print(f"replayed {count} record(s) from {args.topic}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m resonance.common.dlq")
    parser.add_argument("action", choices=["peek", "replay"])
    parser.add_argument("topic", help="the dead-letter topic, e.g. content.dlq")
    parser.add_argument("--bootstrap", default="127.0.0.1:59092")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
