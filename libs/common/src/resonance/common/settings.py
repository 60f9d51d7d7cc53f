"""Settings shared by every service; each service subclasses with its own env prefix."""

import importlib
from typing import Literal

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class TrustedIssuer(BaseModel):
    """Another OpenID Connect provider whose tokens are accepted, and the tenants it may
    assert (`"*"`: any)."""

    issuer: str
    jwks_url: str | None = None
    tenants: list[str]


class ServiceSettings(BaseSettings):
    """Base settings. A service sets `model_config = service_config("CONTENT")`."""

    model_config = SettingsConfigDict(env_prefix="RESONANCE_", extra="ignore")

    service_name: str = "resonance"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance"
    database_pool_size: int = 10
    # Set on every pooled connection: a runaway query or a transaction left open (a request
    # stuck on an upstream) cannot hold locks and connections forever.
    database_statement_timeout_s: float = 30.0
    database_idle_in_transaction_timeout_s: float = 60.0
    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    # How clients reach and authenticate to Kafka (see resonance.common.kafka_clients).
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    # CA bundle verifying the brokers' certificates (SSL, SASL_SSL); None: the system's CAs.
    kafka_ssl_cafile: str | None = None
    # How long start-up waits for Kafka before serving anyway and connecting in the background.
    kafka_connect_timeout_s: float = 15.0
    # Tests run many isolated copies of the platform against one broker; a prefix keeps
    # their topics apart without restarting Kafka.
    topic_prefix: str = ""
    consumer_group_prefix: str = ""
    oidc_issuer: str = "http://127.0.0.1:8090"
    oidc_audience: str = "resonance"
    oidc_jwks_url: str | None = None
    # Which tenants `oidc_issuer` may put in a token's `tenant` claim; "*" trusts it for any
    # tenant (the local stack and tests, whose tenants are made up on the fly). A production
    # provider shared by several customers lists exactly the tenants it speaks for.
    oidc_tenants: list[str] = ["*"]
    # Further providers (a customer's own), each limited to its tenants.
    oidc_extra_issuers: list[TrustedIssuer] = []
    # OAuth clients limited to some tenants (an HR integration's client to its customer): a
    # token from a listed client asserting another tenant is refused.
    oidc_client_tenants: dict[str, list[str]] = {}
    # Signing keys stay fresh this long unless the provider's Cache-Control says otherwise;
    # at most one fetch per interval (unknown key ids, failures back off from there).
    jwks_cache_s: float = 600.0
    jwks_min_refresh_interval_s: float = 10.0
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str | None = None
    relay_poll_interval_s: float = 0.2
    relay_batch_size: int = 200
    # Events above this are refused when written (a 422), below Kafka's 1 MB record limit.
    max_event_bytes: int = 512 * 1024
    consumer_max_attempts: int = 3
    consumer_retry_backoff_s: float = 0.2
    run_background_workers: bool = True
    # Browser origins allowed to call the API (CORS). The local stack allows the usual
    # dev-server origins; production lists the frontends' origins.
    cors_allow_origins: list[str] = []
    # Request bodies above this are refused with 413 before anything reads them.
    max_body_bytes: int = 1024 * 1024
    # Fernet keys sealing secrets at rest; the first seals, all open (rotation).
    secret_keys: list[str] = []
    # The process entry point owns logging; embedded uses (tests) leave it alone.
    configure_logging: bool = True
    log_level: str = "INFO"

    @property
    def jwks_url(self) -> str:
        return self.oidc_jwks_url or f"{self.oidc_issuer.rstrip('/')}/jwks"


def settings_class(service: str) -> type[ServiceSettings]:
    """The settings class a service declares in `resonance.<service>.settings`."""
    module = importlib.import_module(f"resonance.{service}.settings")
    return next(
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
    )


def service_config(name: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=f"RESONANCE_{name.upper()}_", extra="ignore")
