"""The walking skeleton: content publishes through its outbox, metrics counts over Kafka."""

from resonance.devstack.testing import Infra, eventually, running_service

ITEM = {
    "family": "company",
    "format": "link",
    "title": "We are hiring",
    "url": "https://example.com/jobs",
}


async def test_published_item_reaches_metrics_count(infra: Infra) -> None:
    prefix = infra.new_prefix()
    writer = infra.auth(tenant="acme", roles=["communicator"])
    reader = infra.auth(tenant="acme", roles=["program_manager"])
    async with (
        running_service(infra, "content", prefix) as content,
        running_service(infra, "metrics", prefix) as metrics,
    ):
        before = await metrics.client.get("/v1/kpis/published", headers=reader)
        assert before.status_code == 200
        assert before.json()["published_items"] == 0

        created = await content.client.post("/v1/items", json=ITEM, headers=writer)
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "published"

        async def counted() -> int:
            r = await metrics.client.get("/v1/kpis/published", headers=reader)
            return int(r.json()["published_items"])

        assert await eventually(counted) == 1
        assert (await metrics.client.get("/v1/kpis/published", headers=reader)).json()[
            "by_family"
        ] == {"company": 1}


async def test_tenant_cannot_read_another_tenants_counts(infra: Infra) -> None:
    prefix = infra.new_prefix()
    async with (
        running_service(infra, "content", prefix) as content,
        running_service(infra, "metrics", prefix) as metrics,
    ):
        acme = infra.auth(tenant="acme", roles=["communicator"])
        r = await content.client.post("/v1/items", json=ITEM, headers=acme)
        assert r.status_code == 201

        async def acme_count() -> int:
            r = await metrics.client.get("/v1/kpis/published", headers=acme)
            return int(r.json()["published_items"])

        assert await eventually(acme_count) == 1
        globex = infra.auth(tenant="globex", roles=["program_manager"])
        other = await metrics.client.get("/v1/kpis/published", headers=globex)
        assert other.status_code == 200
        assert other.json() == {"tenant": "globex", "published_items": 0, "by_family": {}}
