from pydantic import AliasChoices, Field

from resonance.common.settings import ServiceSettings, service_config


class ContentSettings(ServiceSettings):
    model_config = service_config("content")

    service_name: str = "content"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance_content"
    # Scheduler: publishes due items and expires past ones.
    scheduler_interval_s: float = 5.0
    # Feed poller: how often to look for sources that are due.
    source_poll_interval_s: float = 30.0
    # Sources read at once by a poller round, and the most one source's poll (its feed and
    # article pages) may take.
    source_poll_concurrency: int = 4
    source_poll_deadline_s: float = 60.0
    # A failing source is retried after 2^failures poll intervals, at most this long.
    source_backoff_max_s: float = 86_400.0
    # Whether link previews and feeds may reach private, loopback or link-local addresses.
    # An operator's setting only (the local stack turns it on to read its sample feed on
    # loopback); no tenant can change it. The old name (..._DEFAULT) is still read.
    allow_private_links: bool = Field(
        default=False,
        validation_alias=AliasChoices(
            "allow_private_links",
            "allow_private_links_default",
            "resonance_content_allow_private_links",
            "resonance_content_allow_private_links_default",
        ),
    )
    # A fetch's overall deadline (connection, every read, every redirect), not per read.
    fetch_timeout_s: float = 5.0
    fetch_max_bytes: int = 2_000_000
    fetch_max_redirects: int = 5
    feed_page_size_max: int = 100
    # How long a feed read waits for a free connection of its pool before answering 503.
    feed_pool_acquire_timeout_s: float = 2.0
