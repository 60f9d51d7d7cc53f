"""Issue 9, one convention for lists: the item audit trail pages by cursor like every /v1 list
(against real PostgreSQL)."""

import uuid
from typing import Any

import httpx

from resonance.devstack.testing import Infra, RunningService

ITEM = {"family": "market", "format": "text", "title": "Paged", "submit": "draft"}


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def _walk(
    c: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[list[dict[str, Any]]]:
    """Every page of `path`, following next_cursor until it is null."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = await c.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def _item_with_history(
    c: httpx.AsyncClient, writer: dict[str, str], manager: dict[str, str], rounds: int
) -> str:
    """An item created as a draft, then submitted and rejected `rounds` times: its audit
    trail holds 1 + 2 * rounds entries (create, then submit and reject each round)."""
    r = await c.post("/v1/items", json=ITEM, headers=writer)
    assert r.status_code == 201, r.text
    iid = str(r.json()["id"])
    for n in range(rounds):
        assert (await c.post(f"/v1/items/{iid}/submit", headers=writer)).status_code == 200
        r = await c.post(f"/v1/items/{iid}/reject", json={"reason": f"r{n}"}, headers=manager)
        assert r.status_code == 200, r.text
    return iid


async def test_the_item_audit_trail_pages_by_cursor(infra: Infra, content: RunningService) -> None:
    c = content.client
    t, other = tenant(), tenant()
    writer = infra.auth(tenant=t, roles=["communicator"], subject="chloe")
    manager = infra.auth(tenant=t, roles=["program_manager"], subject="paul")
    iid = await _item_with_history(c, writer, manager, rounds=2)
    path = f"/v1/items/{iid}/audit"

    # 1 + 2 * 2 = 5 entries, oldest first: one big page holds them all.
    r = await c.get(path, params={"limit": 200}, headers=manager)
    assert r.status_code == 200, r.text
    whole = r.json()
    assert whole["next_cursor"] is None
    assert [e["action"] for e in whole["items"]] == [
        "create",
        "submit",
        "reject",
        "submit",
        "reject",
    ]

    # Two at a time: 2 + 2 + 1, the same entries in the same order, the last cursor null.
    pages = await _walk(c, path, manager, limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [e for p in pages for e in p] == whole["items"]

    # A cursor altered by one character is not one we issued.
    first = (await c.get(path, params={"limit": 2}, headers=manager)).json()["next_cursor"]
    tampered = ("A" if first[0] != "A" else "B") + first[1:]
    for bad in (tampered, "not-ours", "WyJ4Il0"):  # WyJ4Il0 is base64 of ["x"]
        r = await c.get(path, params={"cursor": bad}, headers=manager)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["type"].endswith("/invalid-cursor")

    r = await c.get(path, params={"limit": 201}, headers=manager)
    assert r.status_code == 422, r.text

    # Another tenant sees neither the item nor its trail; its own item's trail holds only its
    # own entries (1 + 2 * 1 = 3), written by zoe and max, never by chloe or paul.
    stranger = infra.auth(tenant=other, roles=["program_manager"], subject="max")
    assert (await c.get(path, headers=stranger)).status_code == 404
    own = await _item_with_history(
        c, infra.auth(tenant=other, roles=["communicator"], subject="zoe"), stranger, rounds=1
    )
    theirs = await _walk(c, f"/v1/items/{own}/audit", stranger, limit=2)
    assert [len(p) for p in theirs] == [2, 1]
    assert [e["actor"] for p in theirs for e in p] == ["zoe", "zoe", "max"]
