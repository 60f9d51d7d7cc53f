from resonance.common.settings import ServiceSettings, service_config


class ContentSettings(ServiceSettings):
    model_config = service_config("content")

    service_name: str = "content"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance_content"
