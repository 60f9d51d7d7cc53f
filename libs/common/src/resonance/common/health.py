"""Liveness and readiness probes, the same on every service."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database and Kafka reachable")
async def readyz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(runtime.db.ping(), timeout=2)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    checks["kafka"] = "ok" if await runtime.kafka_reachable() else "unavailable"
    for consumer in runtime.consumers:  # not consuming until its dead-letter topics exist
        if missing := consumer.dead_letter_topics.missing_now:
            checks[f"consumer {consumer.spec.name}"] = f"missing topics: {', '.join(missing)}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
