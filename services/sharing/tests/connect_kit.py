"""Helpers of the connection and worker tests: the sharing service pointed at the social
sandbox, an account connected through the real OAuth flow over HTTP (authorize URL → consent
form → redirect → callback), the posting worker process, and shares as rows."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select

from resonance.devstack.sandbox.client import TEST_REDIRECT_BASE as REDIRECT_BASE
from resonance.devstack.testing import RunningService
from resonance.sharing.store.tables import Connection, Share, ShareAttempt
from resonance.sharing.worker import create_worker_app


def ambassador(infra: Any, tenant: str, subject: str) -> dict[str, str]:
    return dict(infra.auth(tenant=tenant, roles=["ambassador"], subject=subject))


async def consent(
    browser: httpx.AsyncClient, authorization_url: str, username: str = "adam"
) -> str:
    """What a person's browser does at the network: open the consent page, allow as
    `username`; returns the redirect back to us (LinkedIn skips the page once granted)."""
    page = await browser.get(authorization_url)
    if page.status_code == 302:
        return page.headers["location"]
    assert page.status_code == 200, page.text[:300]
    form = dict(parse_qsl(urlsplit(authorization_url).query))
    answer = await browser.post(
        authorization_url.split("?", 1)[0],
        data={**form, "username": username, "decision": "allow"},
    )
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["location"]


async def connect(
    svc: RunningService,
    network: str,
    headers: dict[str, str],
    username: str = "adam",
) -> httpx.Response:
    """The whole connect flow through the API; the callback's response."""
    started = await svc.client.post(f"/v1/connections/{network}/authorize", headers=headers)
    assert started.status_code == 200, started.text
    async with httpx.AsyncClient(follow_redirects=False) as browser:
        back = await consent(browser, started.json()["authorization_url"], username)
    parts = urlsplit(back)
    assert f"{parts.scheme}://{parts.netloc}" == REDIRECT_BASE, back
    # No Authorization header: the browser arrives from the network without our token.
    return await svc.client.get(f"{parts.path}?{parts.query}")


@asynccontextmanager
async def posting_worker(settings: Any) -> AsyncIterator[FastAPI]:
    """The worker process's app (its consumer group, scheduler and outbox relay)."""
    app = create_worker_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        yield app


async def connection_row(svc: RunningService, connection_id: str) -> Connection:
    async with svc.runtime.unit_of_work() as uow:
        row = await uow.session.get(Connection, connection_id)
        assert row is not None
        uow.session.expunge(row)
        return row


async def add_share(
    svc: RunningService,
    tenant: str,
    connection: Connection,
    *,
    scheduled_for: datetime | None = None,
    status: str = "scheduled",
) -> Share:
    """A share as the shares API leaves it: composed text with its own tracked link."""
    share_id = str(uuid.uuid4())
    code = uuid.uuid4().hex[:10]
    link = f"https://rsn.test/l/{code}"
    share = Share(
        id=share_id,
        tenant=tenant,
        ambassador_id=connection.ambassador_id,
        content_id=str(uuid.uuid4()),
        content_family="company",
        campaign_id="camp-1",
        network=connection.network,
        connection_id=connection.id,
        text=f"Proud of what we ship {code}. {link}",
        tracked_link=link,
        link_code=code,
        status=status,
        scheduled_for=scheduled_for or datetime.now(UTC),
    )
    async with svc.runtime.unit_of_work() as uow:
        uow.session.add(share)
    return share


async def share_row(svc: RunningService, share_id: str) -> Share:
    async with svc.runtime.unit_of_work() as uow:
        row = await uow.session.get(Share, share_id)
        assert row is not None
        uow.session.expunge(row)
        return row


async def attempts_of(svc: RunningService, share_id: str) -> list[ShareAttempt]:
    async with svc.runtime.unit_of_work() as uow:
        rows = (
            (
                await uow.session.execute(
                    select(ShareAttempt)
                    .where(ShareAttempt.share_id == share_id)  # type: ignore[arg-type]
                    .order_by(ShareAttempt.attempt_no)  # type: ignore[arg-type]
                )
            )
            .scalars()
            .all()
        )
        for row in rows:
            uow.session.expunge(row)
        return list(rows)


async def posts_at(sandbox_url: str, network: str, text: str) -> list[dict[str, Any]]:
    """The sandbox's ground truth: every post it accepted with exactly this text."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{sandbox_url}/_control/posts", params={"network": network})
    answer.raise_for_status()
    return [p for p in answer.json()["posts"] if p["text"] == text]
