"""Content service: the curation hub."""

from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.content.api import items
from resonance.content.settings import ContentSettings
from resonance.content.store.tables import metadata, plumbing


def create_app(settings: ContentSettings | None = None) -> FastAPI:
    settings = settings or ContentSettings()
    return create_service_app(
        settings=settings,
        metadata=metadata,
        tables=plumbing,
        title="Resonance content",
        description="Curation hub: content items, captions, campaigns, sources, moderation, feed.",
        routers=[items.router],
    )
