"""Points and leaderboards from real events: default rules, ties, pages, segments, privacy,
redelivery.

Default rules (domain/points.py default_rules): a share earns 10, a click from outside the
company 1, a click from inside nothing. The facts, all in the week of Monday 18 May 2026:

    ann  shares on 18 May 10:00 and 19 May 10:00          -> 20
    bob  shares on 18 May 11:00, one outside click 19 May -> 11
    cat  shares on 18 May 09:00, one inside click         -> 10, reached at 09:00
    dan  shares on 18 May 12:00                           -> 10, reached at 12:00

Board order: ann (rank 1), bob (2), then cat and dan tied on 10 share rank 3; cat comes first
because she reached 10 earlier.
"""

from sqlalchemy import text

from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.metrics.devtools.sample_facts import at, click, enrolment, share
from resonance.metrics.service import boards

PEOPLE = {"ann": "paris", "bob": "paris", "cat": "lyon", "dan": "lyon"}


def board(body: dict) -> list[tuple[str, int, int, int]]:
    return [(e["ambassador_id"], e["score"], e["rank"], e["position"]) for e in body["entries"]]


EXPECTED = [("ann", 20, 1, 1), ("bob", 11, 2, 2), ("cat", 10, 3, 3), ("dan", 10, 3, 4)]


async def _seed(send, tenant: str) -> list:
    await send(tenant, *(enrolment(p, site=site) for p, site in PEOPLE.items()))
    return await send(
        tenant,
        share("ann", 1, at(18, 10)),
        share("ann", 2, at(19, 10)),
        share("bob", 1, at(18, 11)),
        share("cat", 1, at(18, 9)),
        share("dan", 1, at(18, 12)),
        click("s-bob-1", "bob", at(19, 15), "c-1"),
        click("s-cat-1", "cat", at(19, 16), "c-1", internal=True),
    )


async def test_board_ranks_ties_pages_and_segments(
    infra: Infra, metrics: RunningService, send, tenant: str
) -> None:
    await _seed(send, tenant)
    manager = infra.auth(tenant=tenant, roles=["program_manager"])

    async def month() -> list:
        r = await metrics.client.get("/v1/leaderboards?period=month", headers=manager)
        assert r.status_code == 200, r.text
        return board(r.json())

    await eventually(lambda: _equals(month, EXPECTED), timeout=30)
    # The rolling 30 days (summed from daily rows) and the week agree with the month here.
    for period in ("rolling_30d", "week", "all"):
        r = await metrics.client.get(f"/v1/leaderboards?period={period}", headers=manager)
        assert board(r.json()) == EXPECTED, period
    r = await metrics.client.get(
        "/v1/leaderboards?period=custom&start=2026-05-19&end=2026-05-20", headers=manager
    )
    # Only 19 May: ann's second share (10) and bob's click (1).
    assert board(r.json()) == [("ann", 10, 1, 1), ("bob", 1, 2, 2)]

    # Two per page: the tie straddles nothing here, and the second page continues the ranks.
    first = (
        await metrics.client.get("/v1/leaderboards?period=month&limit=2", headers=manager)
    ).json()
    assert board(first) == EXPECTED[:2]
    second = (
        await metrics.client.get(
            f"/v1/leaderboards?period=month&limit=2&cursor={first['next_cursor']}", headers=manager
        )
    ).json()
    assert board(second) == EXPECTED[2:]
    assert second["next_cursor"] is None
    # One per page: the tie straddles pages 3 and 4 and keeps its shared rank.
    third = (
        await metrics.client.get(
            f"/v1/leaderboards?period=month&limit=1&cursor={first['next_cursor']}", headers=manager
        )
    ).json()
    fourth = (
        await metrics.client.get(
            f"/v1/leaderboards?period=month&limit=1&cursor={third['next_cursor']}", headers=manager
        )
    ).json()
    assert board(third) + board(fourth) == EXPECTED[2:]

    # Lyon only: cat and dan, tied first.
    r = await metrics.client.get("/v1/leaderboards?period=month&site=lyon", headers=manager)
    assert board(r.json()) == [("cat", 10, 1, 1), ("dan", 10, 1, 2)]

    bad = await metrics.client.get("/v1/leaderboards?period=custom", headers=manager)
    assert bad.status_code == 422
    assert bad.json()["type"].endswith("/invalid-period")


