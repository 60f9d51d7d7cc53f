from resonance.common.settings import ServiceSettings, service_config


class ContentSettings(ServiceSettings):
    model_config = service_config("content")

    service_name: str = "content"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance_content"
    # Scheduler: publishes due items and expires past ones.
    scheduler_interval_s: float = 5.0
    # Feed poller: how often to look for sources that are due.
    source_poll_interval_s: float = 30.0
    # Default of the tenant setting "allow_private_links" for tenants that never set it; the
    # local stack turns it on so the sample feed on loopback can be read.
    allow_private_links_default: bool = False
    fetch_timeout_s: float = 5.0
    fetch_max_bytes: int = 2_000_000
    fetch_max_redirects: int = 5
    feed_page_size_max: int = 100
