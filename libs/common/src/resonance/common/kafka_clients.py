"""How every Kafka client of a service connects: one place turns the settings into the
security options aiokafka's producers, consumers and admin clients take."""

from __future__ import annotations

from typing import Any

from aiokafka.helpers import create_ssl_context

from resonance.common.settings import ServiceSettings


class KafkaSecurityMisconfigured(ValueError):
    """The settings ask for SASL without the credentials it needs."""


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    """Keyword arguments for AIOKafkaProducer/AIOKafkaConsumer/AIOKafkaAdminClient, apart from
    bootstrap_servers: `AIOKafkaProducer(bootstrap_servers=..., **client_options(settings))`."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        # Certificates and host names are verified (create_ssl_context's defaults).
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile)
    if protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
        if not settings.kafka_username or settings.kafka_password is None:
            raise KafkaSecurityMisconfigured(f"{protocol} needs kafka_username and kafka_password")
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            # aiokafka names them "plain" for every mechanism (SCRAM too).
            sasl_plain_username=settings.kafka_username,
            sasl_plain_password=settings.kafka_password.get_secret_value(),
        )
    return options
