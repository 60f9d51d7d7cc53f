"""Challenges, badges, rule versions and version-aware profiles, from real events.

Default rules: 10 points a share. "Sprint" challenge: 2 shares between 18 and 25 May, for
Lyon only, paying 50 points and the badge "sprinter".
"""

from datetime import UTC, datetime, timedelta

from resonance.common.events.catalogue import (
    AmbassadorProfile,
    AmbassadorUpdated,
    SubmissionApproved,
)
from resonance.devstack.testing import Infra, RunningService, eventually
from resonance.devstack.testkit import of_type, read_events
from resonance.metrics.devtools.sample_facts import NOW, at, enrolment, share


def ambassador(infra: Infra, tenant: str, who: str) -> dict[str, str]:
    return infra.auth(tenant=tenant, roles=["ambassador"], subject=f"sub-{who}")


async def test_challenge_progress_award_and_management(
    infra: Infra, metrics: RunningService, send, tenant: str, processed
) -> None:
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    body = {
        "title": "Sprint",
        "metric": "shares",
        "target": 2,
        "starts_at": "2026-05-18T00:00:00Z",
        "ends_at": "2026-05-25T00:00:00Z",
        "award_points": 50,
        "award_badge": "sprinter",
        "segment": {"sites": ["lyon"]},
    }
    refused = await metrics.client.post(
        "/v1/challenges", json=body, headers=ambassador(infra, tenant, "cat")
    )
    assert refused.status_code == 403
    created = await metrics.client.post("/v1/challenges", json=body, headers=manager)
    assert created.status_code == 201, created.text
    challenge = created.json()["id"]

    await send(
        tenant,
        enrolment("cat", site="lyon"),
        enrolment("dan", site="lyon"),
        enrolment("ann", site="paris"),
        time=at(1),
    )
    sent = await send(
        tenant,
        share("cat", 1, at(19)),
        share("cat", 2, at(20)),
        share("dan", 1, at(19)),
        share("dan", 2, at(26)),  # after the window
        share("ann", 1, at(19)),
        share("ann", 2, at(20)),  # Paris: not in the challenge's segment
    )
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)

    async def progress(who: str) -> dict:
        r = await metrics.client.get(
            f"/v1/challenges/{challenge}/progress/me", headers=ambassador(infra, tenant, who)
        )
        return r.json()

    cat = await progress("cat")
    assert (cat["value"], cat["completed"], cat["fraction"]) == (2, True, 1.0)
    assert ((await progress("dan"))["value"], (await progress("ann"))["value"]) == (1, 0)
    points = (
        await metrics.client.get("/v1/me/points", headers=ambassador(infra, tenant, "cat"))
    ).json()
    # Two shares (20) and the challenge (50).
    assert points["balance"]["earned"] == 70
    assert sorted(e["reason"] for e in points["entries"]) == ["challenge", "share", "share"]
    badges = (
        await metrics.client.get("/v1/me/badges", headers=ambassador(infra, tenant, "cat"))
    ).json()["items"]
    assert {b["code"] for b in badges} == {"first_share", "sprinter"}
    await read_events(
        infra,
        metrics.settings.topic_prefix,
        "reward",
        lambda events: (
            of_type("reward.granted", ambassador_id="cat", kind="points", points=50)(events)
            and of_type("reward.granted", ambassador_id="cat", kind="badge", badge="sprinter")(
                events
            )
        ),
    )

    # The window can be extended, not shortened; cancelling stops counting.
    shorter = await metrics.client.patch(
        f"/v1/challenges/{challenge}", json={"ends_at": "2026-05-20T00:00:00Z"}, headers=manager
    )
    assert shorter.status_code == 409
    longer = await metrics.client.patch(
        f"/v1/challenges/{challenge}", json={"ends_at": "2026-05-31T00:00:00Z"}, headers=manager
    )
    assert longer.json()["ends_at"].startswith("2026-05-31")
    cancelled = await metrics.client.delete(f"/v1/challenges/{challenge}", headers=manager)
    assert cancelled.json()["cancelled_at"] is not None
    listed = (
        await metrics.client.get("/v1/challenges", headers=ambassador(infra, tenant, "ann"))
    ).json()["items"]
    assert [c["id"] for c in listed] == [challenge]


