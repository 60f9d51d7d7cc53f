"""Rewards from real events and concurrent requests: stock is never oversold, points never
overspent, and what a rejection or cancellation gives back is exactly what was held.

Every person earns 10 points with one share (default rules)."""

import asyncio

from sqlalchemy import text

from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.devstack.testkit import of_type, read_events
from resonance.metrics.devtools.sample_facts import at, enrolment, share


async def _people_with_points(
    send, metrics, infra, tenant: str, people: list[str], shares: int = 1
):
    await send(tenant, *(enrolment(p, site="paris") for p in people))
    await send(tenant, *(share(p, n, at(18, 9 + n)) for p in people for n in range(1, shares + 1)))
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    expected = len(people) * shares * 10

    async def all_scored() -> bool:
        r = await metrics.client.get("/v1/leaderboards?period=all&limit=100", headers=manager)
        if sum(e["score"] for e in r.json()["entries"]) != expected:
            return False
        # Enrolments travel on another topic than shares and may be applied later: until
        # then a token's subject names nobody (and a redemption finds no points).
        async with metrics.runtime.db.session() as session:
            linked = await session.execute(
                text(
                    "SELECT count(*) FROM ambassadors WHERE tenant = :t "
                    "AND login_subject IS NOT NULL"
                ),
                {"t": tenant},
            )
            return linked.scalar_one() == len(people)

    await eventually(all_scored, timeout=40)
    return manager


def token(infra: Infra, tenant: str, person: str) -> dict[str, str]:
    return infra.auth(tenant=tenant, roles=["ambassador"], subject=f"sub-{person}")


