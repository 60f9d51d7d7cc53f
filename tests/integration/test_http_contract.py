"""HTTP behaviour every service shares: problem+json errors, Idempotency-Key, probes."""

import asyncio

from sqlalchemy import text

from resonance.devstack.testing import Infra, running_service

ITEM = {"family": "company", "format": "text", "title": "Award won"}


async def _items(svc) -> int:  # type: ignore[no-untyped-def]
    async with svc.runtime.db.session() as s:
        return int((await s.execute(text("select count(*) from content_items"))).scalar_one())


async def test_idempotency_key_replays_the_first_answer(infra: Infra) -> None:
    async with running_service(infra, "content") as content:
        headers = {**infra.auth(subject="chloe"), "Idempotency-Key": "create-award-1"}
        first = await content.client.post("/v1/items", json=ITEM, headers=headers)
        second = await content.client.post("/v1/items", json=ITEM, headers=headers)
        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert await _items(content) == 1
        async with content.runtime.db.session() as s:
            events = await s.execute(text("select count(*) from outbox"))
            assert events.scalar_one() == 1

        reused = await content.client.post(
            "/v1/items", json={**ITEM, "title": "Another"}, headers=headers
        )
        assert reused.status_code == 422
        assert reused.headers["content-type"] == "application/problem+json"

        # Keys are per caller: someone else's identical key is a different request.
        other = {**infra.auth(subject="paul"), "Idempotency-Key": "create-award-1"}
        assert (await content.client.post("/v1/items", json=ITEM, headers=other)).status_code == 201
        assert await _items(content) == 2


async def test_concurrent_retries_with_one_key_create_one_item(infra: Infra) -> None:
    async with running_service(infra, "content") as content:
        headers = {**infra.auth(subject="chloe"), "Idempotency-Key": "burst"}
        answers = await asyncio.gather(
            *[content.client.post("/v1/items", json=ITEM, headers=headers) for _ in range(5)]
        )
        assert {a.status_code for a in answers} <= {201, 409}
        assert any(a.status_code == 201 for a in answers)
        assert await _items(content) == 1


async def test_bad_input_is_a_problem_and_stores_nothing(infra: Infra) -> None:
    async with running_service(infra, "content") as content:
        headers = infra.auth()
        cases = [
            {"family": "gossip", "format": "text", "title": "x"},
            {"family": "company", "format": "text", "title": ""},
            {"family": "company", "format": "link", "title": "x", "url": "not a url"},
        ]
        for body in cases:
            r = await content.client.post("/v1/items", json=body, headers=headers)
            assert r.status_code == 422, body
            problem = r.json()
            assert r.headers["content-type"] == "application/problem+json"
            assert problem["status"] == 422 and problem["errors"]
        r = await content.client.post(
            "/v1/items", content=b"{broken", headers={**headers, "content-type": "application/json"}
        )
        assert r.status_code == 422
        assert await _items(content) == 0
        r = await content.client.get("/v1/nowhere", headers=headers)
        assert r.status_code == 404 and r.json()["title"] == "Not Found"


async def test_probes(infra: Infra) -> None:
    async with running_service(infra, "metrics") as metrics:
        assert (await metrics.client.get("/healthz")).json() == {"status": "ok"}
        ready = await metrics.client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}


async def test_database_refusals_become_4xx_problems(infra: Infra) -> None:
    """Whatever a route forgot to validate, PostgreSQL's refusal is the client's 4xx."""
    import httpx
    from fastapi import FastAPI

    from resonance.common.db import Database
    from resonance.common.errors import install_problem_handlers

    db = Database(infra.new_database("metrics"))
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/echo")
    async def echo(body: dict[str, str]) -> dict[str, str]:
        async with db.transaction() as s:
            await s.execute(
                text("insert into inbox (consumer, event_id) values ('echo', :v)"), {"v": body["v"]}
            )
        return body

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.post("/echo", json={"v": "ok"})).status_code == 200
        nul = await client.post("/echo", json={"v": "a\u0000b"})
        assert nul.status_code == 422
        assert nul.headers["content-type"] == "application/problem+json"
        duplicate = await client.post("/echo", json={"v": "ok"})
        assert duplicate.status_code == 409
    async with db.session() as s:
        stored = (await s.execute(text("select event_id from inbox"))).scalars().all()
    assert stored == ["ok"]
    await db.dispose()
