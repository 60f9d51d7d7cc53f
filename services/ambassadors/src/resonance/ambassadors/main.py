"""Ambassadors service: people, programmes, consent, stages, preferences and HR intake."""

from fastapi import FastAPI

from resonance.ambassadors.api import (
    activities,
    cohorts,
    hr_webhook,
    participation,
    privacy,
    profiles,
    programmes,
    scim_discovery,
    scim_groups,
    scim_options,
    scim_users,
    segments,
)
from resonance.ambassadors.api.scim_support import install_scim_errors
from resonance.ambassadors.events.handlers import build_consumers
from resonance.ambassadors.jobs import periodic
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.tables import plumbing
from resonance.common.service import create_service_app

TAGS = [
    {
        "name": "scim",
        "description": "SCIM 2.0 service provider for HR provisioning (integration role).",
    },
    {"name": "hr intake", "description": "Signed joiner/mover/leaver webhook and its secret."},
    {"name": "programmes", "description": "Programmes, their audiences and invitations."},
    {"name": "participation", "description": "Invitations, opt-in with consent, opt-out."},
    {"name": "profiles", "description": "Profiles, preferences and the right to disconnect."},
    {"name": "cohorts", "description": "Cohorts, nominations and renewal."},
    {"name": "activities", "description": "Events and workshops: seats, waiting list, attendance."},
    {"name": "segments", "description": "Eligible / invited / enrolled / active per programme."},
    {"name": "privacy", "description": "Data export and erasure."},
]


def create_app(settings: AmbassadorsSettings | None = None) -> FastAPI:
    settings = settings or AmbassadorsSettings()
    app = create_service_app(
        settings=settings,
        tables=plumbing,
        title="Resonance ambassadors",
        description="People, programmes, cohorts, consent, stages, preferences and HR intake "
        "(SCIM 2.0 at /scim/v2, signed HR webhook, hr.employee topic).",
        routers=[
            scim_discovery.router,
            scim_users.router,
            scim_groups.router,
            hr_webhook.router,
            programmes.router,
            participation.router,
            participation.staff_router,
            profiles.router,
            cohorts.router,
            activities.router,
            segments.router,
            privacy.router,
            privacy.audit_router,
            # Last: answers OPTIONS for the SCIM routes above.
            scim_options.router,
        ],
        consumers=build_consumers,
        background_jobs=[
            periodic.invitation_dispatcher,
            periodic.scheduled_leavers,
            periodic.erasure_scheduler,
            periodic.webhook_replay_purge,
        ],
        openapi_tags=TAGS,
    )
    install_scim_errors(app)
    return app
