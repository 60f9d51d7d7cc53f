"""Issue 9, one convention for lists: every /v1 list of this service pages by cursor (`limit`,
`cursor`, answered `{items, next_cursor}`), against real PostgreSQL.

Rows are written straight into the tables (the flows that make them have their own tests), with
ties in the first sort column so that the id (or code) breaking them is exercised, and rows of a
second tenant that must never show. The expected order is computed here from the rows written."""

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from resonance.devstack.testing import Infra, RunningService
from resonance.metrics.devtools.sample_facts import NOW
from resonance.metrics.store.tables import Campaign, CompanyReach
from resonance.metrics.store.tables_gamification import (
    BadgeAward,
    ChallengeRow,
    RedemptionRow,
    RewardRow,
)
from resonance.metrics.store.tables_reports import DigestRow

T0 = NOW - timedelta(days=10)


def _other() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def _insert(metrics: RunningService, rows: list[Any]) -> None:
    async with metrics.runtime.unit_of_work() as uow:
        uow.session.add_all(rows)


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
        assert set(body) == {"items", "next_cursor"}, body
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def _pages_alike(
    c: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    expected: list[str],
    key: Callable[[dict[str, Any]], str],
    **params: Any,
) -> None:
    """One big page holds `expected` (in that order) and nothing else; two at a time gives the
    same rows without repeat or gap; a tampered cursor and limit 201 are refused with 422."""
    r = await c.get(path, params={**params, "limit": 200}, headers=headers)
    assert r.status_code == 200, r.text
    whole = r.json()
    assert whole["next_cursor"] is None
    assert [key(i) for i in whole["items"]] == expected

    pages = await _walk(c, path, headers, **params, limit=2)
    # n rows two at a time: n // 2 full pages, and one more with the rest (if any).
    n = len(expected)
    assert [len(p) for p in pages] == [2] * (n // 2) + ([n % 2] if n % 2 else [])
    assert [i for p in pages for i in p] == whole["items"]

    first = (await c.get(path, params={**params, "limit": 2}, headers=headers)).json()
    cursor = first["next_cursor"]
    assert cursor is not None
    tampered = ("A" if cursor[0] != "A" else "B") + cursor[1:]
    # WyJ4Il0 is base64 of ["x"]: well-formed JSON, but no list here has one text key.
    for bad in (tampered, "not-ours", "WyJ4Il0"):
        r = await c.get(path, params={**params, "cursor": bad}, headers=headers)
        assert r.status_code == 422, (path, bad, r.text)
        assert r.json()["type"].endswith("/invalid-cursor"), r.text
    r = await c.get(path, params={**params, "limit": 201}, headers=headers)
    assert r.status_code == 422, (path, r.text)


def _times(n: int) -> list[datetime]:
    """n creation times with a tie: the first two are equal, so the id breaks it."""
    return [T0, T0, *(T0 + timedelta(hours=h) for h in range(1, n - 1))]


async def test_challenges_page_oldest_first(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    def row(t: str, at: datetime) -> ChallengeRow:
        return ChallengeRow(
            tenant=t,
            title="c",
            metric="shares",
            target=3,
            starts_at=T0,
            ends_at=NOW + timedelta(days=5),
            created_at=at,
        )

    mine = [row(tenant, at) for at in reversed(_times(5))]
    await _insert(metrics, [*mine, *(row(_other(), T0) for _ in range(2))])
    expected = [str(r.id) for r in sorted(mine, key=lambda r: (r.created_at, str(r.id)))]
    who = infra.auth(tenant=tenant, roles=["ambassador"])
    await _pages_alike(metrics.client, "/v1/challenges", who, expected, lambda i: i["id"])


async def test_rewards_page_oldest_first(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    def row(t: str, at: datetime, active: bool = True) -> RewardRow:
        return RewardRow(tenant=t, title="r", cost=5, active=active, created_at=at)

    mine = [row(tenant, at) for at in _times(5)]
    retired = row(tenant, T0 - timedelta(days=1), active=False)
    await _insert(metrics, [*mine, retired, row(_other(), T0)])
    by_time = sorted(mine, key=lambda r: (r.created_at, str(r.id)))
    # Ambassadors see the five active ones; managers the retired one too (it is the oldest).
    amb = infra.auth(tenant=tenant, roles=["ambassador"])
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    await _pages_alike(
        metrics.client, "/v1/rewards", amb, [str(r.id) for r in by_time], lambda i: i["id"]
    )
    await _pages_alike(
        metrics.client,
        "/v1/rewards",
        manager,
        [str(r.id) for r in [retired, *by_time]],
        lambda i: i["id"],
    )


async def test_redemptions_page_newest_first(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    reward = uuid.uuid4()

    def row(t: str, who: str, at: datetime) -> RedemptionRow:
        return RedemptionRow(
            tenant=t,
            reward_id=reward,
            ambassador_id=who,
            status="requested",
            cost=5,
            stock_counted=False,
            requested_at=at,
            updated_at=at,
        )

    bea = [row(tenant, "bea", at) for at in _times(5)]
    colleague = row(tenant, "cid", T0)
    await _insert(metrics, [*bea, colleague, row(_other(), "bea", T0)])
    newest_first = sorted(bea, key=lambda r: (r.requested_at, str(r.id)), reverse=True)
    me = infra.auth(tenant=tenant, roles=["ambassador"], subject="bea")
    await _pages_alike(
        metrics.client,
        "/v1/redemptions",
        me,
        [str(r.id) for r in newest_first],
        lambda i: i["id"],
    )
    # A manager listing everyone's sees the colleague's too, in the same order.
    everyone = sorted([*bea, colleague], key=lambda r: (r.requested_at, str(r.id)), reverse=True)
    await _pages_alike(
        metrics.client,
        "/v1/redemptions",
        infra.auth(tenant=tenant, roles=["program_manager"]),
        [str(r.id) for r in everyone],
        lambda i: i["id"],
        mine="false",
    )


async def test_digests_page_newest_first(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    def row(t: str, at: datetime) -> DigestRow:
        return DigestRow(
            id=uuid.uuid4(),
            tenant=t,
            key=f"{t}-{uuid.uuid4().hex}",
            label="2026-04",
            month=date(2026, 4, 1),
            period_start=T0,
            period_end=NOW,
            html="<p>digest</p>",
            data={},
            recipients=[],
            status="sent",
            created_at=at,
        )

    mine = [row(tenant, at) for at in _times(5)]
    await _insert(metrics, [*mine, row(_other(), T0)])
    newest_first = sorted(mine, key=lambda r: (r.created_at, str(r.id)), reverse=True)
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    await _pages_alike(
        metrics.client,
        "/v1/digests",
        manager,
        [str(r.id) for r in newest_first],
        lambda i: i["id"],
    )


async def test_my_badges_page_oldest_first(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    # Codes of plain lower-case letters: the database's collation and Python order them alike.
    codes = ["delta", "alpha", "echo", "charlie", "bravo"]
    at = [T0, T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0 + timedelta(hours=2)]
    mine = [
        BadgeAward(tenant=tenant, ambassador_id="ann", code=c, title=c, awarded_at=a)
        for c, a in zip(codes, at, strict=True)
    ]
    others = [
        BadgeAward(tenant=tenant, ambassador_id="bob", code="alpha", title="a", awarded_at=T0),
        BadgeAward(tenant=_other(), ambassador_id="ann", code="zulu", title="z", awarded_at=T0),
    ]
    await _insert(metrics, [*mine, *others])
    # By time, then code: (T0 alpha, T0 delta), T0+1h echo, (T0+2h bravo, T0+2h charlie).
    expected = ["alpha", "delta", "echo", "bravo", "charlie"]
    ann = infra.auth(tenant=tenant, roles=["ambassador"], subject="ann")
    await _pages_alike(metrics.client, "/v1/me/badges", ann, expected, lambda i: i["code"])


async def test_company_reach_pages_by_first_day(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    firsts = [date(2026, 3, d) for d in (15, 1, 8, 22, 29)]

    def row(t: str, first: date) -> CompanyReach:
        return CompanyReach(
            tenant=t, first_day=first, end_day=first + timedelta(days=7), reach=100, updated_at=NOW
        )

    await _insert(metrics, [*(row(tenant, f) for f in firsts), row(_other(), date(2026, 3, 2))])
    expected = ["2026-03-01", "2026-03-08", "2026-03-15", "2026-03-22", "2026-03-29"]
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    await _pages_alike(
        metrics.client, "/v1/settings/company-reach", manager, expected, lambda i: i["first_day"]
    )


async def test_campaign_ranking_pages_newest_first(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    starts = {"cmpa": T0, "cmpb": T0, "cmpc": T0 + timedelta(days=1), "cmpd": T0 - timedelta(1)}
    rows = [Campaign(tenant=tenant, campaign_id=k, name=k, starts_at=s) for k, s in starts.items()]
    await _insert(
        metrics, [*rows, Campaign(tenant=_other(), campaign_id="cmpe", name="e", starts_at=T0)]
    )
    # Newest start first; the tie at T0 by id, descending too: cmpc, cmpb, cmpa, cmpd.
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    await _pages_alike(
        metrics.client,
        "/v1/kpis/campaigns",
        manager,
        ["cmpc", "cmpb", "cmpa", "cmpd"],
        lambda i: i["campaign_id"],
    )


async def test_point_rule_versions_page_oldest_first(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    for days in (1, 2, 3):
        r = await metrics.client.post(
            "/v1/points/rules",
            json={"effective_from": (NOW + timedelta(days=days)).isoformat(), "share_default": 5},
            headers=manager,
        )
        assert r.status_code == 201, r.text
    # The tenant's default (version 1), then the three added: 2, 3 and 4.
    await _pages_alike(
        metrics.client,
        "/v1/points/rules",
        manager,
        ["1", "2", "3", "4"],
        lambda i: str(i["version"]),
    )
    # Another tenant that never set any sees only its default version.
    elsewhere = infra.auth(tenant=_other(), roles=["program_manager"])
    r = await metrics.client.get("/v1/points/rules", headers=elsewhere)
    assert [i["version"] for i in r.json()["items"]] == [1] and r.json()["next_cursor"] is None


async def test_my_points_refuse_a_cursor_they_did_not_issue(
    infra: Infra, metrics: RunningService, tenant: str
) -> None:
    me = infra.auth(tenant=tenant, roles=["ambassador"], subject="ann")
    # "12" was the old cursor (a bare ledger id), silently read as "from the start" before.
    for bad in ("12", "not-ours", "WyJ4Il0"):
        r = await metrics.client.get("/v1/me/points", params={"cursor": bad}, headers=me)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["type"].endswith("/invalid-cursor")