async def test_twenty_people_race_for_five_items(
    infra: Infra, metrics: RunningService, send, tenant: str
) -> None:
    people = [f"p{i:02d}" for i in range(20)]
    manager = await _people_with_points(send, metrics, infra, tenant, people)
    created = await metrics.client.post(
        "/v1/rewards", json={"title": "Mug", "cost": 10, "stock": 5}, headers=manager
    )
    assert created.status_code == 201, created.text
    reward = created.json()["id"]

    answers = await asyncio.gather(
        *(
            metrics.client.post(
                "/v1/redemptions", json={"reward_id": reward}, headers=token(infra, tenant, p)
            )
            for p in people
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 5 + [409] * 15
    assert {a.json()["type"].rsplit("/", 1)[-1] for a in answers if a.status_code == 409} == {
        "out-of-stock"
    }
    catalogue = (await metrics.client.get("/v1/rewards", headers=manager)).json()["items"]
    assert [r["stock"] for r in catalogue if r["id"] == reward] == [0]
    # The five winners hold their 10 points; the fifteen others still have theirs.
    winners = {a.json()["ambassador_id"] for a in answers if a.status_code == 201}
    for person in people:
        balance = (
            await metrics.client.get("/v1/me/points", headers=token(infra, tenant, person))
        ).json()["balance"]
        held = 10 if person in winners else 0
        assert (balance["held"], balance["available"]) == (held, 10 - held), person


async def test_one_person_cannot_overspend_with_concurrent_requests(
    infra: Infra, metrics: RunningService, send, tenant: str
) -> None:
    # Three shares: 30 points, enough for three 10-point items of an unlimited reward.
    manager = await _people_with_points(send, metrics, infra, tenant, ["zoe"], shares=3)
    zoe = token(infra, tenant, "zoe")
    reward = (
        await metrics.client.post(
            "/v1/rewards", json={"title": "Sticker", "cost": 10}, headers=manager
        )
    ).json()["id"]
    answers = await asyncio.gather(
        *(
            metrics.client.post("/v1/redemptions", json={"reward_id": reward}, headers=zoe)
            for _ in range(10)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 7
    assert {a.json()["type"].rsplit("/", 1)[-1] for a in answers if a.status_code == 409} == {
        "insufficient-balance"
    }
    balance = (await metrics.client.get("/v1/me/points", headers=zoe)).json()["balance"]
    assert balance == {"earned": 30, "spent": 0, "held": 30, "available": 0}


async def test_lifecycle_returns_points_and_stock_and_announces_the_reward(
    infra: Infra, metrics: RunningService, send, tenant: str
) -> None:
    manager = await _people_with_points(send, metrics, infra, tenant, ["ada", "bea"], shares=2)
    ada, bea = token(infra, tenant, "ada"), token(infra, tenant, "bea")
    reward = (
        await metrics.client.post(
            "/v1/rewards", json={"title": "Book", "cost": 15, "stock": 2}, headers=manager
        )
    ).json()["id"]

    async def points(who: dict[str, str]) -> dict:
        return (await metrics.client.get("/v1/me/points", headers=who)).json()["balance"]

    async def stock() -> int:
        rows = (await metrics.client.get("/v1/rewards", headers=manager)).json()["items"]
        return next(r["stock"] for r in rows if r["id"] == reward)

    first = (
        await metrics.client.post("/v1/redemptions", json={"reward_id": reward}, headers=ada)
    ).json()
    assert (await points(ada))["held"] == 15 and await stock() == 1
    # An ambassador cannot approve their own request.
    refused = await metrics.client.post(f"/v1/redemptions/{first['id']}/approve", headers=ada)
    assert refused.status_code == 403
    approved = await metrics.client.post(f"/v1/redemptions/{first['id']}/approve", headers=manager)
    assert approved.json()["status"] == "approved"
    fulfilled = await metrics.client.post(f"/v1/redemptions/{first['id']}/fulfil", headers=manager)
    assert fulfilled.json()["status"] == "fulfilled"
    # 20 earned, 15 spent: 5 left; the unit of stock stays given.
    assert await points(ada) == {"earned": 20, "spent": 15, "held": 0, "available": 5}
    assert await stock() == 1
    again = await metrics.client.post(f"/v1/redemptions/{first['id']}/cancel", headers=ada)
    assert again.status_code == 409  # fulfilled is final

    # Bea asks, the manager rejects: her 15 points and the unit of stock come back.
    second = (
        await metrics.client.post("/v1/redemptions", json={"reward_id": reward}, headers=bea)
    ).json()
    assert await stock() == 0
    rejected = await metrics.client.post(
        f"/v1/redemptions/{second['id']}/reject", json={"note": "not this month"}, headers=manager
    )
    assert rejected.json()["status"] == "rejected"
    assert await points(bea) == {"earned": 20, "spent": 0, "held": 0, "available": 20}
    assert await stock() == 1
    # Bea asks again and cancels it herself: same.
    third = (
        await metrics.client.post("/v1/redemptions", json={"reward_id": reward}, headers=bea)
    ).json()
    cancelled = await metrics.client.post(f"/v1/redemptions/{third['id']}/cancel", headers=bea)
    assert cancelled.json()["status"] == "cancelled"
    assert (await points(bea))["available"] == 20 and await stock() == 1
    # Another person's redemption is not hers to see.
    hidden = await metrics.client.post(f"/v1/redemptions/{first['id']}/cancel", headers=bea)
    assert hidden.status_code == 404

    mine = (await metrics.client.get("/v1/redemptions", headers=bea)).json()["items"]
    assert sorted(r["status"] for r in mine) == ["cancelled", "rejected"]
    assert (await metrics.client.get("/v1/redemptions?mine=false", headers=bea)).status_code == 403

    await read_events(
        infra,
        metrics.settings.topic_prefix,
        "reward",
        of_type("reward.granted", kind="reward", ambassador_id="ada", reward_id=reward, points=15),
    )


async def test_eligibility_by_segment_and_stage(
    infra: Infra, metrics: RunningService, send, tenant: str
) -> None:
    manager = await _people_with_points(send, metrics, infra, tenant, ["eli"])
    lyon_only = (
        await metrics.client.post(
            "/v1/rewards",
            json={"title": "Lyon tour", "cost": 5, "segment": {"sites": ["lyon"]}},
            headers=manager,
        )
    ).json()["id"]
    answer = await metrics.client.post(
        "/v1/redemptions", json={"reward_id": lyon_only}, headers=token(infra, tenant, "eli")
    )
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/not-eligible")
