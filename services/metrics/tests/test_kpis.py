"""Every KPI from real events on one small programme, with the figures worked out by hand.

The tenant reports in UTC; "now" is Wednesday 20 May 2026, noon; most reads are for May.

People (programme p1 unless said): ann, bob (Paris), cat, dan (Lyon) enrolled 1 April; eve
(Lyon) enrolled 10 May; fay invited to p1 on 1 April, never enrolled; gus (Paris) enrolled
in p2 on 5 May. Ann connected LinkedIn (audience 1,000), bob X (audience 200).

Items: k1 company (2 May), k2 market (3 May, campaign cmp1: goal 3 shares in May), k3 market
(4 May), k4 company (10 April).

Shares: in April ann twice (3 and 9 Apr), bob once (3 Apr), on k0; in May ann k1 (4 May) and
k2 (5 May), bob k2 on X (6 May), cat k2 (6 May), gus k3 (7 May). Dan had a submission approved
(12 May).

Reach: ann's k1 post is estimated at 1,000 x 3.5 % = 35 when shared, then measured 1,000 (8
May) and 1,500 (9 May; 40 reactions, 5 comments, 5 reshares, 10 clicks); a late 900 dated 8 May
changes nothing. Ann's k2 post stays estimated (35). Bob's X post is estimated 7 from his
audience, then the sharing service's estimate of 20 replaces it. Cat's post has no audience,
then is measured 500 (10 reactions, 5 clicks). So: measured 1,500 + 500 = 2,000 on 2 posts,
estimated 35 + 20 = 55 on 2 posts.

Clicks (10 May): three on ann's k1 post (visitors v1, v2, and v3 from inside the company), one
on bob's k2 post (v1), two on cat's k2 post (v4 twice). Conversions: an application through
ann's k1 post (11 May), a lead through cat's (12 May).
"""

from datetime import UTC, date, datetime

import pytest

from resonance.common.events.catalogue import (
    AmbassadorInvited,
    CampaignLaunched,
    ConnectionConnected,
    ContentPublished,
    ConversionRecorded,
    ReachMeasured,
    SubmissionApproved,
)
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.metrics.devtools.sample_facts import at, click, enrolment, share

APRIL_1 = datetime(2026, 4, 1, 10, tzinfo=UTC)


def published(content_id: str, family: str, day: datetime, campaign: str | None = None):
    return ContentPublished(
        content_id=content_id,
        family=family,  # type: ignore[arg-type]
        format="link",
        title=f"Item {content_id}",
        published_at=day,
        campaign_id=campaign,
    )


def reach(share_id: str, who: str, when: datetime, impressions: int, **figures) -> ReachMeasured:
    return ReachMeasured(
        share_id=share_id,
        ambassador_id=who,
        network=figures.pop("network", "linkedin"),
        impressions=impressions,
        measured_at=when,
        **figures,
    )


def conversion(
    conversion_id: str, share_id: str, who: str, content: str, kind: str, when: datetime
) -> ConversionRecorded:
    return ConversionRecorded(
        conversion_id=conversion_id,
        share_id=share_id,
        ambassador_id=who,
        content_id=content,
        network="linkedin",
        kind=kind,  # type: ignore[arg-type]
        occurred_at=when,
    )


