"""The fold process: `python -m resonance.metrics.folder`.

Applies the share queue to the aggregates (jobs/fold.py) in a process of its own, so
operations scale it apart from the consumers that take share.made in (the chart's
metrics-fold Deployment, autoscaled on the queue's depth). Run the consumers with
`fold_in_consumers` off beside it. Replicas share the queue through SKIP LOCKED and are woken
by its NOTIFY; each has /healthz and /readyz for the orchestrator, and the outbox relay that
publishes what folding emits (badges, challenge completions).
"""

import uvicorn
from fastapi import FastAPI

from resonance.common.service import create_service_app
from resonance.metrics.jobs.fold import run_fold
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store.schema import plumbing


def create_folder_app(settings: MetricsSettings | None = None) -> FastAPI:
    # Same service name as the API: its events' source stays /resonance/metrics.
    return create_service_app(
        settings=settings or MetricsSettings(),
        tables=plumbing,
        title="Resonance metrics fold",
        description="Folds queued share.made into the aggregates (no business routes).",
        routers=[],
        background_jobs=[run_fold],
    )


def main() -> None:
    settings = MetricsSettings()
    uvicorn.run(
        create_folder_app(settings),
        host=settings.folder_host,
        port=settings.folder_port,
        log_config=None,
    )


if __name__ == "__main__":
    main()
