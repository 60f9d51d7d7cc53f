"""Metrics service: aggregates, KPIs, points, leaderboards, badges, challenges, rewards and
digests."""

from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.metrics.api import (
    challenges,
    digests,
    export,
    kpis,
    kpis_content,
    leaderboards,
    me,
    privacy,
    rewards,
    rules,
    tenant_settings,
    unsubscribe,
)
from resonance.metrics.events.facts import build_consumers
from resonance.metrics.jobs.boards import run_rolling_boards
from resonance.metrics.jobs.digest import run_digests
from resonance.metrics.jobs.fold import run_fold
from resonance.metrics.jobs.reengagement import run_reengagement
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store.schema import plumbing

TAGS = [
    {"name": "kpis", "description": "Programme KPIs per period and segment, and CSV export."},
    {"name": "leaderboards", "description": "Points boards per period and segment."},
    {"name": "me", "description": "An ambassador's own points, rank, badges and choices."},
    {"name": "points", "description": "Point rules, versioned and never retroactive."},
    {"name": "challenges", "description": "Time-boxed goals for a segment."},
    {"name": "rewards", "description": "The reward catalogue and redemptions."},
    {"name": "digests", "description": "Monthly digests (HTML and JSON) and a preview."},
    {"name": "settings", "description": "Time zone, EMV, reach rates, digest recipients."},
]


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    settings = settings or MetricsSettings()
    fold_here = [run_fold] if settings.fold_in_consumers else []
    return create_service_app(
        settings=settings,
        tables=plumbing,
        title="Resonance metrics",
        description="Reach, KPIs, leaderboards, points, badges, rewards and digests.",
        routers=[
            kpis.router,
            kpis_content.router,
            export.router,
            leaderboards.router,
            me.router,
            rules.router,
            challenges.router,
            digests.router,
            rewards.router,
            tenant_settings.router,
            unsubscribe.router,
            privacy.router,
        ],
        consumers=build_consumers,
        background_jobs=[*fold_here, run_rolling_boards, run_digests, run_reengagement],
        openapi_tags=TAGS,
    )
