"""Sharing service: connected social accounts, shares, tracked links, conversions and reach.

The API process serves the routes, relays the outbox, applies the projections and runs the
light jobs (click recording, reach polling, expiry announcements). Posting to the networks
happens in the worker process (`python -m resonance.sharing.worker`, see jobs/worker.py),
scaled apart by operations.
"""

from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.sharing.api import (
    autoshare,
    connections,
    conversions,
    links,
    policy,
    privacy,
    shares,
)
from resonance.sharing.events.projections import build_consumers
from resonance.sharing.jobs.click_recorder import record_clicks
from resonance.sharing.jobs.expiry import announce_expiring_connections
from resonance.sharing.jobs.reach_poller import poll_reach
from resonance.sharing.service.networks import close_networks, open_networks
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store.tables import plumbing


def create_app(settings: SharingSettings | None = None) -> FastAPI:
    settings = settings or SharingSettings()
    return create_service_app(
        settings=settings,
        tables=plumbing,
        title="Resonance sharing",
        description=(
            "Connected social accounts, shares (API posting and share intents), tracked "
            "links, conversions and reach."
        ),
        routers=[
            connections.router,
            shares.router,
            links.router,
            conversions.router,
            autoshare.router,
            policy.router,
            privacy.router,
        ],
        consumers=build_consumers,
        background_jobs=[announce_expiring_connections, record_clicks, poll_reach],
        on_start=[open_networks],
        on_stop=[close_networks],
    )
