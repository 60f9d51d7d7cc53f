"""Settings shared by every service; each service subclasses with its own env prefix."""

import importlib
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base settings. A service sets `model_config = service_config("CONTENT")`."""

    model_config = SettingsConfigDict(env_prefix="RESONANCE_", extra="ignore")

    service_name: str = "resonance"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance"
    database_pool_size: int = 10
    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    # How long start-up waits for Kafka before serving anyway and connecting in the background.
    kafka_connect_timeout_s: float = 15.0
    # Tests run many isolated copies of the platform against one broker; a prefix keeps
    # their topics apart without restarting Kafka.
    topic_prefix: str = ""
    consumer_group_prefix: str = ""
    oidc_issuer: str = "http://127.0.0.1:8090"
    oidc_audience: str = "resonance"
    oidc_jwks_url: str | None = None
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
