"""Participation funnel per programme: eligible, invited, enrolled, active."""

from datetime import UTC, datetime

from resonance.common.events.catalogue import ShareMade
from resonance.devstack.testing import Infra, eventually, running_service
from resonance.devstack.testkit import emit_event

from .kit import CORE, ambassador, provision

TENANT = "seg"


async def test_segment_counts_and_lists(infra: Infra) -> None:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        pm = infra.auth(tenant=TENANT, roles=["program_manager"])
        hr = infra.auth(tenant=TENANT, roles=["integration"])
        prog = (
            await svc.client.post(
                "/v1/programmes",
                json={
                    "display_name": "Ambassadors",
                    "kind": "sharing_platform",
                    "audience": {"countries": ["FR"]},
                },
                headers=pm,
            )
        ).json()
        ids = {}
        for name, country in (("f1", "FR"), ("f2", "FR"), ("f3", "FR"), ("d1", "DE")):
            ids[name] = await provision(
                svc,
                hr,
                {
                    "schemas": [CORE],
                    "userName": name,
                    "addresses": [{"type": "work", "country": country}],
                },
            )

        async def counts() -> dict:
            return (
                await svc.client.get(f"/v1/programmes/{prog['id']}/segments", headers=pm)
            ).json()

        assert await eventually(lambda: _invited(counts, 3))
        f1 = ambassador(infra, TENANT, "f1")
        invitation = (await svc.client.get("/v1/ambassadors/me/invitations", headers=f1)).json()[
            "items"
        ][0]
        await svc.client.post(
            f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
            json={"charter_version": "1"},
            headers=f1,
        )
        await emit_event(
            infra,
            svc.settings.topic_prefix,
            TENANT,
            ShareMade(
                share_id="s1",
                ambassador_id=ids["f1"],
                content_family="company",
                network="linkedin",
                shared_at=datetime.now(UTC),
            ),
        )

        async def active() -> dict | None:
            c = await counts()
            return c if c["active"] == 1 else None

        c = await eventually(active)
        assert (c["eligible"], c["invited"], c["enrolled"], c["active"]) == (3, 3, 1, 1)
        assert c["participation_rate"] == round(1 / 3, 4) and c["active_rate"] == 1.0

        enrolled = (
            await svc.client.get(f"/v1/programmes/{prog['id']}/segments/enrolled", headers=pm)
        ).json()
        assert [m["ambassador_id"] for m in enrolled["items"]] == [ids["f1"]]
        assert enrolled["items"][0]["stage"] == "sharer"
        eligible = (
            await svc.client.get(
                f"/v1/programmes/{prog['id']}/segments/eligible", params={"limit": 2}, headers=pm
            )
        ).json()
        assert eligible["total"] == 3 and len(eligible["items"]) == 2
        assert (
            await svc.client.get(f"/v1/programmes/{prog['id']}/segments/bored", headers=pm)
        ).status_code == 422
        preview = (
            await svc.client.post(
                "/v1/segments/preview", json={"audience": {"countries": ["DE"]}}, headers=pm
            )
        ).json()
        assert preview["eligible"] == 1 and preview["sample"][0]["ambassador_id"] == ids["d1"]
        other = infra.auth(tenant="elsewhere", roles=["program_manager"])
        assert (
            await svc.client.get(f"/v1/programmes/{prog['id']}/segments", headers=other)
        ).status_code == 404


async def _invited(counts, n: int) -> bool:
    return (await counts())["invited"] == n
