"""Metrics service: reach, KPIs, leaderboards and rewards."""

from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.metrics.api import kpis
from resonance.metrics.events.content_events import CONSUMER as CONTENT_CONSUMER
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store.tables import plumbing


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    settings = settings or MetricsSettings()
    return create_service_app(
        settings=settings,
        tables=plumbing,
        title="Resonance metrics",
        description="Reach, KPIs, leaderboards, points, badges, rewards and digests.",
        routers=[kpis.router],
        consumers=lambda runtime: [CONTENT_CONSUMER],
    )
