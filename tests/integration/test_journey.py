"""One person's journey across the services, talking only through Kafka: HR provisions a
joiner by SCIM, they are invited (never enrolled), opt in, get content targeted at them in
their feed, share it, and the platform reacts (feed, stage, metrics)."""

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from resonance.common.events import new_envelope
from resonance.common.events.catalogue import ShareMade
from resonance.devstack.testing import Infra, eventually, running_service

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
TENANT = "journey"


async def test_joiner_to_first_share(infra: Infra) -> None:
    prefix = infra.new_prefix()
    async with (
        running_service(
            infra, "ambassadors", prefix, onboarding_delay_s=0, invitation_poll_interval_s=0.1
        ) as amb,
        running_service(infra, "content", prefix) as content,
        running_service(infra, "metrics", prefix) as metrics,
    ):
        pm = infra.auth(tenant=TENANT, roles=["program_manager"])
        hr = infra.auth(tenant=TENANT, roles=["integration"])
        comms = infra.auth(tenant=TENANT, roles=["communicator"])
        programme = await amb.client.post(
            "/v1/programmes",
            json={"display_name": "Digital Leaders", "kind": "sharing_platform"},
            headers=pm,
        )
        assert programme.status_code == 201, programme.text

        # HR provisions a joiner; their sign-in identity is an opaque subject.
        created = await amb.client.post(
            "/scim/v2/Users",
            json={
                "schemas": [CORE],
                "userName": "lea.martin@journey.example",
                "addresses": [{"type": "work", "country": "FR"}],
            },
            headers={**hr, "Content-Type": "application/scim+json"},
        )
        assert created.status_code == 201, created.text
        person = created.json()["id"]
        linked = await amb.client.put(
            f"/v1/ambassadors/{person}/login-subject",
            json={"subject": "idp|7f3a"},
            headers=infra.auth(tenant=TENANT, roles=["admin"]),
        )
        assert linked.status_code == 200, linked.text
        lea = infra.auth(tenant=TENANT, roles=["ambassador"], subject="idp|7f3a")

        async def invitations() -> list:
            r = await amb.client.get("/v1/ambassadors/me/invitations", headers=lea)
            return [i for i in r.json() if i["status"] == "sent"]

        invitation = (await eventually(invitations))[0]
        enrolments = await amb.client.get("/v1/ambassadors/me/enrolments", headers=lea)
        assert [e for e in enrolments.json() if e.get("active", True)] == []  # invited only

        # Content for France and for Germany; Lea (France) must see only the first.
        for title, country in (("Bonjour Lyon", "FR"), ("Hallo Berlin", "DE")):
            r = await content.client.post(
                "/v1/items",
                json={
                    "family": "company",
                    "format": "text",
                    "title": title,
                    "targeting": {"countries": [country]},
                },
                headers=comms,
            )
            assert r.status_code == 201, r.text
        items = {
            i["title"]: i["id"]
            for i in (await content.client.get("/v1/items", headers=comms)).json()["items"]
        }

        accepted = await amb.client.post(
            f"/v1/ambassadors/me/invitations/{invitation['id']}/accept",
            json={"charter_version": "1", "networks": ["linkedin"]},
            headers=lea,
        )
        assert accepted.status_code == 201, accepted.text

        async def feed_titles() -> list[str]:
            r = await content.client.get("/v1/feed", headers=lea)
            assert r.status_code == 200, r.text
            return [i["title"] for i in r.json()["items"]]

        async def targeted() -> bool:
            return await feed_titles() == ["Bonjour Lyon"]

        await eventually(targeted)

        # Lea shares it (the sharing service's event): gone from her feed, and she is a sharer.
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka.bootstrap_servers)
        await producer.start()
        share = ShareMade(
            share_id="share-1",
            ambassador_id=person,
            content_id=items["Bonjour Lyon"],
            content_family="company",
            network="linkedin",
            shared_at=datetime.now(UTC),
        )
        envelope = new_envelope("/resonance/sharing", TENANT, share)
        await producer.send_and_wait(
            prefix + ShareMade.topic, envelope.to_bytes(), key=share.share_id.encode()
        )
        await producer.stop()

        async def shared_hidden() -> bool:
            return await feed_titles() == []

        await eventually(shared_hidden)

        async def stage() -> str:
            r = await amb.client.get("/v1/ambassadors/me", headers=lea)
            return str(r.json()["stage"])

        async def is_sharer() -> bool:
            return await stage() == "sharer"

        await eventually(is_sharer)

        async def published() -> int:
            r = await metrics.client.get("/v1/kpis/published", headers=pm)
            return int(r.json()["published_items"])

        async def both_counted() -> bool:
            return await published() == 2

        await eventually(both_counted)