async def seed(send, processed, tenant: str) -> None:
    await send(
        tenant,
        *(enrolment(p, site="paris") for p in ("ann", "bob")),
        *(enrolment(p, site="lyon") for p in ("cat", "dan")),
        AmbassadorInvited(ambassador_id="fay", programme_id="p1", invitation_id="i-fay"),
        time=APRIL_1,
    )
    await send(tenant, enrolment("eve", site="lyon"), time=at(10, 9))
    await send(tenant, enrolment("gus", programme="p2", site="paris"), time=at(5, 9))
    setup = await send(
        tenant,
        ConnectionConnected(
            connection_id="x-ann",
            ambassador_id="ann",
            network="linkedin",
            audience_size=1000,
            connected_at=datetime(2026, 4, 2, tzinfo=UTC),
        ),
        ConnectionConnected(
            connection_id="x-bob",
            ambassador_id="bob",
            network="x",
            audience_size=200,
            connected_at=datetime(2026, 4, 2, tzinfo=UTC),
        ),
        CampaignLaunched(
            campaign_id="cmp1",
            name="Spring",
            starts_at=at(1, 0),
            ends_at=at(31, 0),
            goal_metric="shares",
            goal_value=3,
            content_ids=["k2"],
        ),
        published("k1", "company", at(2)),
        published("k2", "market", at(3), campaign="cmp1"),
        published("k3", "market", at(4)),
        published("k4", "company", datetime(2026, 4, 10, tzinfo=UTC)),
        time=APRIL_1,
    )
    await send(
        tenant,
        share("ann", 10, datetime(2026, 4, 3, 10, tzinfo=UTC), content="k0"),
        share("ann", 11, datetime(2026, 4, 9, 10, tzinfo=UTC), content="k0"),
        share("bob", 10, datetime(2026, 4, 3, 11, tzinfo=UTC), content="k0"),
    )
    # The May posts are estimated from the audiences: wait until the connections are known.
    for envelope in setup[:2]:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    await send(
        tenant,
        share("ann", 1, at(4), content="k1"),
        share("ann", 2, at(5), family="market", content="k2", campaign_id="cmp1"),
        share("bob", 1, at(6), family="market", content="k2", network="x", campaign_id="cmp1"),
        share("cat", 1, at(6, 11), family="market", content="k2", campaign_id="cmp1"),
        share("gus", 1, at(7), family="market", content="k3"),
        reach("s-ann-1", "ann", at(8), 1000, reactions=30, comments=5, reshares=5, clicks=10),
        reach("s-ann-1", "ann", at(9), 1500, reactions=40, comments=5, reshares=5, clicks=10),
        reach("s-ann-1", "ann", at(8, 12), 900, reactions=20),
        reach("s-bob-1", "bob", at(8), 20, network="x", measured=False),
        reach("s-cat-1", "cat", at(9), 500, reactions=10, clicks=5),
        click("s-ann-1", "ann", at(10), "k1", visitor="v1"),
        click("s-ann-1", "ann", at(10), "k1", visitor="v2"),
        click("s-ann-1", "ann", at(10), "k1", visitor="v3", internal=True),
        click("s-bob-1", "bob", at(10), "k2", network="x", visitor="v1"),
        click("s-cat-1", "cat", at(10), "k2", visitor="v4"),
        click("s-cat-1", "cat", at(10, 11), "k2", visitor="v4"),
        # As the sharing service sends them: naming the post's author, item and network.
        conversion("cv1", "s-ann-1", "ann", "k1", "application", at(11)),
        conversion("cv2", "s-cat-1", "cat", "k2", "lead", at(12)),
    )
    await send(
        tenant,
        SubmissionApproved(submission_id="sub1", content_id="k9", ambassador_id="dan"),
        time=at(12),
    )


@pytest.fixture(scope="module")
async def programme(
    infra: Infra, metrics: RunningService, send, processed
) -> tuple[str, dict[str, str]]:
    tenant = "kpis-demo"
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    await seed(send, processed, tenant)
    r = await metrics.client.put(
        "/v1/settings/company-reach",
        json={"first_day": "2026-05-01", "end_day": "2026-06-01", "reach": 1000},
        headers=manager,
    )
    assert r.status_code == 200, r.text

    async def everything_applied() -> bool:
        reach_ = (await metrics.client.get("/v1/kpis/reach?period=month", headers=manager)).json()
        conv = (
            await metrics.client.get("/v1/kpis/conversions?period=month", headers=manager)
        ).json()
        part = (
            await metrics.client.get("/v1/kpis/participation?period=month", headers=manager)
        ).json()
        return (
            reach_["measured_impressions"] == 2000
            and reach_["estimated_impressions"] == 55
            and conv["conversions"] == 2
            and conv["outside_clicks"] == 5
            and part["active"] == 5
            and part["enrolled"] == 6
        )

    await eventually(everything_applied, timeout=60)
    return tenant, manager


