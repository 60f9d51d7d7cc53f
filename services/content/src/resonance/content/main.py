"""Content service: the curation hub."""

from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.content.api import feed, items, tenant_settings
from resonance.content.events.projections import CONSUMER
from resonance.content.jobs.scheduler import run_scheduler
from resonance.content.settings import ContentSettings
from resonance.content.store.tables import metadata, plumbing

TAGS = [
    {"name": "items", "description": "Content items, captions and the editorial workflow."},
    {"name": "feed", "description": "What an ambassador can share now."},
    {"name": "settings", "description": "Tenant settings: approval, compliance, mix target."},
]


def create_app(settings: ContentSettings | None = None) -> FastAPI:
    settings = settings or ContentSettings()
    return create_service_app(
        settings=settings,
        metadata=metadata,
        tables=plumbing,
        title="Resonance content",
        description="Curation hub: content items, captions, campaigns, sources, moderation, feed.",
        routers=[items.router, feed.router, tenant_settings.router],
        consumers=[CONSUMER],
        background_jobs=[run_scheduler],
        openapi_tags=TAGS,
    )