async def test_points_ledger_badges_and_privacy(
    infra: Infra, metrics: RunningService, send, tenant: str
) -> None:
    await _seed(send, tenant)
    bob = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-bob")
    ann = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-ann")

    async def bob_points() -> dict:
        r = await metrics.client.get("/v1/me/points", headers=bob)
        return r.json() if r.json()["balance"]["earned"] == 11 else {}

    points = await eventually(bob_points, timeout=30)
    assert points["ambassador_id"] == "bob"
    assert points["balance"] == {"earned": 11, "spent": 0, "held": 0, "available": 11}
    assert sorted((e["reason"], e["amount"]) for e in points["entries"]) == [
        ("click", 1),
        ("share", 10),
    ]
    badges = (await metrics.client.get("/v1/me/badges", headers=bob)).json()["items"]
    assert [b["code"] for b in badges] == ["first_share"]

    async def settled() -> bool:
        r = await metrics.client.get("/v1/leaderboards?period=month", headers=ann)
        return board(r.json()) == EXPECTED

    await eventually(settled, timeout=30)
    hidden = await metrics.client.put("/v1/me/privacy", json={"hidden": True}, headers=bob)
    assert hidden.json() == {"hidden": True}
    r = await metrics.client.get("/v1/leaderboards?period=month", headers=ann)
    # Bob is gone without leaving a gap: cat and dan move up to a shared second place.
    assert board(r.json()) == [("ann", 20, 1, 1), ("cat", 10, 2, 2), ("dan", 10, 2, 3)]
    # Bob still sees the rank he would have on the public board: only ann is above him.
    rank = (await metrics.client.get("/v1/me/rank?period=month", headers=bob)).json()
    assert (rank["score"], rank["rank"], rank["out_of"]) == (11, 2, 4)
    assert (rank["hidden"], rank["listed"]) == (True, False)
    # Dan's rank is counted without bob: ann above, cat tied with him.
    dan = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-dan")
    rank = (await metrics.client.get("/v1/me/rank?period=month", headers=dan)).json()
    assert (rank["score"], rank["rank"], rank["out_of"], rank["listed"]) == (10, 2, 3, True)
    # Someone who has not scored is ranked after everyone who has.
    eve = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-eve")
    rank = (await metrics.client.get("/v1/me/rank?period=month", headers=eve)).json()
    assert (rank["score"], rank["rank"], rank["out_of"], rank["listed"]) == (0, 4, 4, False)


async def test_redelivered_and_republished_facts_count_once(
    infra: Infra, metrics: RunningService, send, tenant: str, processed
) -> None:
    sent = await _seed(send, tenant)
    ann = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-ann")

    async def earned() -> int:
        r = await metrics.client.get("/v1/me/points", headers=ann)
        return int(r.json()["balance"]["earned"])

    await eventually(lambda: _is(earned, 20), timeout=30)
    # The same envelope again (a redelivery), then the same share under a new envelope id
    # (a producer that published twice), then a marker on the same key (same partition).
    redelivered = sent[0]
    republished = await send(tenant, redelivered, share("ann", 1, at(18, 10)))
    marker = (await send(tenant, share("ann", 1, at(18, 10))))[0]
    await eventually(lambda: processed(marker.id), timeout=30)
    assert await processed(republished[1].id)
    assert await earned() == 20
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    r = await metrics.client.get("/v1/leaderboards?period=month", headers=manager)
    assert board(r.json()) == EXPECTED


async def _equals(read, expected) -> bool:
    return await read() == expected


async def _is(read, expected) -> bool:
    return await read() == expected


async def test_rolling_board_is_kept_once_built_and_agrees_with_the_daily_sum(
    infra: Infra, metrics: RunningService, send, tenant: str, processed
) -> None:
    await _seed(send, tenant)
    manager = infra.auth(tenant=tenant, roles=["program_manager"])

    async def rolling() -> list:
        r = await metrics.client.get("/v1/leaderboards?period=rolling_30d", headers=manager)
        return board(r.json())

    await eventually(lambda: _equals(rolling, EXPECTED), timeout=30)
    async with metrics.runtime.unit_of_work() as uow:
        await boards.ensure_rolling(uow, tenant)  # what the job does when the day changes
    async with metrics.runtime.db.session() as session:
        kept = await session.execute(
            text(
                "SELECT count(*) FROM board_scores WHERE tenant = :t AND kind = 'rolling_30_days'"
            ),
            {"t": tenant},
        )
        assert kept.scalar_one() == 4
    assert await rolling() == EXPECTED
    # Points arriving after the build are added to the kept board: dan reaches 20, tied with
    # ann, who got there first.
    [late] = await send(tenant, share("dan", 2, at(19, 20)))
    await eventually(lambda: processed(late.id), timeout=30)
    expected = [("ann", 20, 1, 1), ("dan", 20, 1, 2), ("bob", 11, 3, 3), ("cat", 10, 4, 4)]
    assert await rolling() == expected
    # The same window summed from the daily rows (20 April to 20 May included) agrees.
    r = await metrics.client.get(
        "/v1/leaderboards?period=custom&start=2026-04-21&end=2026-05-21", headers=manager
    )
    assert board(r.json()) == expected