async def test_badges_from_counters(
    infra: Infra, metrics: RunningService, send, tenant: str, processed
) -> None:
    # Eve shares ten market items over four consecutive ISO weeks (27 Apr, 4, 11, 18 May).
    days = [
        datetime(2026, 4, 27, 9, tzinfo=UTC) + timedelta(weeks=w, hours=h)
        for w, hours in enumerate((3, 3, 2, 2))
        for h in range(hours)
    ]
    assert len(days) == 10
    await send(tenant, enrolment("eve"), enrolment("ann"), time=at(1, month=4))
    sent = await send(
        tenant,
        *(share("eve", n, day, family="market") for n, day in enumerate(days)),
        SubmissionApproved(submission_id="sub-1", content_id="own-1", ambassador_id="ann"),
    )
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    eve = (
        await metrics.client.get("/v1/me/badges", headers=ambassador(infra, tenant, "eve"))
    ).json()["items"]
    assert {b["code"] for b in eve} == {"first_share", "shares_10", "streak_4_weeks", "curator_10"}
    ann = (
        await metrics.client.get("/v1/me/badges", headers=ambassador(infra, tenant, "ann"))
    ).json()["items"]
    assert [b["code"] for b in ann] == ["creator"]
    points = (
        await metrics.client.get("/v1/me/points", headers=ambassador(infra, tenant, "ann"))
    ).json()
    assert points["balance"]["earned"] == 25  # an approved submission, by default


async def test_rule_versions_are_never_retroactive(
    infra: Infra, metrics: RunningService, send, tenant: str, processed
) -> None:
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    tomorrow = NOW + timedelta(days=1)
    backdated = await metrics.client.post(
        "/v1/points/rules",
        json={"effective_from": (NOW - timedelta(days=1)).isoformat(), "share_default": 100},
        headers=manager,
    )
    assert backdated.status_code == 409
    added = await metrics.client.post(
        "/v1/points/rules",
        json={"effective_from": tomorrow.isoformat(), "share_default": 100},
        headers=manager,
    )
    assert added.status_code == 201, added.text
    assert added.json()["version"] == 2
    history = (await metrics.client.get("/v1/points/rules", headers=manager)).json()["items"]
    assert [(r["version"], r["share_default"]) for r in history] == [(1, 10), (2, 100)]

    await send(tenant, enrolment("ivy"), time=at(1))
    # A share today earns today's 10, one made after the change 100 (whenever processed).
    sent = await send(tenant, share("ivy", 1, NOW), share("ivy", 2, tomorrow + timedelta(hours=1)))
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    points = (
        await metrics.client.get("/v1/me/points", headers=ambassador(infra, tenant, "ivy"))
    ).json()
    assert sorted((e["amount"], e["rule_version"]) for e in points["entries"]) == [
        (10, 1),
        (100, 2),
    ]


async def test_an_older_profile_never_overwrites_a_newer_one(
    infra: Infra, metrics: RunningService, send, tenant: str, processed
) -> None:
    manager = infra.auth(tenant=tenant, roles=["program_manager"])
    await send(tenant, enrolment("joe", site="paris"), time=at(1))
    newer = AmbassadorUpdated(
        ambassador_id="joe", profile=AmbassadorProfile(site="lyon", programmes=["p1"])
    )
    older = AmbassadorUpdated(
        ambassador_id="joe", profile=AmbassadorProfile(site="nice", programmes=["p1"])
    )
    await send(tenant, newer, time=at(10))
    sent = await send(
        tenant,
        older,
        time=at(5),
    )
    sent += await send(tenant, share("joe", 1, at(19)))
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    lyon = (
        await metrics.client.get("/v1/leaderboards?period=month&site=lyon", headers=manager)
    ).json()
    nice = (
        await metrics.client.get("/v1/leaderboards?period=month&site=nice", headers=manager)
    ).json()
    assert ([e["ambassador_id"] for e in lyon["entries"]], nice["entries"]) == (["joe"], [])
