"""Content service: the curation hub."""

from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.content.api import (
    campaigns,
    feed,
    items,
    kpis,
    previews,
    privacy,
    sources,
    submissions,
    taxonomy,
    tenant_settings,
)
from resonance.content.events.projections import consumers
from resonance.content.jobs.scheduler import run_scheduler
from resonance.content.jobs.sources import run_source_poller
from resonance.content.settings import ContentSettings
from resonance.content.store.reader import close_feed_reader, open_feed_reader
from resonance.content.store.tables import plumbing

TAGS = [
    {"name": "items", "description": "Content items, captions and the editorial workflow."},
    {"name": "feed", "description": "What an ambassador can share now."},
    {"name": "submissions", "description": "Ambassadors' own content and its moderation."},
    {"name": "campaigns", "description": "Named sets of items with a window and a goal."},
    {"name": "sources", "description": "RSS/Atom feeds turned into drafts or items."},
    {"name": "kpis", "description": "The company/market content mix."},
    {"name": "settings", "description": "Tenant settings: approval, compliance, mix target."},
]


def create_app(settings: ContentSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or ContentSettings(),
        tables=plumbing,
        title="Resonance content",
        description="Curation hub: content items, captions, campaigns, sources, moderation, feed.",
        routers=[
            items.router,
            previews.router,
            feed.router,
            submissions.router,
            campaigns.router,
            sources.router,
            kpis.router,
            tenant_settings.router,
            taxonomy.router,
            privacy.router,
        ],
        consumers=consumers,
        background_jobs=[run_scheduler, run_source_poller],
        # The feed's own asyncpg pool (store/reader.py).
        on_start=[open_feed_reader],
        on_stop=[close_feed_reader],
        openapi_tags=TAGS,
    )