async def get(metrics: RunningService, manager: dict[str, str], path: str) -> dict:
    r = await metrics.client.get(path, headers=manager)
    assert r.status_code == 200, r.text
    return r.json()


async def test_population_rates(metrics: RunningService, programme) -> None:
    _, manager = programme
    p = await get(metrics, manager, "/v1/kpis/participation?period=month")
    # Enrolled at some moment of May: ann, bob, cat, dan, eve, gus. Shared in May: ann, bob,
    # cat, gus. Contributed: those and dan (his approved submission). Connected: ann, bob.
    # Targeted by the end of May: the six and fay; engaged: the six.
    assert (p["enrolled"], p["sharers"], p["active"], p["connected"]) == (6, 4, 5, 2)
    assert (p["targeted"], p["engaged"]) == (7, 6)
    assert p["participation"] == pytest.approx(4 / 6)
    assert p["active_rate"] == pytest.approx(5 / 6)
    assert p["activation"] == pytest.approx(2 / 6)
    assert p["targeted_engagement"] == pytest.approx(6 / 7)
    # Programme p1: gus is not in it; fay is targeted by it.
    p1 = await get(metrics, manager, "/v1/kpis/participation?period=month&programme=p1")
    assert (p1["enrolled"], p1["sharers"], p1["targeted"], p1["engaged"]) == (5, 3, 6, 5)
    lyon = await get(metrics, manager, "/v1/kpis/participation?period=month&site=lyon")
    assert (lyon["enrolled"], lyon["sharers"], lyon["active"]) == (3, 1, 2)
    # The week of 18 May: nobody shared.
    week = await get(metrics, manager, "/v1/kpis/participation?period=week")
    assert (week["enrolled"], week["sharers"], week["participation"]) == (6, 0, 0.0)


async def test_concentration(metrics: RunningService, programme) -> None:
    _, manager = programme
    c = await get(metrics, manager, "/v1/kpis/concentration?period=month")
    # Contributions in May: ann 2, bob 1, cat 1, gus 1, dan 1, eve 0 -> 6 people, 6 in all.
    # The top 5 % of 6 people is ceil(0.3) = 1 person: ann, with 2 of 6.
    assert (c["people"], c["contributions"], c["top_people"], c["top_contributions"]) == (
        6,
        6,
        1,
        2,
    )
    assert c["top_share"] == pytest.approx(2 / 6)
    # Sorted 0,1,1,1,1,2: sum(i * x_i) = 2+3+4+5+12 = 26; G = 2*26/(6*6) - 7/6 = 10/36.
    assert c["gini"] == pytest.approx(10 / 36)


async def test_retention_cohorts(metrics: RunningService, programme) -> None:
    _, manager = programme
    r = await get(metrics, manager, "/v1/kpis/retention?period=quarter&weeks=4")
    curves = {c["cohort"]: (c["size"], c["points"]) for c in r["curves"]}
    # April (ann, bob, cat, dan from 1 Apr): week 0 ann and bob shared (2/4), week 1 ann (1/4).
    # May (gus from 5 May, eve from 10 May): week 0 is over for both and gus shared (1/2);
    # week 1 is over only for gus (ends 19 May), who did not share; weeks 2-3 not over yet.
    assert curves == {
        "2026-04-01": (4, [0.5, 0.25, 0.0, 0.0]),
        "2026-05-01": (2, [0.5, 0.0, None, None]),
    }


