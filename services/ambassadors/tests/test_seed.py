"""The demo seed works through the public API and can run twice."""

from resonance.ambassadors.devtools.seed import seed_demo
from resonance.devstack.testing import Infra, eventually, running_service
from resonance.devstack.testkit import read_events


async def test_seed_demo_is_complete_and_rerunnable(infra: Infra) -> None:
    async with running_service(
        infra, "ambassadors", onboarding_delay_s=0, invitation_poll_interval_s=0.1
    ) as svc:
        hr = infra.token(tenant="demo", roles=["integration"])
        admin = infra.token(tenant="demo", roles=["admin"])
        first = await seed_demo(
            "http://unused", hr, admin, ambassador_subject="adam-sub", client=svc.client
        )
        second = await seed_demo(
            "http://unused", hr, admin, ambassador_subject="adam-sub", client=svc.client
        )
        assert first == second
        assert len(first["programmes"]) == 4 and len(first["employees"]) == 12
        headers = {"Authorization": f"Bearer {hr}"}
        users = (await svc.client.get("/scim/v2/Users", headers=headers)).json()
        assert users["totalResults"] == 13
        nominations = (
            await svc.client.get(
                f"/v1/cohorts/{first['vip_cohort_id']}/nominations",
                headers={"Authorization": f"Bearer {admin}"},
            )
        ).json()["items"]
        assert len(nominations) == 3 and all(n["invitation_id"] for n in nominations)
        adam = infra.auth(tenant="demo", roles=["ambassador"], subject="adam-sub")

        async def adam_invited() -> list:
            r = await svc.client.get("/v1/ambassadors/me/invitations", headers=adam)
            return list(r.json()["items"])

        assert await eventually(adam_invited)
        await read_events(
            infra,
            svc.settings.topic_prefix,
            "ambassador",
            lambda es: any(
                e.type == "ambassador.invited" and e.subject == first["joiner_id"] for e in es
            ),
        )
