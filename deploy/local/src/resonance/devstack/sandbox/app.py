"""The sandbox application: three networks and the control API on one port."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, Request

from resonance.devstack.sandbox import (
    control,
    linkedin,
    linkedin_analytics,
    linkedin_posts,
    mastodon,
    x,
)
from resonance.devstack.sandbox.clock import SandboxClock
from resonance.devstack.sandbox.config import NETWORKS, SandboxConfig, default_config
from resonance.devstack.sandbox.state import SandboxState

# Where each network's real hosts map to, below the sandbox's base URL.
REAL_HOSTS = {
    "linkedin": ["https://www.linkedin.com", "https://api.linkedin.com"],
    "x": ["https://x.com", "https://api.x.com"],
    "mastodon": ["https://<instance>"],
}


def create_sandbox_app(
    config: SandboxConfig | None = None, clock: SandboxClock | None = None
) -> FastAPI:
    config = config or default_config()
    state = SandboxState(config, clock or SandboxClock())
    app = FastAPI(
        title="Resonance social-network sandbox",
        version="1",
        description="LinkedIn, X and Mastodon on loopback, with a control API under /_control.",
    )
    app.state.sandbox = state
    for module in (linkedin, linkedin_posts, linkedin_analytics, x, mastodon, control):
        app.include_router(module.router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/")
    async def index(request: Request) -> dict[str, Any]:
        """What a developer needs to point a connector here."""
        base = str(request.base_url).rstrip("/")
        return {
            "networks": {
                n: {
                    "base_url": f"{base}/{n}",
                    "stands_for": REAL_HOSTS[n],
                    "clients": [
                        {
                            "client_id": c.client_id,
                            "client_secret": c.secret,
                            "scopes": sorted(c.scopes),
                        }
                        for c in config.networks[n].clients
                    ],
                }
                for n in NETWORKS
            },
            "demo_usernames": [a.username for a in config.accounts],
            "control": f"{base}/_control",
            "docs": f"{base}/docs",
        }

    return app


def app_from_env() -> FastAPI:
    """uvicorn factory. RESONANCE_SANDBOX_FROZEN_AT=<ISO or epoch> starts a frozen clock."""
    from resonance.devstack.sandbox.clock import parse_instant

    frozen_at = os.environ.get("RESONANCE_SANDBOX_FROZEN_AT")
    clock = SandboxClock(parse_instant(frozen_at), frozen=True) if frozen_at else SandboxClock()
    return create_sandbox_app(clock=clock)