async def test_content_mix(metrics: RunningService, programme) -> None:
    _, manager = programme
    m = await get(metrics, manager, "/v1/kpis/content-mix?period=month")
    # Published in May: k1 company, k2 and k3 market (k4 was April).
    assert (m["published"]["company"], m["published"]["market"]) == (1, 2)
    assert m["published"]["company_share"] == pytest.approx(1 / 3)
    assert m["published"]["gap"] == pytest.approx(1 / 3 - 0.2)
    # Shared in May: ann's k1 is company; ann, bob, cat on k2 and gus on k3 are market.
    assert (m["shares"]["company"], m["shares"]["market"]) == (1, 4)
    assert m["shares"]["gap"] == pytest.approx(0.0)


async def test_reach_engagement_and_company_ratio(
    infra: Infra, metrics: RunningService, programme
) -> None:
    tenant, manager = programme
    r = await get(metrics, manager, "/v1/kpis/reach?period=month")
    assert (r["measured_impressions"], r["measured_posts"]) == (2000, 2)
    assert (r["estimated_impressions"], r["estimated_posts"]) == (55, 2)
    # (40 + 10 reactions, 5 comments, 5 reshares, 10 + 5 clicks) / 2,000 impressions.
    assert r["engagement_rate"] == pytest.approx(75 / 2000)
    assert (r["company_reach"], r["employee_vs_company"]) == (1000, 2.0)
    # The week has no company figure: no ratio, rather than a made-up one.
    week = await get(metrics, manager, "/v1/kpis/reach?period=week")
    assert (week["company_reach"], week["employee_vs_company"]) == (None, None)
    # A communicator may read content KPIs, not people KPIs.
    comms = infra.auth(tenant=tenant, roles=["communicator"])
    assert (await metrics.client.get("/v1/kpis/reach", headers=comms)).status_code == 200
    assert (await metrics.client.get("/v1/kpis/participation", headers=comms)).status_code == 403


async def test_echo_chamber(metrics: RunningService, programme) -> None:
    _, manager = programme
    e = await get(metrics, manager, "/v1/kpis/echo-chamber?period=month")
    assert (e["clicks"], e["internal_clicks"]) == (6, 1)
    assert e["internal_share"] == pytest.approx(1 / 6)
    items = [(i["content_id"], i["sharers"], i["clicks"], i["unique_visitors"]) for i in e["items"]]
    # k1: ann alone, 3 clicks by 3 visitors; k2: ann, bob and cat, 3 clicks by v1 and v4.
    assert items == [("k1", 1, 3, 3), ("k2", 3, 3, 2)]
    assert e["items"][1]["unique_per_click"] == pytest.approx(2 / 3)


async def test_emv_and_conversions(metrics: RunningService, programme) -> None:
    _, manager = programme
    emv = await get(metrics, manager, "/v1/kpis/emv?period=month")
    by = {v["network"]: v for v in emv["by_network"]}
    # LinkedIn: 2,000 measured impressions at CPM 10 = 20.00; 4 outside clicks at 5.00 = 20.00;
    # 50 reactions + 5 comments + 5 reshares at 0.50 = 30.00. X: 1 click = 5.00 (bob's
    # estimated reach is worth nothing).
    assert by["linkedin"] == {
        "network": "linkedin",
        "impressions": "20.00",
        "clicks": "20.00",
        "engagements": "30.00",
        "total": "70.00",
    }
    assert by["x"]["total"] == "5.00"
    assert (emv["currency"], emv["total"]["total"]) == ("USD", "75.00")
    c = await get(metrics, manager, "/v1/kpis/conversions?period=month")
    assert (c["conversions"], c["applications"], c["leads"], c["outside_clicks"]) == (2, 1, 1, 5)
    assert c["conversion_rate"] == pytest.approx(0.4)


