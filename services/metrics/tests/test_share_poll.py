"""A poll of share.made applied at once (service/shares_poll.py) leaves exactly what applying
the same facts one by one (service/shares.py, tested by hand elsewhere) leaves; and the kept
read models (board histograms, person-months) always agree with the rows they summarise.

The same facts go to two fresh tenants, one through each path; every aggregate row is then
compared with the tenant column left out."""

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from resonance.common.events.catalogue import (
    AmbassadorErased,
    ConnectionConnected,
    ContentPublished,
    ReachMeasured,
    ShareMade,
)
from resonance.devstack.testing import RunningService
from resonance.metrics.devtools.sample_facts import at, enrolment, share
from resonance.metrics.service import facts, people, shares, shares_poll

TABLES = {
    "share_facts": "share_id",
    "daily_activity": "day, ambassador_id, content_id, network",
    "ambassador_daily": "ambassador_id, day",
    "ambassador_monthly": "ambassador_id, month",
    "ambassador_counters": "ambassador_id",
    "point_balances": "ambassador_id",
    "board_scores": "kind, label, ambassador_id",
    "board_histograms": "kind, label, score",
    "badge_awards": "ambassador_id, code",
    "points_ledger": "key",
}
LEFT_OUT = {"tenant", "id", "recorded_at", "awarded_at"}


def _facts() -> list[ShareMade]:
    """Two weeks of shares by three people: a person's first share, a second on the same day,
    shares on a new day (streaks), an auto-share (no points), an item whose family comes from
    the content projection, a post already known from its reach, and a post announced twice."""
    return [
        share("ann", 1, at(4)),
        share("ann", 2, at(4, 15), family="market"),
        share("ann", 3, at(11)),
        share("bob", 1, at(11), network="x"),
        share("bob", 2, at(12), automatic=True),
        ShareMade(
            share_id="s-cid-1",
            ambassador_id="cid",
            content_id="item-market",
            network="linkedin",
            shared_at=at(12),
        ),
        share("cid", 2, at(13)),  # its reach came first
        share("bob", 1, at(11), network="x"),  # the same post announced again
    ]


async def _prepare(svc: RunningService, tenant: str) -> None:
    """What the tenant knows before the poll: profiles, a connection, an item, a reach."""
    async with svc.runtime.unit_of_work() as uow:
        for who in ("ann", "bob"):
            await people.enrolled(uow, tenant, enrolment(who, site="lyon"), at(1))
        connection = ConnectionConnected(
            connection_id=f"conn-{tenant}",
            ambassador_id="ann",
            network="linkedin",
            audience_size=2_000,
            connected_at=at(1),
        )
        await facts.connected(uow, tenant, connection, at(1))
        item = ContentPublished(
            content_id="item-market", family="market", format="link", title="Market news"
        )
        await facts.published(uow, tenant, item, at(1))
        reach = ReachMeasured(
            share_id="s-cid-2",
            ambassador_id="cid",
            content_id="c-2",
            network="linkedin",
            impressions=1_500,
            measured_at=at(13, 9),
        )
        await shares.reached(uow, tenant, reach)


async def _rows(svc: RunningService, tenant: str) -> dict[str, list[dict[str, Any]]]:
    found = {}
    async with svc.runtime.db.session() as session:
        for table, order in TABLES.items():
            result = await session.execute(
                text(f"SELECT * FROM {table} WHERE tenant = :t ORDER BY {order}"),
                {"t": tenant},
            )
            found[table] = [
                {k: v for k, v in row.items() if k not in LEFT_OUT}
                for row in result.mappings()
                # One by one passes through scores a poll jumps over: rows left at zero.
                if table != "board_histograms" or row["people"] != 0
            ]
    return found


async def test_a_poll_applied_at_once_leaves_what_one_by_one_leaves(
    metrics: RunningService, tenant: str
) -> None:
    singly, polled = f"{tenant}-1", f"{tenant}-n"
    for t in (singly, polled):
        await _prepare(metrics, t)
    for event in _facts():
        async with metrics.runtime.unit_of_work() as uow:
            await shares.made(uow, singly, event)
    async with metrics.runtime.unit_of_work() as uow:
        await shares_poll.made_many(uow, [(polled, e) for e in _facts()])

    one_by_one, at_once = await _rows(metrics, singly), await _rows(metrics, polled)
    for table in TABLES:
        assert at_once[table] == one_by_one[table], table
    # The comparison is not empty-handed: 7 distinct posts (one announced twice), ann's
    # estimate from her 2,000 followers, bob's auto-share earning nothing.
    assert len(at_once["share_facts"]) == 7
    ann_linkedin = next(r for r in at_once["share_facts"] if r["share_id"] == "s-ann-1")
    assert ann_linkedin["basis"] == "estimated" and ann_linkedin["estimated_impressions"] == 70
    balances = {r["ambassador_id"]: r["earned"] for r in at_once["point_balances"]}
    # 10 points a manual share; cid's measured post passed 1,000 impressions: 5 more.
    assert balances == {"ann": 30, "bob": 10, "cid": 25}


async def test_kept_read_models_agree_with_their_rows(metrics: RunningService, tenant: str) -> None:
    """Histograms and person-months are kept by triggers through inserts, updates and
    deletes (an erasure deletes board rows and re-keys person-days)."""
    await _prepare(metrics, tenant)
    async with metrics.runtime.unit_of_work() as uow:
        await shares_poll.made_many(uow, [(tenant, e) for e in _facts()])
    async with metrics.runtime.unit_of_work() as uow:
        later = share("ann", 9, at(11) + timedelta(hours=1))
        await shares.made(uow, tenant, later)
        await people.erased(uow, tenant, AmbassadorErased(ambassador_id="bob"))
    async with metrics.runtime.db.session() as session:
        histogram = await session.execute(
            text(
                "SELECT kind, label, score, people FROM board_histograms WHERE tenant = :t "
                "AND people <> 0 ORDER BY 1, 2, 3"
            ),
            {"t": tenant},
        )
        counted = await session.execute(
            text(
                "SELECT kind, label, score, count(*) FROM board_scores WHERE tenant = :t "
                "AND score > 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
            {"t": tenant},
        )
        assert list(histogram) == list(counted)
        months = await session.execute(
            text(
                "SELECT ambassador_id, month, shares, contributions FROM ambassador_monthly "
                "WHERE tenant = :t AND (shares <> 0 OR contributions <> 0) ORDER BY 1, 2"
            ),
            {"t": tenant},
        )
        summed = await session.execute(
            text(
                "SELECT ambassador_id, CAST(date_trunc('month', day) AS date), sum(shares), "
                "sum(contributions) FROM ambassador_daily WHERE tenant = :t GROUP BY 1, 2 "
                "HAVING sum(shares) <> 0 OR sum(contributions) <> 0 ORDER BY 1, 2"
            ),
            {"t": tenant},
        )
        month_rows = list(months)
        assert month_rows == list(summed)
    # ann: 4 shares in May (3 in the poll, 1 later); bob's rows now under an anonymous id.
    assert ("ann", at(1).date().replace(day=1), 4, 4) in [tuple(r) for r in month_rows]
    assert all(r[0] != "bob" for r in month_rows)
