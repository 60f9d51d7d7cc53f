from resonance.common.settings import ServiceSettings, service_config


class MetricsSettings(ServiceSettings):
    model_config = service_config("metrics")

    service_name: str = "metrics"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance_metrics"
