"""Content service: the curation hub."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.content.api import (
    campaigns,
    feed,
    items,
    kpis,
    previews,
    sources,
    submissions,
    tenant_settings,
)
from resonance.content.events.projections import CONSUMER
from resonance.content.jobs.scheduler import run_scheduler
from resonance.content.jobs.sources import run_source_poller
from resonance.content.settings import ContentSettings
from resonance.content.store.reader import Reader
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
    settings = settings or ContentSettings()
    app = create_service_app(
        settings=settings,
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
        ],
        consumers=lambda runtime: [CONSUMER],
        background_jobs=[run_scheduler, run_source_poller],
        openapi_tags=TAGS,
    )
    runtime = app.state.runtime
    reader = Reader(
        settings.database_url,
        settings.database_pool_size,
        runtime.tracer_provider.get_tracer("resonance.content.feed"),
    )
    app.state.feed_reader = reader
    plumbing_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with plumbing_lifespan(app) as state:
            try:
                yield state
            finally:
                await reader.close()

    app.router.lifespan_context = lifespan
    return app
