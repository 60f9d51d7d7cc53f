"""ambassador.erased removes what is personal and keeps the anonymous aggregates.

Ann shares once, bob twice (10 points a share); bob connected X, chose a contact address, hid
himself, and holds one of three units of a reward. After his erasure: nothing in the database
names him any more, his held unit is back in stock, his points and badges are gone, and the
programme's figures still count three shares by two people.
"""

from sqlalchemy import text

from resonance.common.events.catalogue import AmbassadorErased, ConnectionConnected
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.metrics.devtools.sample_facts import at, enrolment, share


async def test_erasure_keeps_anonymous_aggregates_only(
    infra: Infra, metrics: RunningService, send, tenant: str, processed
) -> None:
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    bob = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-bob")
    enrolled = await send(
        tenant,
        enrolment("ann", site="paris"),
        enrolment("bob", site="lyon", timezone="Europe/Paris"),
        time=at(1),
    )
    sent = enrolled + await send(
        tenant,
        ConnectionConnected(
            connection_id="cx-bob",
            ambassador_id="bob",
            network="x",
            audience_size=100,
            connected_at=at(2),
        ),
        share("ann", 1, at(4)),
        share("bob", 1, at(4, 11)),
        share("bob", 2, at(5)),
    )
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    reward = (
        await metrics.client.post(
            "/v1/rewards", json={"title": "Cap", "cost": 10, "stock": 3}, headers=manager
        )
    ).json()["id"]
    assert (
        await metrics.client.post("/v1/redemptions", json={"reward_id": reward}, headers=bob)
    ).status_code == 201
    await metrics.client.put(
        "/v1/me/contact", json={"email": "bob@home.example", "suggestions": True}, headers=bob
    )
    await metrics.client.put("/v1/me/privacy", json={"hidden": True}, headers=bob)
    assert len((await metrics.client.get("/v1/me/badges", headers=bob)).json()["items"]) == 1

    [erasure] = await send(tenant, AmbassadorErased(ambassador_id="bob"))
    await eventually(lambda: processed(erasure.id), timeout=30)
    # A share of his still in flight when he was erased arrives late: it is dropped.
    [late] = await send(tenant, share("bob", 3, at(6)))
    await eventually(lambda: processed(late.id), timeout=30)

    async with metrics.runtime.db.session() as session:
        tables = (
            await session.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name IN "
                    "('ambassador_id', 'login_subject', 'email', 'counter_key')"
                )
            )
        ).all()
        assert len(tables) >= 15
        for table, column in tables:
            found = await session.execute(
                text(
                    f"SELECT count(*) FROM {table} WHERE tenant = :tenant "
                    f"AND ({column} = 'bob' OR {column} = 'sub-bob' "
                    f"OR {column} LIKE '%bob@home%' OR {column} LIKE '%:bob:%')"
                ),
                {"tenant": tenant},
            )
            assert found.scalar_one() == 0, f"{table}.{column} still names bob"
        anonymous = await session.execute(
            text(
                "SELECT sum(shares) FROM daily_activity WHERE tenant = :tenant "
                "AND ambassador_id LIKE 'erased-%'"
            ),
            {"tenant": tenant},
        )
        assert anonymous.scalar_one() == 2

    # His points, badges and choices are gone; a token with his old subject finds nothing.
    points = (await metrics.client.get("/v1/me/points", headers=bob)).json()
    assert points["balance"]["earned"] == 0 and points["entries"] == []
    assert (await metrics.client.get("/v1/me/badges", headers=bob)).json()["items"] == []
    assert (await metrics.client.get("/v1/me/contact", headers=bob)).json()["email"] is None
    rewards = (await metrics.client.get("/v1/rewards", headers=manager)).json()["items"]
    assert [r["stock"] for r in rewards] == [3]
    board = (await metrics.client.get("/v1/leaderboards?period=month", headers=manager)).json()
    assert [e["ambassador_id"] for e in board["entries"]] == ["ann"]
    top = (
        await metrics.client.get("/v1/kpis/top-ambassadors?period=month", headers=manager)
    ).json()
    assert [p["ambassador_id"] for p in top["people"]] == ["ann"]
    # The programme's figures are unchanged: two people enrolled, both shared, three shares.
    part = (await metrics.client.get("/v1/kpis/participation?period=month", headers=manager)).json()
    assert (part["enrolled"], part["sharers"], part["connected"]) == (2, 2, 1)
    lyon = (
        await metrics.client.get("/v1/kpis/participation?period=month&site=lyon", headers=manager)
    ).json()
    assert (lyon["enrolled"], lyon["sharers"]) == (1, 1)
    networks = (await metrics.client.get("/v1/kpis/networks?period=month", headers=manager)).json()
    assert sum(n["activity"]["shares"] for n in networks["networks"]) == 3