async def test_networks_daily_and_top_items(metrics: RunningService, programme) -> None:
    _, manager = programme
    n = await get(metrics, manager, "/v1/kpis/networks?period=month")
    shares = {row["network"]: row["activity"]["shares"] for row in n["networks"]}
    assert shares == {"linkedin": 4, "x": 1}
    daily = await get(metrics, manager, "/v1/kpis/daily?period=month")
    assert len(daily["days"]) == 31
    by_day = {d["day"]: d for d in daily["days"]}
    assert (by_day["2026-05-06"]["shares"], by_day["2026-05-06"]["sharers"]) == (2, 2)
    # Reach belongs to the day of the post: ann's k1 post of 4 May.
    assert by_day["2026-05-04"]["impressions"] == 1500
    assert by_day["2026-05-10"]["clicks"] == 6
    assert sum(d["shares"] for d in daily["days"]) == 5
    top = await get(metrics, manager, "/v1/kpis/top-items?period=month")
    assert [(i["content_id"], i["activity"]["shares"]) for i in top["items"]] == [
        ("k2", 3),
        ("k1", 1),
        ("k3", 1),
    ]
    assert top["items"][0]["title"] == "Item k2"


async def test_campaign_progress_and_goal_badges(
    infra: Infra, metrics: RunningService, programme
) -> None:
    tenant, manager = programme
    rows = await get(metrics, manager, "/v1/kpis/campaigns")
    [spring] = rows["items"]
    # 3 shares of k2 against a goal of 3; 19.5 of the campaign's 30 days are gone.
    assert (spring["value"], spring["fraction"], spring["reached"]) == (3, 1.0, True)
    assert spring["elapsed"] == pytest.approx(19.5 / 30)
    assert spring["on_track"] is True
    for person in ("ann", "bob", "cat"):
        badges = await get(
            metrics,
            infra.auth(tenant=tenant, roles=["ambassador"], subject=f"sub-{person}"),
            "/v1/me/badges",
        )
        assert "campaign_goal:cmp1" in {b["code"] for b in badges["items"]}, person


async def test_top_ambassadors_respect_privacy(
    infra: Infra, metrics: RunningService, programme
) -> None:
    tenant, manager = programme
    top = await get(metrics, manager, "/v1/kpis/top-ambassadors?period=month")
    assert [(p["ambassador_id"], p["shares"]) for p in top["people"]] == [
        ("ann", 2),
        ("bob", 1),
        ("cat", 1),
        ("gus", 1),
    ]
    bob = infra.auth(tenant=tenant, roles=["ambassador"], subject="sub-bob")
    assert (
        await metrics.client.put("/v1/me/privacy", json={"hidden": True}, headers=bob)
    ).status_code == 200
    top = await get(metrics, manager, "/v1/kpis/top-ambassadors?period=month")
    assert [p["ambassador_id"] for p in top["people"]] == ["ann", "cat", "gus"]
    await metrics.client.put("/v1/me/privacy", json={"hidden": False}, headers=bob)


def test_dates_used_above_are_what_the_docstring_says() -> None:
    # 20 May 2026 is a Wednesday; 1 April 2026 a Wednesday too.
    assert date(2026, 5, 20).isoweekday() == 3 and date(2026, 4, 1).isoweekday() == 3


async def test_csv_export(infra: Infra, metrics: RunningService, programme) -> None:
    tenant, manager = programme
    r = await metrics.client.get(
        "/v1/kpis/export.csv?report=networks&period=month", headers=manager
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().split("\r\n")
    header = lines[0].split(",")
    rows = {
        line.split(",")[0]: dict(zip(header, line.split(","), strict=True)) for line in lines[1:]
    }
    assert (rows["linkedin"]["shares"], rows["x"]["shares"]) == ("4", "1")
    daily = await metrics.client.get(
        "/v1/kpis/export.csv?report=daily&period=month", headers=manager
    )
    assert len(daily.text.strip().split("\r\n")) == 1 + 31
    comms = infra.auth(tenant=tenant, roles=["communicator"])
    people = await metrics.client.get("/v1/kpis/export.csv?report=top-ambassadors", headers=comms)
    assert people.status_code == 403
