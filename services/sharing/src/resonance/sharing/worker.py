"""The posting worker process: `python -m resonance.sharing.worker`.

A service app with no business routes (create_service_app gives it /healthz and /readyz for
the orchestrator, the outbox relay that publishes its share.made / share.failed events,
telemetry and housekeeping) whose background jobs are the posting consumer and the
scheduler. Operations run as many as a campaign needs; they share the work through the
`share.request` consumer group and SKIP LOCKED.
"""

import uvicorn
from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.sharing.jobs.worker import run_posting_worker, schedule_due_shares
from resonance.sharing.service.networks import close_networks, open_networks
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store.tables import plumbing


def create_worker_app(settings: SharingSettings | None = None) -> FastAPI:
    # Same service name as the API: its events' source stays /resonance/sharing.
    settings = settings or SharingSettings()
    return create_service_app(
        settings=settings,
        tables=plumbing,
        title="Resonance sharing worker",
        description="Posts due shares to the networks (no business routes).",
        routers=[],
        background_jobs=[run_posting_worker, schedule_due_shares],
        on_start=[open_networks],
        on_stop=[close_networks],
    )


def main() -> None:
    settings = SharingSettings()
    uvicorn.run(
        create_worker_app(settings),
        host=settings.worker_host,
        port=settings.worker_port,
        log_config=None,
    )


if __name__ == "__main__":
    main()
