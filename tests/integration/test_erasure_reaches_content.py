"""Cross-service: an erasure here purges the content service's projection of the person.

Both services run on one topic prefix and talk only through Kafka, as in production. This
reads the content service's own projection table to observe the effect.
"""

from sqlalchemy import select

from resonance.content.store.tables import AmbassadorView
from resonance.devstack.testing import Infra, eventually, running_service

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
TENANT = "cross"


async def test_erasure_purges_the_content_projection(infra: Infra) -> None:
    prefix = infra.new_prefix()
    async with (
        running_service(
            infra, "ambassadors", prefix, onboarding_delay_s=0, invitation_poll_interval_s=0.1
        ) as amb,
        running_service(infra, "content", prefix) as content,
    ):
        pm = infra.auth(tenant=TENANT, roles=["program_manager"])
        hr = infra.auth(tenant=TENANT, roles=["integration"])
        await amb.client.post(
            "/v1/programmes",
            json={"display_name": "Voices", "kind": "sharing_platform"},
            headers=pm,
        )
        created = await amb.client.post(
            "/scim/v2/Users",
            json={
                "schemas": [CORE],
                "userName": "zoe",
                "addresses": [{"type": "work", "country": "FR"}],
            },
            headers=hr,
        )
        person = created.json()["id"]
        zoe = infra.auth(tenant=TENANT, roles=["ambassador"], subject="zoe")

        async def invited() -> list:
            r = await amb.client.get("/v1/ambassadors/me/invitations", headers=zoe)
            return list(r.json()["items"])

        invitation = (await eventually(invited))[0]
        accepted = await amb.client.post(
            f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
            json={"charter_version": "1"},
            headers=zoe,
        )
        assert accepted.status_code == 201

        async def projected() -> AmbassadorView | None:
            async with content.runtime.db.session() as session:
                return (
                    await session.execute(
                        select(AmbassadorView).where(
                            AmbassadorView.tenant == TENANT, AmbassadorView.ambassador_id == person
                        )
                    )
                ).scalar_one_or_none()

        view = await eventually(projected)
        assert view.country == "FR"

        erased = await amb.client.post("/v1/ambassadors/me/erasure", headers=zoe)
        assert erased.status_code == 200

        async def purged() -> bool:
            return await projected() is None

        assert await eventually(purged)
