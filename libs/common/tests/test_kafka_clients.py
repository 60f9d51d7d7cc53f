"""Security settings become the same client options for every Kafka client."""

import ssl

import pytest

from resonance.common.kafka_clients import KafkaSecurityMisconfigured, client_options
from resonance.common.settings import ServiceSettings


def test_plaintext_adds_nothing_but_the_protocol() -> None:
    assert client_options(ServiceSettings()) == {"security_protocol": "PLAINTEXT"}


def test_sasl_scram_passes_the_credentials() -> None:
    settings = ServiceSettings(
        kafka_security_protocol="SASL_PLAINTEXT", kafka_username="content", kafka_password="pw"
    )
    assert client_options(settings) == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "content",
        "sasl_plain_password": "pw",
    }


def test_tls_verifies_the_broker() -> None:
    options = client_options(
        ServiceSettings(
            kafka_security_protocol="SASL_SSL", kafka_username="content", kafka_password="pw"
        )
    )
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert options["sasl_plain_username"] == "content"


def test_sasl_without_credentials_fails_at_start_not_at_the_broker() -> None:
    with pytest.raises(KafkaSecurityMisconfigured):
        client_options(ServiceSettings(kafka_security_protocol="SASL_SSL", kafka_username="x"))


def test_the_password_is_not_in_the_settings_repr() -> None:
    settings = ServiceSettings(kafka_username="content", kafka_password="s3cret-value")
    assert "s3cret-value" not in repr(settings)
