"""Kafka is closed: a client must authenticate (SASL/SCRAM) and may only write the topics its
principal owns. The test fixtures run the broker exactly as the local stack does."""

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from aiokafka.structs import RecordMetadata

from resonance.common.kafka_clients import client_options
from resonance.common.outbox import make_producer
from resonance.common.settings import ServiceSettings
from resonance.devstack.testing import Infra

# What is written is irrelevant: nothing consumes these topics.
VALUE = b'{"not": "read"}'


async def _send(producer: AIOKafkaProducer, topic: str) -> RecordMetadata:
    try:
        await producer.start()
        return await asyncio.wait_for(producer.send_and_wait(topic, VALUE, key=b"e-1"), 20)
    finally:
        await producer.stop()


async def test_a_client_without_credentials_is_refused(infra: Infra) -> None:
    prefix = infra.new_prefix()
    anonymous = AIOKafkaProducer(
        bootstrap_servers=infra.kafka.bootstrap_servers, request_timeout_ms=5000
    )
    # The broker answers (new_prefix just created topics and ACLs through it as the admin),
    # but closes a connection that does not start with a SASL handshake: the client cannot
    # even fetch metadata.
    with pytest.raises(KafkaConnectionError):
        await _send(anonymous, prefix + "hr.employee")


async def test_a_wrong_password_is_refused(infra: Infra, caplog: pytest.LogCaptureFixture) -> None:
    prefix = infra.new_prefix()
    options = infra.kafka_options("ambassadors") | {"sasl_plain_password": "guessed"}
    with pytest.raises(KafkaConnectionError):
        await _send(AIOKafkaProducer(**options, request_timeout_ms=5000), prefix + "hr.employee")
    # aiokafka reports the broker's answer only in its log.
    assert "SaslAuthenticationFailed" in caplog.text


@pytest.mark.parametrize(
    ("principal", "topic"),
    [
        ("content", "hr.employee"),  # another service's topic
        ("metrics", "hr.employee"),
        ("sharing", "content"),
        ("hr-integration", "ambassador"),  # HR may push employees, nothing else
    ],
)
async def test_a_principal_cannot_write_a_topic_it_does_not_own(
    infra: Infra, principal: str, topic: str
) -> None:
    prefix = infra.new_prefix()
    producer = make_producer(
        infra.kafka.bootstrap_servers, f"{principal}-test", **infra.kafka.client_options(principal)
    )
    with pytest.raises(TopicAuthorizationFailedError):
        await _send(producer, prefix + topic)


@pytest.mark.parametrize(
    ("principal", "topic"),
    [
        ("hr-integration", "hr.employee"),
        ("ambassadors", "hr.employee"),
        ("content", "content"),
        ("sharing", "share.request"),
        ("metrics", "content.dlq"),  # any consumer parks what it cannot apply
    ],
)
async def test_a_principal_writes_its_own_topics(infra: Infra, principal: str, topic: str) -> None:
    """The refusals above are ACLs at work, not a broker refusing everyone: the same clients,
    built from service settings as a service builds them, write what they own."""
    prefix = infra.new_prefix()
    settings = ServiceSettings(**infra.kafka.settings_for(principal))
    producer = make_producer(
        settings.kafka_bootstrap_servers, f"{principal}-test", **client_options(settings)
    )
    sent = await _send(producer, prefix + topic)
    assert (sent.topic, sent.offset) == (prefix + topic, 0)  # the first record of a new topic


async def test_acls_are_scoped_to_the_test_prefix(infra: Infra) -> None:
    """Tests share the broker: a copy of the platform whose ACLs were not granted (another
    prefix) is closed to every service principal, so tests cannot leak into each other."""
    prefix = "tungrant."
    infra.kafka.create_topics([prefix + "content"])
    producer = make_producer(
        infra.kafka.bootstrap_servers, "content-test", **infra.kafka.client_options("content")
    )
    with pytest.raises(TopicAuthorizationFailedError):
        await _send(producer, prefix + "content")
