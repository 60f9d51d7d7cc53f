"""Issue 9, one convention for lists: the caller's connections page by cursor like every /v1
list (against real PostgreSQL). Rows are written directly: the OAuth flow has its own tests."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from resonance.devstack.testing import Infra, RunningService, running_service
from resonance.sharing.store.tables import DISCONNECTED, Connection

from .connect_kit import ambassador

NETWORKS = ["linkedin", "mastodon", "x"]  # the list's order: by network name


@pytest.fixture(scope="module")
async def svc(infra: Infra) -> AsyncIterator[RunningService]:
    async with running_service(infra, "sharing") as svc:
        yield svc


async def _connect_rows(
    svc: RunningService, tenant: str, who: str, networks: list[str], status: str = "connected"
) -> list[str]:
    now = datetime.now(UTC)
    rows = [
        Connection(
            tenant=tenant,
            ambassador_id=who,
            network=network,
            network_user_id=f"{who}-{network}",
            status=status,
            connected_at=now,
            updated_at=now,
        )
        for network in networks
    ]
    async with svc.runtime.unit_of_work() as uow:
        uow.session.add_all(rows)
    return [r.id for r in rows]


async def _walk(
    c: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = await c.get("/v1/connections", params=query, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_connections_page_by_cursor(infra: Infra, svc: RunningService) -> None:
    c = svc.client
    t, other = f"t-{uuid.uuid4().hex[:8]}", f"t-{uuid.uuid4().hex[:8]}"
    me = ambassador(infra, t, "adam")
    mine = await _connect_rows(svc, t, "adam", NETWORKS)
    # Not listed: a colleague's, the same subject in another tenant, a disconnected one.
    await _connect_rows(svc, t, "colleague", NETWORKS)
    theirs = await _connect_rows(svc, other, "adam", ["linkedin", "x"])
    await _connect_rows(svc, t, "adam", ["bluesky"], status=DISCONNECTED)

    r = await c.get("/v1/connections", params={"limit": 200}, headers=me)
    assert r.status_code == 200, r.text
    whole = r.json()
    assert whole["next_cursor"] is None
    # linkedin < mastodon < x: the ids in the order NETWORKS wrote them.
    assert [i["id"] for i in whole["items"]] == mine

    pages = await _walk(c, me, limit=2)
    assert [len(p) for p in pages] == [2, 1]
    assert [i for p in pages for i in p] == whole["items"]

    first = (await c.get("/v1/connections", params={"limit": 2}, headers=me)).json()
    tampered = ("A" if first["next_cursor"][0] != "A" else "B") + first["next_cursor"][1:]
    # WzFd is base64 of [1]; WyJ4Il0 of ["x"] (one part where two are expected).
    for bad in (tampered, "not-ours", "WzFd", "WyJ4Il0"):
        r = await c.get("/v1/connections", params={"cursor": bad}, headers=me)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["type"].endswith("/invalid-cursor")

    assert (await c.get("/v1/connections", params={"limit": 201}, headers=me)).status_code == 422

    # The other tenant's adam sees only their own two, never this tenant's.
    elsewhere = await _walk(c, ambassador(infra, other, "adam"), limit=1)
    assert [i["id"] for p in elsewhere for i in p] == theirs
